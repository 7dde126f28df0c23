"""Reading the server's JSON into checked values: the one place where payloads are parsed.

Every function accepts any value (what a server sends is untrusted) and either returns a usable value or
raises ``BadResponseError`` with one clear sentence; optional fields of the wrong type are ignored.
"""

from __future__ import annotations

from typing import Any

from mojodex_core._errors import BadResponseError
from mojodex_core._events import (
    InputSpec,
    Plan,
    ProducedText,
    Purchase,
    Resource,
    ServerEvent,
    StepEvent,
    Todo,
    TodoPage,
    WorkflowInfo,
)
from mojodex_core._text import one_line


def text(value: Any, limit: int = 200) -> str:
    """A short one-line text, or "" for anything that is not a string or a number."""
    return one_line(value, limit) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def long_text(value: Any) -> str:
    """A text kept whole (a produced text, an assistant's message), "" for anything else."""
    return value if isinstance(value, str) else ""


def pk(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip() and len(value) <= 100:
        return value.strip()
    return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def inputs(items: Any) -> list[InputSpec]:
    """Input descriptions of any dialect: ``inputs_spec``/``inputs`` (2024) or ``json_input`` (0.4)."""
    out: list[InputSpec] = []
    seen: set[str] = set()
    for item in as_list(items):
        if isinstance(item, str):
            item = {"input_name": item}
        if not isinstance(item, dict):
            continue
        name = text(item.get("input_name"), 80)
        if not name or name in seen:
            continue
        seen.add(name)
        kind = item.get("type")
        default = item.get("default_value")
        if default is None and item.get("value") is not None:
            default = item.get("value")  # the 2024 backend answers a new execution with its defaults filled in
        choices = []
        for value in as_list(item.get("possible_values")):
            value = value.get("value") if isinstance(value, dict) else value
            if text(value):
                choices.append(text(value))
        out.append(InputSpec(
            name=name,
            type=kind.strip().lower() if isinstance(kind, str) else "",
            description=text(item.get("description_for_user") or item.get("description"), 300),
            default=default if isinstance(default, str | int | float) and not isinstance(default, bool) else None,
            choices=tuple(choices),
            placeholder=text(item.get("placeholder"), 200),
        ))
    return out


def step_names(items: Any) -> list[str]:
    names = []
    for step in as_list(items):
        name = step.get("step_name_for_user") or step.get("step_name") if isinstance(step, dict) else step
        if text(name):
            names.append(text(name, 80))
    return names


def workflow(item: Any, *, pk_key: str, name_key: str, icon_key: str, description_key: str,
             inputs_key: str = "inputs_spec") -> WorkflowInfo | None:
    """A listed workflow or task; None when it has no pk or no name."""
    if not isinstance(item, dict):
        return None
    ref, name = pk(item.get(pk_key)), text(item.get(name_key))
    if ref is None or not name:
        return None
    kind = item.get("task_type")
    specs = tuple(inputs(item.get(inputs_key)))
    return WorkflowInfo(
        ref=str(ref), name=name, icon=text(item.get(icon_key), 20), description=text(item.get(description_key)),
        source="server", inputs=tuple(i.name for i in specs), input_specs=specs,
        data=item, kind=kind if kind in ("workflow", "instruct") else "workflow",
        steps=tuple(step_names(item.get("steps"))),
    )


def step(payload: Any, session_id: str | None = None, run_pk: int | str | None = None, *,
         started: bool = False) -> StepEvent | None:
    """A step execution of any dialect (an event's payload, or an entry of a run's JSON).

    None when it is not a dict or has neither a step name nor a display name. ``result`` is kept only if it is
    a list; ``error`` comes from 0.4's ``error_status``. ``started``: as a ``started`` event reads (no result,
    error nor validation yet).
    """
    if not isinstance(payload, dict):
        return None
    name = text(payload.get("step_name_for_user") or payload.get("step_name"), 80)
    sid = payload.get("session_id", session_id)
    if not name or not isinstance(sid, str):
        return None
    result = None if started else payload.get("result")
    error_status = None if started else payload.get("error_status")
    error = None
    if isinstance(error_status, dict):
        error = text(error_status.get("error"), 300) or "the step failed on the server"
    elif isinstance(error_status, str) and error_status.strip():
        error = text(error_status, 300)
    validated = None if started else payload.get("validated")
    parameter = payload.get("parameter")
    return StepEvent(
        session_id=sid,
        step_name=name,
        step_execution_pk=pk(payload.get("user_workflow_step_execution_pk")),
        result=result if isinstance(result, list) else None,
        source="server",
        data=payload,
        run_pk=run_pk,
        step_pk=pk(payload.get("workflow_step_pk")),
        parameter=parameter if isinstance(parameter, dict) else None,
        validated=validated if isinstance(validated, bool) else None,
        error=error,
        needs_validation=payload.get("user_validation_required") is not False,
        review_chat=payload.get("review_chat_enabled") is True,
        definition=text(payload.get("step_definition_for_user"), 300),
    )


# Where a server may list step executions in a run's JSON: the backends list validated ones (2024:
# ``validated_steps_executions``; 0.4: ``step_executions``, with the one waiting or failed); a server that
# also lists the one waiting for validation lets a reconnected client catch its end.
STEP_KEYS = ("validated_steps_executions", "step_executions", "current_step_execution")


def steps(data: dict[str, Any], session_id: str, run_pk: int | str | None) -> list[StepEvent]:
    """Every step execution a run's JSON mentions, in order, each once (the fullest copy)."""
    found: dict[str, StepEvent] = {}
    for key in STEP_KEYS:
        items = data.get(key)
        for item in items if isinstance(items, list) else [items]:
            s = step(item, session_id, run_pk)
            if s is None or s.step_execution_pk is None:
                continue
            known = found.get(str(s.step_execution_pk))
            if known is None or (known.result is None and s.result is not None) or (
                    s.validated is True and known.validated is not True):
                found[str(s.step_execution_pk)] = s
    return list(found.values())


def produced(data: dict[str, Any], *, text_key: str = "produced_text", title_key: str = "produced_text_title",
             version_index: int | None = None) -> ProducedText | None:
    body = long_text(data.get(text_key))
    if not body and not isinstance(data.get(text_key), str):
        return None
    return ProducedText(title=text(data.get(title_key), 300), text=body, pk=pk(data.get("produced_text_pk")),
                        version_pk=pk(data.get("produced_text_version_pk")), version=version_index)


# The fields of a conversation's message (``GET /message``) that the shell reads: texts, and pks.
MESSAGE_TEXTS = ("text", "text_with_tags", "produced_text", "production", "produced_text_title", "title")
MESSAGE_PKS = ("produced_text_pk", "produced_text_version_pk")


def message(item: Any) -> dict[str, Any] | None:
    """An entry of a conversation as plugins get it: ``message_pk`` a pk or None, ``sender`` a text, ``message``
    an object whose texts are strings and pks are pks (a field of another type is left out, as if missing; the
    other fields stay as they came). None for an entry that is not an object."""
    if not isinstance(item, dict):
        return None
    body = as_dict(item.get("message"))
    checked = {k: v for k, v in body.items() if k not in MESSAGE_TEXTS + MESSAGE_PKS}
    checked.update({k: body[k] for k in MESSAGE_TEXTS if isinstance(body.get(k), str)})
    checked.update({k: pk(body[k]) for k in MESSAGE_PKS if pk(body.get(k)) is not None})
    return {**item, "message_pk": pk(item.get("message_pk")), "sender": text(item.get("sender"), 20),
            "message": checked}


def require_session(data: Any, pk_key: str, fallback: int | str | None = None) -> tuple[int | str, str]:
    """A run's pk and session id; without them a run cannot be followed: ``BadResponseError``."""
    if not isinstance(data, dict):
        raise BadResponseError("the server's run is not a JSON object")
    run_pk = pk(data.get(pk_key))
    if run_pk is None:
        run_pk = fallback
    if run_pk is None:
        raise BadResponseError(f"the server's run has no {pk_key}")
    session_id = data.get("session_id")
    if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 200:
        raise BadResponseError("the server's run has no session_id")
    return run_pk, session_id.strip()


STEP_EVENTS = {
    "workflow_step_execution_started": "step_started",
    "workflow_step_execution_ended": "step_ended",
    "workflow_step_execution_invalidated": "step_invalidated",
}


def event(name: str, data: Any) -> ServerEvent | None:
    """A Socket.IO event of any dialect as a ``ServerEvent``; None for a step event that cannot be used."""
    payload = data if isinstance(data, dict) else {"payload": data}
    sid = payload.get("session_id")
    sid = sid if isinstance(sid, str) else ""
    if name in STEP_EVENTS:
        kind = STEP_EVENTS[name]
        s = step(payload, sid, started=kind == "step_started")
        if s is None or s.step_execution_pk is None:
            return None  # without its pk a step can be neither told apart nor validated
        return ServerEvent(name, kind, sid, payload, step=s)  # type: ignore[arg-type]
    if name == "workflow_execution_produced_text":
        return ServerEvent(name, "produced_text", sid, payload, produced=produced(payload) or ProducedText("", ""))
    if name == "error":
        message = payload.get("error") if "error" in payload else payload.get("payload")
        return ServerEvent(name, "error", sid, payload, text=text(message, 300) or "unknown error")
    if name == "user_task_execution_title":
        return ServerEvent(name, "title", sid, payload, text=text(payload.get("title"), 200))
    if name in ("mojo_token", "mojo_message"):
        return ServerEvent(name, "token" if name == "mojo_token" else "message", sid, payload,
                           text=long_text(payload.get("text")), message_pk=pk(payload.get("message_pk")))
    if name in ("draft_token", "draft_message"):
        draft = produced(payload) or ProducedText(text(payload.get("produced_text_title"), 300), "")
        return ServerEvent(name, "draft_token" if name == "draft_token" else "draft", sid, payload, produced=draft,
                           message_pk=pk(payload.get("message_pk")))
    if name == "user_message_reception":
        return ServerEvent(name, "received", sid, payload)
    return ServerEvent(name, "other", sid, payload)


def ack(name: str, data: Any) -> dict[str, Any] | None:
    """The acknowledgement a server waits for (it sends the event again until it comes), or None."""
    if not isinstance(data, dict):
        return None
    if name == "mojo_message":
        return {"session_id": data.get("session_id"), "message_pk": data.get("message_pk")}
    if name == "draft_message":
        return {"session_id": data.get("session_id"), "produced_text_version_pk": data.get("produced_text_version_pk")}
    return None


# -- around the runs (Mojodex 0.4): todos, plans, dates ------------------------------------------------------------


def when(value: Any) -> str:
    """A server's date or time as ISO text; a naive time is UTC (0.4 drops the ``+00:00`` while the user's timezone
    was never sent, protocol-0.4-more.md): it gets the suffix, so every reader can convert it. "" for no date."""
    import datetime

    shown = text(value, 40)
    if not shown:
        return ""
    try:
        parsed = datetime.datetime.fromisoformat(shown.replace("Z", "+00:00"))
    except ValueError:
        return shown
    if isinstance(value, str) and "T" not in shown and " " not in shown:
        return shown  # a date alone stays a date
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)).isoformat()


def count(value: Any) -> int | None:
    """A whole number of things (not a bool, not negative), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def todo(item: Any) -> Todo | None:
    """A todo of ``GET /todos``; None without a pk."""
    if not isinstance(item, dict) or pk(item.get("todo_pk")) is None:
        return None
    return Todo(pk=pk(item.get("todo_pk")) or 0, description=text(item.get("description"), 500),
                due=text(item.get("scheduled_date"), 10), run_pk=pk(item.get("user_task_execution_fk")),
                done=bool(text(item.get("completed"))), read=bool(text(item.get("read_by_user"))),
                created=when(item.get("creation_date")), data=item)


def todo_page(data: Any) -> TodoPage:
    if not isinstance(data, dict) or not isinstance(data.get("todos"), list):
        raise BadResponseError("the server's answer has no 'todos' list")
    todos = [t for t in (todo(item) for item in data["todos"]) if t is not None]
    return TodoPage(todos=tuple(todos), unread=count(data.get("n_todos_not_read")) or 0,
                    never_had=data.get("user_has_never_done_todo") is True)


def resource(item: Any) -> Resource | None:
    """A document of ``GET /resource`` (or of ``PUT /resource``'s answer); None without a pk."""
    if not isinstance(item, dict) or pk(item.get("document_pk")) is None:
        return None
    return Resource(pk=pk(item.get("document_pk")) or 0, name=text(item.get("name"), 300),
                    kind=text(item.get("document_type"), 40), author=text(item.get("author"), 100),
                    created=when(item.get("creation_date")), updated=when(item.get("last_update_date")), data=item)


def purchase(item: Any, expired: bool = False) -> Purchase | None:
    """A plan of ``GET /purchase``; None without a name."""
    if not isinstance(item, dict) or not text(item.get("product_name")):
        return None
    names = [text(t, 80) for t in as_list(item.get("tasks")) if text(t, 80)]
    return Purchase(name=text(item.get("product_name"), 100), tasks_limit=count(item.get("n_tasks_limit")),
                    tasks_used=count(item.get("n_tasks_consumed")) or 0, days_left=count(item.get("remaining_days")),
                    tasks=tuple(names), expired=expired, free=item.get("is_free_product") is True)


def plan(data: Any) -> Plan:
    if not isinstance(data, dict):
        raise BadResponseError("the server's plans are not a JSON object")
    current = [purchase(item) for item in as_list(data.get("current_purchases"))]
    expired = [purchase(item, expired=True) for item in as_list(data.get("last_expired_purchase"))]
    return Plan(current=tuple(p for p in current if p is not None), expired=tuple(p for p in expired if p is not None))
