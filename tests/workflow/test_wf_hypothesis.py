"""Generated input, in-process: command lines through the dispatcher, and malformed server payloads through every
handler of events and answers. Nothing but a MojodexError may come out, nothing unexpected may be logged, and the
shell stays usable."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_budget import examples

from mojodex_core import DIALECTS
from mojodex_core._dialects import _payloads, make
from mojodex_core._dispatch import resolve, run_async
from mojodex_core._errors import BadResponseError, MojodexError, NetworkError, NotFoundError, ServerError
from mojodex_core._events import RunInfo, ServerEvent, StepEvent
from mojodex_core._results import result_lines
from mojodex_core._shell import CommandCompleter
from mojodex_core.testing import make_context
from mojodex_workflow import workflow_row
from mojodex_workflow.run import ServerRun

SID = "sess-1"
STEP = {"user_workflow_step_execution_pk": 7, "workflow_step_pk": 1, "step_name": "stanza_divider",
        "validated": False, "parameter": {"poem_topic": "x"}, "result": [{"stanza_topic": "a"}], "session_id": SID}
EXECUTION = {"workflow_name": "Write poem", "user_workflow_execution_pk": 3, "user_workflow_fk": 1,
             "steps": [{"workflow_step_pk": 1, "step_name": "stanza_divider"},
                       {"workflow_step_pk": 2, "step_name": "stanza_writer"}],
             "validated_steps_executions": [STEP], "session_id": SID,
             "inputs": [{"input_name": "poem_topic", "value": None}]}
WORKFLOWS = {"user_workflows": [{"user_workflow_pk": 1, "workflow_pk": 1, "name": "Write poem", "icon": "🌸",
                                 "description": "d", "inputs_spec": [{"input_name": "poem_topic"}],
                                 "steps": [{"workflow_step_pk": 1, "step_name": "stanza_divider"}]}]}
BASE = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


class Harness:
    """A Context with the built-in plugins, logged in, whose exceptions sent to the debug log are collected."""

    def __init__(self, home: Path, server_url: str) -> None:
        self.ctx = make_context(home, server_url=server_url, api="spec", token="tok", interactive=False)
        self.ctx.config.override("server.timeout", 2.0)
        self.ctx.session.source = "saved"
        self.logged: list[BaseException] = []
        self.ctx.log_exception = self._log  # type: ignore[method-assign]
        self.ctx.hooks.on_exception = self._log
        self.runner = asyncio.Runner()
        self.runner.run(self.ctx.call_hook("mojodex_startup"))

    def _log(self, exc: BaseException, context: str = "") -> None:
        self.logged.append(exc)

    def unexpected(self) -> list[BaseException]:
        return [e for e in self.logged if not isinstance(e, MojodexError)]

    def plugin(self, name: str) -> Any:
        return self.ctx.hooks.records[name].obj

    def close(self) -> None:
        self.runner.run(self.ctx.aclose())
        self.runner.close()


# How the dispatcher and the plugin host word an unexpected exception (a bug), as opposed to a MojodexError.
UNEXPECTED = re.compile(r"\(plugin \w+\) failed: |the shell failed: | failed in mojodex_| failed to list its")


def check_output(h: Harness, text: str) -> None:
    assert text.rstrip().endswith("webapp"), text[-500:]  # the shell still answers
    assert "Traceback" not in text, text
    assert "\x1b" not in text, repr(text)
    assert not UNEXPECTED.search(text), text
    assert h.unexpected() == [], h.unexpected()


@contextlib.contextmanager
def captured() -> Iterator[io.StringIO]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        yield out


# -- 10,000 command lines through the dispatcher ---------------------------------------------------------

# Commands that would change the machine or the shell's own settings for the next examples.
SKIPPED = {("plugins", "install"), ("plugins", "uninstall"), ("plugins", "enable"), ("plugins", "disable"),
           ("config", "set"), ("config", "unset"), ("logout",), ("login",)}
HEADS = ["workflow", "workflow list", "workflow run", "workflow show", "workflow resume", "wl", "wr", "help",
         "help workflow", "config get", "config show", "whoami", "plugins", "workflow run 1", "wr 1"]
ARGS = ["--json", "--yes", "-y", "--input", "-i", "--help", "-h", "1", "0", "-1", "101", "abc", "1.5",
        "99999999999999999999999", "poem_topic=x", "n_stanzas=3", "=", "a=", "=b", "--input=a=b", "''", '"',
        "'", "\\", "\x1b[31m", "\x00", "🌸", "--", "-", "server.url", "workflow.end_grace_seconds"]

command_lines = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda head, args, sep: head + sep + sep.join(args),
        st.sampled_from(HEADS),
        st.lists(st.one_of(st.sampled_from(ARGS), st.text(max_size=8)), max_size=5),
        st.sampled_from([" ", "  ", "\t"]),
    ),
)


class UnreachableApi:
    """The HTTP client of a server that cannot be reached (as the real client reports it), except that the
    workflow list answers, so that completion and `workflow list` have something to show."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        if (method, path) == ("GET", "/user_workflow"):
            return WORKFLOWS
        raise NetworkError(f"cannot reach the Mojodex server at {self.base_url}")

    async def aclose(self) -> None:
        pass

    def close_later(self) -> None:
        pass


@pytest.fixture(scope="module")
def line_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    h = Harness(tmp_path_factory.mktemp("home-lines"), "http://127.0.0.1:9")
    h.ctx.server._http = UnreachableApi(h.ctx.server_url)  # type: ignore[assignment]
    yield h
    h.close()


async def _one_line(h: Harness, line: str) -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    list(CommandCompleter(h.ctx).get_completions(Document(line), CompleteEvent()))  # as if Tab was pressed
    try:
        found = resolve(h.ctx, line)
    except MojodexError:
        found = None  # an unknown command or unbalanced quotes: one line, reported by the shell
    if found is not None and found[0].words not in SKIPPED:
        status = await asyncio.wait_for(run_async(h.ctx, *found), 10)
        assert isinstance(status, int) and not isinstance(status, bool)
    await _still_usable(h)


async def _still_usable(h: Harness) -> None:
    """The shell still answers a plain command (checked on its output: ends with ``webapp``)."""
    found = resolve(h.ctx, "config get server.platform")
    assert found is not None and await run_async(h.ctx, *found) == 0


async def _lines(h: Harness, lines: list[str]) -> None:
    for line in lines:
        await _one_line(h, line)


# 1,000 examples of 10 lines each (200 in the default run, property_budget.py): 10,000 command lines, each
# followed by a check that the shell still answers.
@pytest.mark.slow
@settings(BASE, max_examples=examples(1_000))
@given(lines=st.lists(command_lines, min_size=10, max_size=10))
def test_generated_command_lines_never_escape_the_dispatcher(line_harness: Harness, lines: list[str]) -> None:
    with captured() as out:
        line_harness.runner.run(_lines(line_harness, lines))
    text = out.getvalue()
    check_output(line_harness, text)
    assert text.count("webapp\n") >= len(lines)


# -- 1,000 (by default 200) malformed server payloads through the event and answer handlers ------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=6,
)
odd = st.one_of(json_values, st.sampled_from(["", "\x1b]0;x\x07", 0, -1, True, [], {}, [None], "1", 1.5]))
def mangled(base: dict[str, Any]) -> st.SearchStrategy[Any]:
    """``base`` with some keys dropped or given odd values (nested one level into lists of dicts too)."""

    def mangle(data: Any, drops: list[str], changes: dict[str, Any], deep: bool) -> Any:
        out = {k: v for k, v in base.items() if k not in drops}
        out.update(changes)
        if deep:
            for key, value in list(out.items()):
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    out[key] = [{**value[0], **changes}, data]
        return out

    keys = st.sampled_from(sorted(base))
    return st.builds(mangle, odd, st.lists(keys, max_size=3), st.dictionaries(keys, odd, max_size=3), st.booleans())


payloads = st.one_of(odd, mangled(STEP), mangled(EXECUTION), mangled(WORKFLOWS))
event_payloads = st.one_of(st.just(STEP), mangled(STEP), payloads)  # more of them well-formed enough to go far
EVENTS = ["workflow_step_execution_started", "workflow_step_execution_ended", "workflow_step_execution_invalidated",
          "workflow_execution_produced_text", "error", "user_task_execution_title", "mojo_token", "mojo_message",
          "draft_token", "draft_message", "user_message_reception", "anything_else"]


def event_data(payload: Any, with_session: bool) -> Any:
    if with_session and isinstance(payload, dict):
        return {**payload, "session_id": SID}
    return payload


answers = st.lists(st.one_of(payloads, st.sampled_from(["raise-bad", "raise-500", "raise-404", "raise-net"])),
                   max_size=4)
ERRORS = {"raise-bad": BadResponseError("bad"), "raise-500": ServerError("the server answered 500", 500),
          "raise-404": NotFoundError("not found", 404), "raise-net": NetworkError("away")}


class FakeApi:
    """Stands in for the HTTP client: each request gets the next generated answer (or raises it)."""

    def __init__(self, base_url: str, answers: list[Any]) -> None:
        self.base_url = base_url
        self.answers = list(answers)
        self.sent: list[tuple[str, str]] = []

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.sent.append((method, path))
        answer = self.answers.pop(0) if self.answers else {}
        if isinstance(answer, str) and answer in ERRORS:
            raise ERRORS[answer]
        return answer

    async def aclose(self) -> None:
        pass

    def close_later(self) -> None:
        pass


@pytest.fixture(scope="module")
def payload_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    h = Harness(tmp_path_factory.mktemp("home-payloads"), "http://127.0.0.1:9")
    h.ctx.config.override("workflow.end_grace_seconds", 0.001)

    async def joined(session_id: str) -> None:  # no Socket.IO connection here: joining a room is a no-op
        pass

    h.plugin("socketio")._join = joined
    yield h
    h.close()


def check_pure_handlers(payload: Any) -> None:
    step = _payloads.step(payload, SID)
    assert step is None or (isinstance(step.step_name, str) and (step.result is None or isinstance(step.result, list)))
    for found in _payloads.steps(payload, SID, 3) if isinstance(payload, dict) else []:
        assert isinstance(found, StepEvent) and found.step_execution_pk is not None
    for name in DIALECTS:
        dialect: Any = make(name, None, "0.0.0")  # type: ignore[arg-type]
        with contextlib.suppress(MojodexError):
            run = dialect.run(payload)
            assert run.session_id and run.pk is not None and all(isinstance(s, StepEvent) for s in run.steps)
    items = payload.get("user_workflows") if isinstance(payload, dict) else None
    for item in items if isinstance(items, list) else []:
        info = _payloads.workflow(item, pk_key="user_workflow_pk", name_key="name", icon_key="icon",
                                  description_key="description")
        assert info is None or all(isinstance(cell, str) for cell in workflow_row(info))
    _payloads.inputs(payload)
    for name in EVENTS:
        event = _payloads.event(name, payload)
        assert event is None or isinstance(event, ServerEvent)
        _payloads.ack(name, payload)
    lines = result_lines(payload)
    assert lines[0] == "Results:" and all(isinstance(line, str) and "\x1b" not in line for line in lines)


async def _through_the_shell(h: Harness, events: list[tuple[str, Any]], answers: list[Any], step_names: Any,
                             json_mode: bool, dialect: str) -> None:
    ctx = h.ctx
    ctx.config.override("server.api", dialect)
    api = FakeApi(ctx.server_url, answers)
    ctx.server._http = api  # type: ignore[assignment]
    ctx.server._current = None
    await ctx.server.capabilities()  # the dialect, made once
    socket = h.plugin("socketio")
    names = [n for n in step_names if isinstance(n, str)] if isinstance(step_names, list) else []
    run = ServerRun(ctx, RunInfo(3, SID, "Write poem", step_names=names), assume_yes=True, json_mode=json_mode)
    socket.listeners = {SID: run}
    try:
        for event, data in events:
            await socket._dispatch(event, data)  # the socket plugin's handler: straight to the run's owner
        await socket._rejoin() if answers else None  # a reconnection's catch-up reads a generated run
        run.deliver(ServerEvent("error", "error", SID, text="end of the generated events"))
        with contextlib.suppress(MojodexError):
            status = await asyncio.wait_for(run.drive(), 10)
            assert status in (0, 1)
        # The commands that print what the server says, on generated answers.
        for line in ("workflow list", "workflow list --json", "workflow show 3", "workflow show 3 --json"):
            found = resolve(ctx, line)
            assert found is not None
            assert isinstance(await run_async(ctx, *found), int)
    finally:
        socket.listeners = {}
        ctx.server._http = None
        ctx.server._current = None
        ctx.config.override("server.api", "spec")
    await _still_usable(h)


@pytest.mark.slow
@settings(BASE, max_examples=examples(1_000))
@given(payload=payloads, events=st.lists(st.tuples(st.sampled_from(EVENTS), event_payloads, st.booleans()), max_size=4),
       answers=answers, step_names=st.one_of(st.just(["stanza_divider", "stanza_writer"]), odd),
       json_mode=st.booleans(), dialect=st.sampled_from(DIALECTS))
def test_malformed_payloads_never_break_the_handlers(payload_harness: Harness, payload: Any, events: list[Any],
                                                     answers: list[Any], step_names: Any, json_mode: bool,
                                                     dialect: str) -> None:
    h = payload_harness
    check_pure_handlers(payload)
    with captured() as out:
        h.runner.run(_through_the_shell(h, [(e, event_data(p, s)) for e, p, s in events], answers, step_names,
                                        json_mode, dialect))
    check_output(h, out.getvalue())
