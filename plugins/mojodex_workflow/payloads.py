"""Reading the server's workflow and execution JSON into checked values (bad payloads: one clear error)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mojodex_core._errors import BadResponseError
from mojodex_core._events import WorkflowInfo
from mojodex_core._text import one_line


def _text(value: Any) -> str:
    return one_line(value, 200) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def _pk(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


@dataclass(frozen=True)
class InputSpec:
    """One input a workflow asks for; ``type`` and ``default`` come from the server when it gives them."""

    name: str
    type: str = ""
    description: str = ""
    default: Any = None


def parse_inputs(items: Any) -> list[InputSpec]:
    out: list[InputSpec] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            item = {"input_name": item}
        if not isinstance(item, dict):
            continue
        name = item.get("input_name")
        if not isinstance(name, str) or not one_line(name):
            continue
        kind = item.get("type")
        out.append(InputSpec(
            name=one_line(name, 80),
            type=kind.strip().lower() if isinstance(kind, str) else "",
            description=_text(item.get("description")),
            default=item.get("default_value"),
        ))
    return out


def parse_workflows(data: Any) -> list[WorkflowInfo]:
    """The ``user_workflows`` of a GET /user_workflow answer; entries without a pk or name are skipped."""
    items = data.get("user_workflows") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadResponseError("the server's workflow list has no 'user_workflows' list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        pk = _pk(item.get("user_workflow_pk"))
        name = _text(item.get("name"))
        if pk is None or not name:
            continue
        steps = item.get("steps") if isinstance(item.get("steps"), list) else []
        out.append(WorkflowInfo(
            ref=str(pk), name=name, icon=_text(item.get("icon")), description=_text(item.get("description")),
            source="server", inputs=tuple(i.name for i in parse_inputs(item.get("inputs_spec"))),
            data={"inputs_spec": item.get("inputs_spec"), "steps": steps},
        ))
    return out


@dataclass
class Execution:
    """A workflow execution as the server describes it."""

    pk: int | str
    session_id: str
    workflow_name: str = ""
    step_names: list[str] = field(default_factory=list)
    inputs: list[InputSpec] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_execution(data: Any, pk: int | str | None = None) -> Execution:
    """An execution JSON (create or GET answer). Without a pk or a session_id it is unusable: error."""
    if not isinstance(data, dict):
        raise BadResponseError("the server's execution is not a JSON object")
    exec_pk = _pk(data.get("user_workflow_execution_pk")) or pk
    session_id = data.get("session_id")
    if exec_pk is None:
        raise BadResponseError("the server's execution has no user_workflow_execution_pk")
    if not isinstance(session_id, str) or not session_id.strip():
        raise BadResponseError("the server's execution has no session_id")
    steps = []
    raw_steps = data.get("steps")
    for step in raw_steps if isinstance(raw_steps, list) else []:
        name = step.get("step_name") if isinstance(step, dict) else step
        if isinstance(name, str) and name:
            steps.append(one_line(name, 80))
    return Execution(
        pk=exec_pk, session_id=session_id.strip(), workflow_name=_text(data.get("workflow_name")),
        step_names=steps, inputs=parse_inputs(data.get("inputs")), raw=data,
    )
