"""Runs left waiting for a validation, kept in ``~/.mojodex/waiting-runs.json`` so that
``workflow resume`` works in a later session even with a server that lists validated steps only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mojodex_core._events import StepEvent
from mojodex_core._files import atomic_write, ensure_private_dir


class WaitingRuns:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        try:
            ensure_private_dir(self.path.parent)
            atomic_write(self.path, json.dumps(data, ensure_ascii=False), mode=0o600)
        except OSError:
            pass  # resuming in a later session is a convenience; a read-only home must not break a run

    @staticmethod
    def _key(server: str, pk: int | str) -> str:
        return f"{server.rstrip('/')}#{pk}"

    def get(self, server: str, pk: int | str) -> dict[str, Any]:
        entry = self._read().get(self._key(server, pk))
        return entry if isinstance(entry, dict) else {}

    def remember(self, server: str, pk: int | str, session_id: str, step: StepEvent, result: Any) -> None:
        data = self._read()
        entry = data.setdefault(self._key(server, pk), {})
        entry["session_id"] = session_id
        entry["step"] = {**step.data, "session_id": session_id, "step_name": step.step_name,
                         "user_workflow_step_execution_pk": step.step_execution_pk,
                         "result": result if isinstance(result, list) else step.result}
        self._write(data)

    def mark_validated(self, server: str, pk: int | str, step_pk: int | str) -> None:
        data = self._read()
        entry = data.setdefault(self._key(server, pk), {})
        entry["validated"] = [*entry.get("validated", []), str(step_pk)][-500:]
        step = entry.get("step")
        if isinstance(step, dict) and str(step.get("user_workflow_step_execution_pk")) == str(step_pk):
            entry.pop("step", None)
        self._write(data)

    def forget(self, server: str, pk: int | str) -> None:
        data = self._read()
        if data.pop(self._key(server, pk), None) is not None:
            self._write(data)
