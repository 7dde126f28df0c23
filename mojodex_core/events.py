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
