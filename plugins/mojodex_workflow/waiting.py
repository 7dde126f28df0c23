"""What the shell knows of its server runs, kept in ``~/.mojodex/waiting-runs.json``: a run created whose inputs
were never sent, the step that waits for validation and every step the user validated.

Servers forget things (the 2024 backend loses a run's last validation and lists validated steps only), so
``workflow resume`` and ``workflow show`` read this file too, in this session or a later one.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import RunInfo, StepEvent, clean, update_json

if TYPE_CHECKING:
    from mojodex_core import Context

KEEP = 200  # runs remembered; the oldest are forgotten first


def never_started(run: RunInfo, entry: dict[str, Any]) -> bool:
    """Whether ``run`` was created and its inputs never sent: this shell left it at its first question (``entry``,
    its line in the file), or the server has neither a step nor a value for any of its inputs (a run that started
    has them; the 2024 backend fills in defaults, which only the file tells apart)."""
    if run.steps or run.produced is not None:
        return False
    if entry.get("inputs_pending"):
        return True
    return bool(run.values) and all(value is None for value in run.values.values())


def _payload(step: StepEvent, result: Any) -> dict[str, Any]:
    return {**step.data, "session_id": step.session_id, "step_name": step.step_name,
            "user_workflow_step_execution_pk": step.step_execution_pk,
            "result": result if isinstance(result, list) else step.result}


class WaitingRuns:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.path: Path = ctx.home / "waiting-runs.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _key(server: str, pk: int | str) -> str:
        return f"{server.rstrip('/')}#{pk}"

    def of_server(self, server: str) -> dict[str, dict[str, Any]]:
        """Every run of ``server`` in the file: its pk -> its entry."""
        prefix = self._key(server, "")
        return {key[len(prefix):]: entry for key, entry in self._read().items()
                if key.startswith(prefix) and isinstance(entry, dict)}

    def get(self, server: str, pk: int | str) -> dict[str, Any]:
        entry = self._read().get(self._key(server, pk))
        return entry if isinstance(entry, dict) else {}

    def _update(self, server: str, pk: int | str, session_id: str, change: Any) -> None:
        """Change the run's entry in what the file holds now, under its lock: other shells write their runs too."""
        key = self._key(server, pk)

        def apply(data: Any) -> Any:
            data = data if isinstance(data, dict) else {}
            entry = data.get(key)
            entry = entry if isinstance(entry, dict) else {}
            entry["session_id"] = session_id
            entry["updated"] = time.time()
            change(entry)
            data[key] = entry
            if len(data) > KEEP:
                oldest = sorted(data, key=lambda k: data[k].get("updated", 0) if isinstance(data[k], dict) else 0)
                for stale in oldest[: len(data) - KEEP]:
                    data.pop(stale)
            return clean(data)  # whatever a server sent: valid UTF-8 JSON (lone surrogates replaced, bytes named)

        try:
            update_json(self.path, apply)
        except OSError:
            pass  # resuming in a later session is a convenience; a read-only home must not break a run

    def created(self, server: str, pk: int | str, session_id: str) -> None:
        """The run was created and its inputs are still to be sent: ``workflow resume`` asks them."""
        self._update(server, pk, session_id, lambda e: e.update(inputs_pending=True))

    def started(self, server: str, pk: int | str, session_id: str) -> None:
        """The run's inputs were sent: the server runs it."""
        self._update(server, pk, session_id, lambda e: e.pop("inputs_pending", None))

    def remember(self, server: str, pk: int | str, step: StepEvent, result: Any) -> None:
        """``step`` ended and waits for the user's validation."""
        self._update(server, pk, step.session_id, lambda e: e.update(step=_payload(step, result), finished=False))

    def mark_validated(self, server: str, pk: int | str, step: StepEvent, result: Any) -> None:
        def change(entry: dict[str, Any]) -> None:
            done = [s for s in entry.get("validated", []) if isinstance(s, dict)
                    and str(s.get("user_workflow_step_execution_pk")) != str(step.step_execution_pk)]
            entry["validated"] = [*done, {**_payload(step, result), "validated": True}][-500:]
            waiting = entry.get("step")
            if isinstance(waiting, dict) and str(waiting.get("user_workflow_step_execution_pk")) == str(
                    step.step_execution_pk):
                entry.pop("step", None)

        self._update(server, pk, step.session_id, change)

    def forget_waiting(self, server: str, pk: int | str, session_id: str) -> None:
        """Nothing waits any more (the step was rejected, the run restarted)."""
        self._update(server, pk, session_id, lambda e: e.pop("step", None))

    def finished(self, server: str, pk: int | str, session_id: str) -> None:
        self._update(server, pk, session_id, lambda e: (e.pop("step", None), e.update(finished=True)))
