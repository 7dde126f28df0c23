"""What the shell knows of its server runs, kept in ``~/.mojodex/waiting-runs.json``: a run created whose inputs
were never sent, the step that waits for validation and every step the user validated.

Servers forget things (the 2024 backend loses a run's last validation and lists validated steps only), so
``workflow resume`` and ``workflow show`` read this file too, in this session or a later one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import RunInfo, StepEvent, clean, update_json

if TYPE_CHECKING:
    from mojodex_core import Context

FILE = "waiting-runs.json"
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
    """The runs of one server in the file (``WaitingRuns.of_server(ctx)``), each changed through its handle."""

    def __init__(self, path: Path, server: str) -> None:
        self.path = path
        self.server = server.rstrip("/")

    @classmethod
    def of_server(cls, ctx: Context) -> WaitingRuns:
        """The runs of the shell's server, in the shell's home."""
        return cls(ctx.home / FILE, str(ctx.server_url))

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def key(self, pk: int | str) -> str:
        return f"{self.server}#{pk}"

    def all(self) -> dict[str, dict[str, Any]]:
        """Every run of the server in the file: its pk -> its entry."""
        prefix = self.key("")
        return {key[len(prefix):]: entry for key, entry in self._read().items()
                if key.startswith(prefix) and isinstance(entry, dict)}

    def handle(self, pk: int | str) -> WaitingRun:
        """Run ``pk``'s entry: nothing is read until asked."""
        return WaitingRun(self, pk)


class WaitingRun:
    """One run's entry in the file: read when asked (``entry``), each change made under the file's lock."""

    def __init__(self, runs: WaitingRuns, pk: int | str) -> None:
        self.runs = runs
        self.key = runs.key(pk)

    def entry(self) -> dict[str, Any]:
        """What the file holds of the run now (empty when nothing)."""
        entry = self.runs._read().get(self.key)
        return entry if isinstance(entry, dict) else {}

    def _update(self, change: Callable[[dict[str, Any]], Any]) -> None:
        """Change the run's entry in what the file holds now, under its lock: other shells write their runs too."""
        key = self.key

        def apply(data: Any) -> Any:
            data = data if isinstance(data, dict) else {}
            entry = data.get(key)
            entry = entry if isinstance(entry, dict) else {}
            entry["updated"] = time.time()
            change(entry)
            data[key] = entry
            if len(data) > KEEP:
                oldest = sorted(data, key=lambda k: data[k].get("updated", 0) if isinstance(data[k], dict) else 0)
                for stale in oldest[: len(data) - KEEP]:
                    data.pop(stale)
            return clean(data)  # whatever a server sent: valid UTF-8 JSON (lone surrogates replaced, bytes named)

        try:
            update_json(self.runs.path, apply)
        except OSError:
            pass  # resuming in a later session is a convenience; a read-only home must not break a run

    def created(self) -> None:
        """The run was created and its inputs are still to be sent: ``workflow resume`` asks them."""
        self._update(lambda e: e.update(inputs_pending=True))

    def started(self) -> None:
        """The run's inputs were sent: the server runs it."""
        self._update(lambda e: e.pop("inputs_pending", None))

    def waiting(self, step: StepEvent, result: Any) -> None:
        """``step`` ended and waits for the user's validation."""
        self._update(lambda e: e.update(step=_payload(step, result), finished=False))

    def validated(self, step: StepEvent, result: Any) -> None:
        """``step`` was validated (with ``result``): kept among the run's validated steps, no longer waiting."""
        def change(entry: dict[str, Any]) -> None:
            done = [s for s in entry.get("validated", []) if isinstance(s, dict)
                    and str(s.get("user_workflow_step_execution_pk")) != str(step.step_execution_pk)]
            entry["validated"] = [*done, {**_payload(step, result), "validated": True}][-500:]
            waiting = entry.get("step")
            if isinstance(waiting, dict) and str(waiting.get("user_workflow_step_execution_pk")) == str(
                    step.step_execution_pk):
                entry.pop("step", None)

        self._update(change)

    def forget_waiting(self) -> None:
        """Nothing waits any more (the step was rejected, or the server is thought to have failed it)."""
        self._update(lambda e: e.pop("step", None))

    def restarted(self) -> None:
        """The run starts over with new inputs: nothing waits, nothing is validated."""
        self._update(lambda e: (e.pop("step", None), e.pop("validated", None)))

    def finished(self) -> None:
        self._update(lambda e: (e.pop("step", None), e.update(finished=True)))
