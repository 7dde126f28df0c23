"""A lying server: real-shaped payloads of every dialect with one value, at any path, replaced by a value of
ANOTHER TYPE (an object or a list where a name, a key or a pk is expected, a number, a bool, null, a string).

Two checks, both deterministic:
- the typed parser (the dialects' calls on a fake HTTP client, and their events), every path of every payload
  times every replacement: it returns values of the declared types (``str`` names, ``int | str`` pks, lists of
  ``StepEvent``...) or raises a ``MojodexError``; nothing else;
- the shell's real handlers (``workflow list/run/show/resume``, ``task list/run/runs/show/text/resume``, the run
  owner receiving the events through the Socket.IO plugin's dispatcher), every path of every payload holding an
  object or a list (whichever it did not hold), and sampled paths holding the other types: a one-line error at
  most, never a ``TypeError`` reported as a plugin's failure.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import json
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_budget import examples
from test_wf_hypothesis import BASE, Harness, captured

from mojodex_core._dialects import NAMES, make
from mojodex_core._dispatch import resolve, run_async
from mojodex_core._errors import MojodexError, NotFoundError
from mojodex_core._events import ProducedText, RunInfo, ServerEvent, WorkflowInfo

SID = "391ce7a3-type"
SID2 = "7a1d44c0-type"
POEM = "[demo] first light,\nsoft and new\n\n[demo] blossoms everywhere"

# -- real-shaped payloads, as protocol.md shows them (every field a real server sends) -------------------------


def _spec_step(pk: int, step_pk: int, name: str, parameter: dict[str, Any], result: Any,
               validated: bool = False) -> dict[str, Any]:
    return {"user_workflow_step_execution_pk": pk, "workflow_step_pk": step_pk, "step_name": name,
            "validated": validated, "parameter": parameter, "result": result, "session_id": SID}


def _step_04(pk: int, step_pk: int, name: str, parameter: dict[str, Any], result: Any,
             validated: bool | None = None) -> dict[str, Any]:
    return {"user_workflow_step_execution_pk": pk, "workflow_step_pk": step_pk, "step_name_for_user": name,
            "step_definition_for_user": f"{name}, as the workflow defines it",
            "creation_date": "2026-12-02T14:24:09+00:00", "user_validation_required": True, "validated": validated,
            "parameter": parameter, "result": result, "error_status": None, "review_chat_enabled": True,
            "session_id": SID}


TOPICS = [{"stanza_topic": "first light"}, {"stanza_topic": "blossoms"}]


def spec_payloads(api: str) -> dict[str, Any]:
    """What a ``spec`` or ``mojodex-2024`` server answers and emits, by name."""
    inputs_spec = [{"input_name": "poem_topic", "type": "string", "description": "What is the poem about?",
                    "default_value": "Spring"},
                   {"input_name": "n_stanzas", "type": "integer", "description": "How many stanzas?",
                    "default_value": 2}]
    steps = [{"workflow_step_pk": 1, "step_name": "stanza_divider"},
             {"workflow_step_pk": 2, "step_name": "stanza_writer"}]
    params = {"poem_topic": "Spring", "n_stanzas": 2}
    divider = _spec_step(7, 1, "stanza_divider", params, TOPICS)
    writer1 = _spec_step(8, 2, "stanza_writer", TOPICS[0], [{"stanza": "[demo] first light,\nsoft and new"}])
    writer2 = _spec_step(9, 2, "stanza_writer", TOPICS[1], [{"stanza": "[demo] blossoms everywhere"}])
    execution = {"workflow_name": "Write poem", "user_workflow_execution_pk": 3, "user_workflow_fk": 1,
                 "steps": steps, "validated_steps_executions": [], "session_id": SID,
                 "inputs": [{**s, "value": s["default_value"] if api == "mojodex-2024" else None}
                            for s in inputs_spec]}
    read = {**execution, "validated_steps_executions": [{**divider, "validated": True}],
            "inputs": [{**s, "value": s["default_value"]} for s in inputs_spec]}
    if api == "spec":
        read["current_step_execution"] = writer1
    found = {
        "list": {"user_workflows": [{"user_workflow_pk": 1, "workflow_pk": 1, "name": "Write poem", "icon": "🌸",
                                     "description": "Write a poem stanza by stanza", "inputs_spec": inputs_spec,
                                     "steps": steps}]},
        "created": execution,
        "submitted": {"user_workflow_execution_pk": 3},
        "read": read,
        "validated": {"message": "Step validated"},
        "ev.divider.started": {**divider, "result": None},
        "ev.divider.ended": divider,
        "ev.writer1.started": {**writer1, "result": None},
        "ev.writer1.ended": writer1,
        "ev.writer2.started": {**writer2, "result": None},
        "ev.writer2.ended": writer2,
    }
    if api == "spec":
        found["ev.produced"] = {"produced_text": POEM, "produced_text_title": "Poem about spring", "session_id": SID}
    return copy.deepcopy(found)


def payloads_04() -> dict[str, Any]:
    """What a Mojodex 0.4 server answers and emits, by name."""
    steps = [{"workflow_step_pk": 1, "step_name_for_user": "Stanza topics",
              "step_definition_for_user": "Decide what each stanza is about"},
             {"workflow_step_pk": 2, "step_name_for_user": "Write stanza",
              "step_definition_for_user": "Write one stanza"}]
    instruct = {"user_task_pk": 13, "task_pk": 6, "task_name": "General Assistance",
                "task_description": "Your go-to assistant", "task_icon": "💡", "task_type": "instruct", "steps": [],
                "enabled": True}
    poem = {"user_task_pk": 14, "task_pk": 7, "task_name": "Write poem",
            "task_description": "Write a poem stanza by stanza", "task_icon": "🌸", "task_type": "workflow",
            "steps": steps, "enabled": True}
    json_input = [{"input_name": "poem_topic", "description_for_user": "What is the poem about?",
                   "description_for_system": "the topic", "type": "text_area", "placeholder": "Spring"},
                  {"input_name": "n_stanzas", "description_for_user": "How many stanzas?",
                   "description_for_system": "a number", "type": "drop_down_list",
                   "possible_values": [{"value": "2"}, {"value": "3"}]}]
    params = {"poem_topic": "Spring", "n_stanzas": "2"}
    divider = _step_04(1, 1, "Stanza topics", params, TOPICS)
    writer1 = _step_04(2, 2, "Write stanza", TOPICS[0], [{"stanza": "[demo] first light,\nsoft and new"}])
    writer2 = _step_04(3, 2, "Write stanza", TOPICS[1], [{"stanza": "[demo] blossoms everywhere"}])
    values = [{"input_name": "poem_topic", "type": "text_area", "value": "Spring",
               "description_for_user": "What is the poem about?"},
              {"input_name": "n_stanzas", "type": "drop_down_list", "value": "2",
               "possible_values": [{"value": "2"}, {"value": "3"}]}]
    workflow_run = {"user_task_execution_pk": 1, "start_date": "2026-12-02T14:24:09+00:00", "end_date": None,
                    "title": "Poem about spring", "summary": None, "session_id": SID, "json_inputs_values": values,
                    "icon": "🌸", "task_name": "Write poem", "task_type": "workflow", "user_task_pk": 14,
                    "produced_text_pk": None, "produced_text_title": None, "produced_text_production": None,
                    "produced_text_version_pk": None, "produced_text_version_index": None, "steps": steps,
                    "step_executions": [{**divider, "validated": True}, writer1]}
    instruct_run = {"user_task_execution_pk": 2, "start_date": "2026-12-01T09:00:00+00:00", "end_date": None,
                    "title": "A thank-you note", "summary": "A note", "session_id": SID2,
                    "json_inputs_values": [{"input_name": "request", "type": "text_area", "value": "Thank my team"}],
                    "icon": "💡", "task_name": "General Assistance", "task_type": "instruct", "user_task_pk": 13,
                    "produced_text_pk": 4, "produced_text_title": "Thank you",
                    "produced_text_production": "Dear team,\nthank you.", "produced_text_version_pk": 6,
                    "produced_text_version_index": 2}
    draft = {"produced_text": "Dear team,\nthanks.", "produced_text_title": "Thanks", "produced_text_pk": 4,
             "produced_text_version_pk": 7, "user_task_execution_pk": 2, "text_type": "document",
             "text": "Thanks\nDear team,\nthanks.", "text_with_tags": "<title>Thanks</title>", "session_id": SID2,
             "message_pk": 12, "audio": False}
    return copy.deepcopy({
        "list": {"user_tasks": [instruct, poem, {**poem, "user_task_pk": None, "task_pk": 9, "enabled": False}]},
        "task": {**poem, "user_task_name": "Write poem", "user_task_description": "Write a poem stanza by stanza",
                 "user_task_icon": "🌸"},
        "instruct_task": {**instruct, "user_task_name": "General Assistance",
                          "user_task_description": "Your go-to assistant", "user_task_icon": "💡"},
        "created": {"user_task_execution_pk": 1, "json_input": json_input, "actions": [], "text_edit_actions": [],
                    "session_id": SID, "intro_done": False},
        "created_instruct": {"user_task_execution_pk": 2, "session_id": SID2, "actions": [],
                             "text_edit_actions": [], "intro_done": False,
                             "json_input": [{"input_name": "request", "description_for_user": "What do you need?",
                                             "description_for_system": "the request", "type": "text_area"}]},
        "submitted": {"success": "ok"},
        "read": workflow_run,
        "read_instruct": instruct_run,
        "runs": {"user_task_executions": [instruct_run, workflow_run]},
        "version": {"produced_text_pk": 4, "produced_text_version_pk": 5, "production": "Dear team.",
                    "title": "Thanks", "produced_text_version_index": 1},
        "messages": {"messages": [
            {"message_pk": 11, "sender": "mojo", "audio": False, "in_error_state": None,
             "message": {"produced_text": "Dear team,\nthank you.", "produced_text_title": "Thank you",
                         "produced_text_pk": 4, "produced_text_version_pk": 6, "text": "Thank you\nDear team",
                         "text_with_tags": "<title>Thank you</title>"}},
            {"message_pk": 10, "sender": "user", "audio": False, "in_error_state": None,
             "message": {"text": "make it warmer"}}]},
        "message_answer": {"text": "make it shorter", "message_pk": 12, "message_id": "m-1",
                           "user_task_execution_pk": 2},
        "validated": {"message": "Step validated"},
        "ev.divider.started": {**divider, "result": None},
        "ev.title": {"title": "Poem about spring", "session_id": SID},
        "ev.divider.ended": divider,
        "ev.writer1.started": {**writer1, "result": None},
        "ev.writer1.ended": writer1,
        "ev.writer2.started": {**writer2, "result": None},
        "ev.writer2.ended": writer2,
        "ev.produced": {"user_task_execution_pk": 1, "produced_text": POEM, "produced_text_title": "",
                        "produced_text_pk": 1, "produced_text_version_pk": 1, "session_id": SID},
        "ev.instruct.title": {"title": "A thank-you note", "session_id": SID2},
        "ev.received": {"success": True, "session_id": SID2},
        "ev.mojo_token": {"text": "Let me", "session_id": SID2},
        "ev.mojo_message": {"text": "Who is it for?", "text_with_tags": "Who is it for?", "user_task_execution_pk": 2,
                            "session_id": SID2, "message_pk": 13, "audio": False},
        "ev.draft_token": {"produced_text_title": "Thanks", "produced_text": "Dear team,",
                           "text": "Thanks\nDear team,", "session_id": SID2},
        "ev.draft_message": draft,
    })


PAYLOADS = {api: payloads_04() if api == "mojodex-0.4" else spec_payloads(api) for api in NAMES}

# Which events a server emits after which request (named by what the request is about).
SPEC_SCRIPT = {
    "start": ["ev.divider.started", "ev.divider.ended"],
    "validated 7": ["ev.writer1.started", "ev.writer1.ended"],
    "validated 8": ["ev.writer2.started", "ev.writer2.ended"],
    "validated 9": ["ev.produced"],
}
SCRIPT_04 = {
    "start": ["ev.divider.started", "ev.title", "ev.divider.ended"],
    "validated 1": ["ev.writer1.started", "ev.writer1.ended"],
    "validated 2": ["ev.writer2.started", "ev.writer2.ended"],
    "validated 3": ["ev.produced"],
    "start instruct": ["ev.instruct.title", "ev.mojo_token", "ev.mojo_message"],  # a question first
    "message": ["ev.received", "ev.draft_token", "ev.draft_message"],
}
EVENT_NAMES = {"started": "workflow_step_execution_started", "ended": "workflow_step_execution_ended",
               "produced": "workflow_execution_produced_text", "title": "user_task_execution_title",
               "received": "user_message_reception", "mojo_token": "mojo_token", "mojo_message": "mojo_message",
               "draft_token": "draft_token", "draft_message": "draft_message"}


def event_name(key: str) -> str:
    return EVENT_NAMES[key.rsplit(".", 1)[-1]]


# -- the mutations --------------------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]

# A value of every JSON type, and odd ones (nested, a list of objects, negative, empty, an escape sequence).
OTHER_TYPES: list[Any] = [{"a": {"b": 1}}, [{"x": 1}], ["a", "b"], None, True, -1, 1.5, "", "\x1b[31mx"]
# The replacements that can be neither hashed, sorted nor joined to a text: every path gets one of them.
CONTAINERS: list[Any] = [{"a": 1}, ["a"]]


def paths(value: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Every path of ``value`` (its keys and indexes, nested), the root included."""
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*at, index))


def replaced(value: Any, at: Path_, new: Any) -> Any:
    """``value`` with ``new`` at ``at``: the containers on the way are copies, the rest is shared (read only)."""
    if not at:
        return copy.deepcopy(new)
    out = copy.copy(value)
    out[at[0]] = replaced(value[at[0]], at[1:], new)
    return out


def mutations(api: str) -> list[tuple[str, Path_]]:
    return [(name, at) for name, payload in PAYLOADS[api].items() for at in paths(payload)]


def value_at(value: Any, at: Path_) -> Any:
    for key in at:
        value = value[key]
    return value


def container_for(api: str, index: int, name: str, at: Path_) -> Any:
    """An object or a list, in turn, but never the type the path holds: a list where there is an object, an
    object where there is a list."""
    original = value_at(PAYLOADS[api][name], at)
    if isinstance(original, dict):
        return CONTAINERS[1]
    if isinstance(original, list):
        return CONTAINERS[0]
    return CONTAINERS[index % 2]


# -- the declared types of the typed values --------------------------------------------------------------------


def conforms(value: Any, hint: Any) -> bool:
    """``value`` is of the type ``hint`` declares (dataclasses field by field; ``int`` is never a bool)."""
    if hint is Any:
        return True
    if hint is int:
        return type(value) is int
    if hint is float:
        return type(value) in (int, float)
    fields = _hints(hint)
    if fields is not None:
        return isinstance(value, hint) and all(conforms(getattr(value, f), h) for f, h in fields.items())
    origin, args = _shape(hint)
    if origin is None:
        return isinstance(value, hint)  # str, bool, NoneType
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is Literal:
        return value in args
    if origin is list:
        return isinstance(value, list) and (args[0] is Any or all(conforms(v, args[0]) for v in value))
    if origin is tuple:
        return isinstance(value, tuple) and all(conforms(v, args[0]) for v in value)
    assert origin is dict, hint
    return isinstance(value, dict) and all(isinstance(k, args[0]) for k in value) and (
        args[1] is Any or all(conforms(v, args[1]) for v in value.values()))


@functools.cache
def _shape(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    return typing.get_origin(hint), typing.get_args(hint)


@functools.cache
def _hints(hint: Any) -> dict[str, Any] | None:
    """A dataclass's fields and their types; None for any other type."""
    if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return None
    return {f.name: typing.get_type_hints(hint)[f.name] for f in dataclasses.fields(hint)}


def check_typed(value: Any, hint: Any, what: str) -> None:
    assert conforms(value, hint), f"{what}: {value!r} is not a {hint}"


MESSAGE_TYPES = {"message_pk": int | str | None, "sender": str, "message": dict[str, Any]}
MESSAGE_BODY_TYPES = {"text": str, "produced_text": str, "production": str, "produced_text_title": str,
                      "title": str, "produced_text_pk": int | str, "produced_text_version_pk": int | str}


def check_messages(messages: Any) -> None:
    """A conversation as plugins get it: a list of dicts, their fields of the types the shell reads them as."""
    assert isinstance(messages, list)
    for message in messages:
        assert isinstance(message, dict)
        for key, hint in MESSAGE_TYPES.items():
            assert key not in message or conforms(message[key], hint), (key, message)
        for key, hint in MESSAGE_BODY_TYPES.items():
            body = message.get("message", {})
            assert key not in body or conforms(body[key], hint), (key, message)


class Answers:
    """A fake HTTP client that answers every route with the named payload (a request it has none for: 404)."""

    def __init__(self, api: str, payloads: dict[str, Any]) -> None:
        self.api, self.payloads = api, payloads
        self.base_url = "http://127.0.0.1:9"
        self.on_events: Any = None  # called with the script's key after a request that makes the server emit
        self.served: set[str] = set()  # the payloads answered (and emitted)
        self.copies = True  # a copy of each answer, for handlers that may change what they get (parsers do not)

    def route(self, method: str, path: str, params: dict[str, Any], body: dict[str, Any]) -> tuple[str, str]:
        """(the payload answered, the script key of the events that follow, or "")."""
        if path == "/user_workflow":
            return "list", ""
        if path == "/user_workflow_execution":
            if method == "GET":
                return "read", ""
            if "json_inputs" in body:
                return "submitted", "start"
            return "created", ""
        if path == "/user_workflow_step_execution":
            return "validated", f"validated {body.get('user_workflow_step_execution_pk')}"
        if path == "/user_task":
            if "user_task_pk" in params:
                return ("instruct_task" if str(params["user_task_pk"]) == "13" else "task"), ""
            return "list", ""
        if path == "/user_task_execution":
            if method == "PUT":
                return ("created_instruct" if str(body.get("user_task_pk")) == "13" else "created"), ""
            if "user_task_execution_pk" not in params:
                return "runs", ""
            return ("read_instruct" if str(params["user_task_execution_pk"]) == "2" else "read"), ""
        if path == "/user_task_execution_run":
            return "submitted", "start instruct" if str(body.get("user_task_execution_pk")) == "2" else "start"
        if path == "/user_task_execution_produced_text":
            return "version", ""
        if path == "/message":
            return "messages", ""
        if path == "/user_message":
            return "message_answer", "message"
        return "", ""

    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      json: dict[str, Any] | None = None, form: dict[str, Any] | None = None, **_: Any) -> Any:
        name, then = self.route(method, path, params or {}, {**(form or {}), **(json or {})})
        if name not in self.payloads:
            raise NotFoundError(f"the server has no {path} (404)", 404)
        answer = copy.deepcopy(self.payloads[name]) if self.copies else self.payloads[name]
        self.served.add(name)
        if then and self.on_events is not None:
            await self.on_events(then)
        return answer

    async def aclose(self) -> None:
        pass

    def close_later(self) -> None:
        pass


# -- 1. the typed parser, exhaustively -------------------------------------------------------------------------


def parser_calls(api: str) -> list[tuple[str, Any, Any]]:
    """(what, call(dialect), the declared type of its value) for every call of the dialect that reads a payload;
    ``messages`` is checked field by field (a list of dicts, as plugins get it)."""
    calls: list[tuple[str, Any, Any]] = [("list_workflows", lambda d: d.list_workflows(), list[WorkflowInfo])]
    for ref in ("13", "14") if api == "mojodex-0.4" else ("1",):
        calls += [(f"workflow {ref}", lambda d, r=ref: d.workflow(r), WorkflowInfo | None),
                  (f"create_run {ref}", lambda d, r=ref: d.create_run(r), RunInfo)]
    for pk in (1, 2) if api == "mojodex-0.4" else (3,):
        calls.append((f"read_run {pk}", lambda d, k=pk: d.read_run(k), RunInfo))
    if api == "mojodex-0.4":
        calls += [("list_tasks", lambda d: d.list_tasks(), list[WorkflowInfo]),
                  ("list_runs", lambda d: d.list_runs(), list[RunInfo]),
                  ("produced_text", lambda d: d.produced_text(2), ProducedText | None),
                  ("produced_text version", lambda d: d.produced_text(2, 1), ProducedText | None),
                  ("messages", lambda d: d.messages(RunInfo(2, SID2)), "messages")]
    return calls


async def _parse(api: str, payloads: dict[str, Any], what: str, call: Any, hint: Any) -> set[str]:
    """Run one parser call on ``payloads``; its value must have the declared type. Returns the payloads it read."""
    http = Answers(api, payloads)
    http.copies = False
    dialect: Any = make(api, http, "0.0.0")  # type: ignore[arg-type]
    try:
        value = await call(dialect)
    except MojodexError:
        return http.served
    if hint == "messages":
        check_messages(value)
    else:
        check_typed(value, hint, what)
    return http.served


def test_the_parser_returns_declared_types_whatever_type_a_value_has() -> None:
    async def every_mutation() -> int:
        count = 0
        for api in NAMES:
            calls = parser_calls(api)
            reads = {what: await _parse(api, PAYLOADS[api], what, call, hint) for what, call, hint in calls}
            unread = {n for n in PAYLOADS[api] if not n.startswith("ev.")} - set().union(*reads.values()) - {
                "submitted", "validated", "message_answer"}  # answers of which nothing is read, but that they came
            assert not unread, f"{api}: no parser call reads {unread}"  # the control: each payload is parsed
            for name, at in mutations(api):
                for new in OTHER_TYPES:
                    payloads = {**PAYLOADS[api], name: replaced(PAYLOADS[api][name], at, new)}
                    where = f"{api}: {name} at {list(at)} = {new!r}"
                    try:
                        if name.startswith("ev."):
                            dialect = make(api, None, "0.0.0")  # type: ignore[arg-type]
                            check_typed(dialect.event(event_name(name), payloads[name]), ServerEvent | None, name)
                            dialect.ack(event_name(name), payloads[name])
                        for what, call, hint in calls:
                            if name in reads[what]:
                                await _parse(api, payloads, what, call, hint)
                                count += 1
                    except AssertionError as exc:
                        raise AssertionError(f"{where}: {exc}") from None
        return count

    assert asyncio.run(every_mutation()) > 5_000


# -- 2. the shell's real handlers ------------------------------------------------------------------------------

COMMANDS = {
    "spec": ["workflow list", "workflow list --json", "task list", "workflow run 1 --yes", "workflow show 3",
             "workflow show 3 --json", "workflow resume 3 --yes --jsonl"],
    "mojodex-0.4": ["task list", "task list --json", "workflow list", "workflow list --json",
                    "workflow run 14 --yes --input poem_topic=Spring --input n_stanzas=2",
                    "task run 13 --yes --input request=hello", "workflow show 1", "workflow show 1 --json",
                    "workflow resume 1 --yes --json", "task runs", "task runs --json", "task show 2",
                    "task show 2 --json", "task show 1", "task text 2", "task text 2 --version 1",
                    "task resume 2 --message shorter"],
}
COMMANDS["mojodex-2024"] = COMMANDS["spec"]
# How the dispatcher and the plugin host word an unexpected exception (a bug), as opposed to a MojodexError.
UNEXPECTED = re.compile(r"\(plugin \w+\) failed: |the shell failed: | failed in mojodex_| failed to list its|"
                        r"failed with [A-Z]\w+Error|Traceback")


class Shell:
    """An in-process shell with the built-in plugins (``Harness``), its server a fake ``Answers`` client, its
    events handed to the Socket.IO plugin's dispatcher by that fake server as the requests go."""

    def __init__(self, home: Path) -> None:
        self.h = Harness(home, "http://127.0.0.1:9")
        config = self.h.ctx.config
        # Nothing is waited for: every event is delivered before the run looks for it, and a run whose events
        # were dropped as unusable ends at once (its server "sent nothing").
        config.override("workflow.end_grace_seconds", 0.001)
        config.override("workflow.step_timeout_seconds", 0.001)
        config.override("task.reply_timeout_seconds", 0.001)
        self.socket = self.h.plugin("socketio")

        async def nothing(*args: Any) -> None:  # no Socket.IO connection: the fake server hands its events over
            pass

        self.socket._ensure_connected = nothing
        self.socket._join = nothing
        # Which payloads each command reads, unmutated: a mutation is run through the commands that read it.
        self.reads = {api: {line: self.run(api, PAYLOADS[api], line)[1] for line in COMMANDS[api]} for api in NAMES}

    def run(self, api: str, payloads: dict[str, Any], line: str) -> tuple[str, set[str]]:
        """What one command line printed, and the payloads it read (its answers and events)."""
        return self.h.runner.run(self._run(api, payloads, line))

    async def _run(self, api: str, payloads: dict[str, Any], line: str) -> tuple[str, set[str]]:
        ctx = self.h.ctx
        ctx.config.override("server.api", api)
        http = Answers(api, payloads)
        script = SCRIPT_04 if api == "mojodex-0.4" else SPEC_SCRIPT

        async def emit(key: str) -> None:
            for name in script.get(key, []):
                if name in payloads:
                    http.served.add(name)
                    await self.socket._dispatch(event_name(name), copy.deepcopy(payloads[name]))

        http.on_events = emit
        WAITING.clear()  # each command on its own: no run kept from another example
        ctx.server._http = http  # type: ignore[assignment]
        ctx.server._current = None
        try:
            with captured() as out:
                found = resolve(ctx, line)
                assert found is not None
                status = await asyncio.wait_for(run_async(ctx, *found), 10)
            assert isinstance(status, int) and not isinstance(status, bool)
        finally:
            self.socket.listeners = {}
            ctx.server._http = None
            ctx.server._current = None
            ctx.config.override("server.api", "spec")
        return out.getvalue(), http.served

    def check(self, api: str, name: str, at: Path_, new: Any) -> None:
        """Every command that reads payload ``name`` runs with ``new`` at ``at``: at most a one-line error."""
        payloads = {**PAYLOADS[api], name: replaced(PAYLOADS[api][name], at, new)}
        where = f"{api}: {name} at {list(at)} = {new!r}"
        for line in COMMANDS[api]:
            if name not in self.reads[api][line]:
                continue
            self.h.logged.clear()
            text, _ = self.run(api, payloads, line)
            assert not UNEXPECTED.search(text), f"{where}: `{line}` printed:\n{text}"
            assert "\x1b" not in text, f"{where}: `{line}` printed an escape sequence: {text!r}"
            assert self.h.unexpected() == [], f"{where}: `{line}`: {self.h.unexpected()!r}"


# What the run owner keeps of its runs (``waiting.WaitingRuns``), in memory: the disk's atomic renames would
# cost more than the runs themselves, and the file's own safety is tested apart (test_payload_properties.py).
WAITING: dict[Path, Any] = {}


def _update_json(path: Path, change: Any, **_: Any) -> Any:
    value = change(copy.deepcopy(WAITING.get(path)))
    if value is not None:
        WAITING[path] = json.loads(json.dumps(value))  # what the file would hold
    return value


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shell]:
    from mojodex_workflow import waiting

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(waiting, "update_json", _update_json)
        mp.setattr(waiting.WaitingRuns, "_read", lambda self: copy.deepcopy(WAITING.get(self.path, {})))
        made = Shell(tmp_path_factory.mktemp("home-types"))
        yield made
        made.h.close()


def test_the_payloads_as_they_are_run_every_command(shell: Shell) -> None:
    # The control: unmutated, every command succeeds, the runs go to their end and every payload is read.
    for api in NAMES:
        outputs = {line: shell.run(api, PAYLOADS[api], line)[0] for line in COMMANDS[api]}
        # The 2024 backend lists validated steps only: resumed, its waiting step is due in an event (none here).
        # The assistant of `task run` asks a question first: with --yes, nobody answers it.
        failed = [line for line, text in outputs.items() if "\nerror:" in f"\n{text}"
                  and not (api == "mojodex-2024" and "resume" in line)
                  and not (line.startswith("task run") and "asks a question" in text)]
        assert not failed, {line: outputs[line] for line in failed}
        run = next(line for line in COMMANDS[api] if line.startswith("workflow run"))
        assert "Run finished." in outputs[run] and "blossoms everywhere" in outputs[run], outputs[run]
        unread = set(PAYLOADS[api]) - set().union(*shell.reads[api].values())
        assert not unread, f"{api}: no command reads {unread}"


@pytest.mark.slow
@pytest.mark.parametrize("api", NAMES)
def test_a_container_anywhere_never_breaks_a_command(shell: Shell, api: str) -> None:
    """Every path of every payload holding an object or a list (what cannot be hashed, sorted or joined to a
    text), through every command that reads that payload."""
    for index, (name, at) in enumerate(mutations(api)):
        shell.check(api, name, at, container_for(api, index, name, at))


@settings(BASE, max_examples=examples(100))
@given(data=st.data())
def test_sampled_values_of_other_types_never_break_a_command(shell: Shell, data: st.DataObject) -> None:
    api = data.draw(st.sampled_from(NAMES))
    name, at = data.draw(st.sampled_from(mutations(api)))
    shell.check(api, name, at, data.draw(st.sampled_from(OTHER_TYPES)))
