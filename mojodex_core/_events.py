"""Values that travel through hooks: step events and workflow descriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class StepEvent:
    """One workflow step execution that started or ended, from a server run or a local run.

    ``result`` is None when the step started and a list of result entries (usually dicts) when it ended.
    ``data`` is the raw payload as it arrived (the Socket.IO event, or the local engine's record).
    """

    session_id: str
    step_name: str
    step_execution_pk: int | str | None
    result: list[Any] | None
    source: Literal["server", "local"]
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_server(cls, payload: Any, session_id: str | None = None) -> StepEvent | None:
        """Read a server's step execution payload (a Socket.IO event, or an entry of the execution JSON).

        Returns None when the payload is not a dict or lacks a usable ``step_name``; ``result`` is kept only
        if it is a list. ``session_id`` fills in for a payload without one.
        """
        if not isinstance(payload, dict):
            return None
        name = payload.get("step_name")
        sid = payload.get("session_id", session_id)
        if not isinstance(name, str) or not name or not isinstance(sid, str):
            return None
        pk = payload.get("user_workflow_step_execution_pk")
        if isinstance(pk, bool) or not isinstance(pk, int | str):
            pk = None
        result = payload.get("result")
        return cls(
            session_id=sid,
            step_name=name,
            step_execution_pk=pk,
            result=result if isinstance(result, list) else None,
            source="server",
            data=payload,
        )


@dataclass(frozen=True)
class WorkflowInfo:
    """A workflow a user can run, as listed by ``workflow list``.

    ``ref`` is what ``workflow run`` takes (``"1"`` for a server workflow, ``"local/write-poem"`` for a local one).
    """

    ref: str
    name: str
    icon: str = ""
    description: str = ""
    source: str = "server"
    inputs: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


# Where a server may list step executions in an execution's JSON. The backend lists validated ones only;
# a server that also lists the one waiting for validation lets a reconnected client catch its end.
EXECUTION_STEP_KEYS = ("validated_steps_executions", "step_executions", "current_step_execution")


def steps_in_execution(execution: Any, session_id: str) -> list[StepEvent]:
    """Every step execution an execution's JSON mentions, in order, as server StepEvents."""
    found: dict[str, StepEvent] = {}
    if not isinstance(execution, dict):
        return []
    for key in EXECUTION_STEP_KEYS:
        items = execution.get(key)
        for item in items if isinstance(items, list) else [items]:
            step = StepEvent.from_server(item, session_id)
            if step is None or step.step_execution_pk is None:
                continue
            known = found.get(str(step.step_execution_pk))
            if known is None or (known.result is None and step.result is not None):
                found[str(step.step_execution_pk)] = step
    return list(found.values())
