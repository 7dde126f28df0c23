"""Faults and bad input: each one clear line, no traceback, and the shell goes on.

The faults of the server's answers are shown by the shell in this process (``open_term``); a real terminal
(``open_shell``) keeps what it alone shows: the escape sequences that reach it, a login asked mid-run, warnings
printed while a run streams, and one of the bad execution answers."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from workflow_helpers import (
    EXECUTION_PATH,
    PROMPT,
    QUESTION,
    Gate,
    accept_the_poem,
    execution,
    many_topics,
    requests,
    set_faults,
    step_executions,
    validations,
)

N_TOPICS = 49  # 1 divider + 49 writers: 50 step executions, 100 step events


def check_every_step_once(srv, out: str, pk: int = 1) -> None:
    assert out.count("Step stanza_divider started") == out.count("Step stanza_divider ended") == 1
    assert out.count("Step stanza_writer started") == N_TOPICS, out[-3000:]
    assert out.count("Step stanza_writer ended") == N_TOPICS
    assert out.count("Results:") == N_TOPICS + 1
    steps = step_executions(srv, pk)
    assert len(steps) == N_TOPICS + 1 and all(s["validated"] for s in steps)
    posted = sorted(v.json["user_workflow_step_execution_pk"] for v in validations(srv))
    assert posted == sorted(s["user_workflow_step_execution_pk"] for s in steps)  # each exactly once
    assert execution(srv, pk)["finished"]


@pytest.mark.slow
def test_socket_dropped_20_times_in_a_50_step_run_loses_and_repeats_nothing(start_server_thread, one_shot):
    """The server cuts every Socket.IO connection after every 5th event; it lists the step execution waiting
    for validation in its execution JSON (``current_step_execution``, as the specification's API does), so what
    ended while the shell was away is caught up over HTTP."""
    srv = start_server_thread(api="spec", generator=many_topics(N_TOPICS))
    set_faults(srv, drop_socket_every=5)
    proc = one_shot(srv, "workflow", "run", "1", "--input", "poem_topic=x", "--input", "n_stanzas=3", "--yes",
                    timeout=90)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    check_every_step_once(srv, proc.stdout)
    drops = srv.call(lambda: len(srv.server.emitted)) // 5  # every event of a workflow run goes to its room
    connects = [c for c in srv.call(lambda: list(srv.server.connections)) if c[0] == "connect"]
    assert drops >= 20 and len(connects) >= 20  # it reconnected after (nearly) every drop


@pytest.mark.slow
def test_socket_dropped_by_a_backend_that_lists_validated_steps_only(start_server_thread, one_shot):
    """Against a server like the backend (validated steps only in its JSON), events are the only news of a
    step: here each step ends once the shell is back in the run's room, so no event is emitted to nobody."""
    holder: dict[str, object] = {}
    topics = many_topics(N_TOPICS)

    async def after_rejoin(step_name, parameter):
        server: Any = holder["server"]
        session_id = server.stored_run(1)["session_id"]
        await server.wait_until(lambda: server.room_size(session_id), 20)
        return await topics(step_name, parameter)

    srv = start_server_thread(generator=after_rejoin)
    holder["server"] = srv.server
    set_faults(srv, drop_socket_every=5)
    proc = one_shot(srv, "workflow", "run", "1", "--input", "poem_topic=x", "--input", "n_stanzas=3", "--yes",
                    timeout=90)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    check_every_step_once(srv, proc.stdout)


def test_http_faults_on_the_list_are_one_line_each_and_the_shell_goes_on(start_server_thread, open_term):
    srv = start_server_thread()
    term = open_term(srv)
    expected = {
        "fail_next": "the server answered 500: Internal error",
        "garbage_next": "not valid JSON",
        "truncate_next": "not valid JSON",
    }
    for knob, message in expected.items():
        srv.call(getattr(srv.server.faults, knob), "/user_workflow")
        term.line("workflow list")
        found = term.expect(message)
        line = term.text[term.text.rfind("\n", 0, found.start()) + 1: term.text.find("\n", found.end())]
        assert line.startswith("error: "), line
        term.expect(PROMPT)
        term.line("workflow list")
        term.expect("1. 🌸 Write poem")
        term.expect(PROMPT)
    assert [r.fault for r in requests(srv, "GET", "/user_workflow")] == [
        "fail", None, "garbage", None, "truncate", None]


@pytest.mark.parametrize("knob", ["fail_next", "garbage_next", "truncate_next"])
def test_a_bad_answer_to_the_execution_get_mid_run_falls_back_on_the_event(start_server_thread, open_term, knob):
    """The ended event carries the result too (protocol.md): one bad GET does not stop the run."""
    gate = Gate()
    srv = start_server_thread(generator=gate)
    term = open_term(srv, pty=knob == "fail_next")
    term.line("workflow run 1 --input poem_topic=Spring --input n_stanzas=1")
    term.expect("Step stanza_divider started")
    srv.call(getattr(srv.server.faults, knob), EXECUTION_PATH)  # the next one is the GET on the step's end
    gate.open(srv)
    term.expect('Step stanza_divider ended\nResults:\n- Stanza: "[offline demo] Spring')
    accept_the_poem(term)
    gets = requests(srv, "GET", EXECUTION_PATH)
    assert gets[0].fault is not None and all(g.fault is None for g in gets[1:])
    assert all(s["validated"] for s in step_executions(srv, 1))


def test_500_on_a_validation_is_one_line_and_resume_carries_on(start_server_thread, open_term):
    srv = start_server_thread()
    term = open_term(srv)
    srv.call(srv.server.faults.fail_next, "/user_workflow_step_execution")
    term.line("workflow run 1 --input poem_topic=Spring --input n_stanzas=1")
    term.expect(QUESTION)
    term.line("")
    term.expect("error: the server answered 500: Internal error\n")
    term.expect(PROMPT)
    term.line("workflow resume 1")
    term.expect("Step stanza_divider ended\nResults:")
    accept_the_poem(term)
    assert [v.status for v in validations(srv)] == [500, 200, 200]
    assert all(s["validated"] for s in step_executions(srv, 1))


def test_bad_arguments_and_unknown_pks_are_one_line_each(start_server_thread, open_term):
    srv = start_server_thread(first_pk=101)
    term = open_term(srv)
    cases = [
        ("workflow run abc", "error: no workflow 'abc'"),
        ("workflow run 999", "error: workflow 999 not found"),
        ("workflow show 999", "error: run 999 not found"),
        ("workflow show abc", "error: RUN must be a number"),
        ("workflow resume 999", "error: run 999 not found"),
        ("workflow resume abc", "error: no run 'abc' to resume"),
        ("workflow run", "error:"),
        ("workflow run 101 --input novalue", "error: --input takes name=value"),
        ("workflow run 101 --input color=red", "error: workflow 101 has no input 'color'"),
        ("workflow frobnicate", "error: unknown command"),
    ]
    for line, message in cases:
        term.line(line)
        # exactly one line, an error, then the prompt again
        shown = term.expect(re.compile(r"\n(error: [^\n]*)\nmojodex> "))
        assert shown.group(1).startswith(message), (line, shown.group(1))
    term.line("workflow list")
    term.expect("101. 🌸 Write poem")
    term.expect(PROMPT)
    # An unknown input name is refused before anything is created on the server.
    # (GET /user_task is the dialect detection's second question: a spec server has no such route.)
    assert [r.status for r in srv.requests if r.status != 200 and r.path != "/user_task"] == [404, 404, 404]
    created = [r.json["user_workflow_pk"] for r in srv.requests
               if r.method == "POST" and r.path == "/user_workflow_execution"]
    assert created == [999]  # `workflow run 999` only: the 404


def test_expired_token_mid_run_asks_to_log_in_again_and_the_run_goes_on(start_server_thread, open_shell):
    gate = Gate()
    srv = start_server_thread(generator=gate)
    term = open_shell(srv)
    term.line("workflow run 1 --input poem_topic=Spring --input n_stanzas=2")
    term.expect("Step stanza_divider started")
    srv.expire_tokens()
    gate.open(srv)
    term.expect("Step stanza_divider ended\n")
    term.expect("Your login has expired or is no longer valid; please log in again.")
    term.expect("Username:")
    term.line("demo@example.com")
    term.expect("Password:")
    term.line("demo")
    term.expect("Welcome, Demo User.")
    term.expect("Results:\n- Stanza 1:")
    accept_the_poem(term, stanzas=2)
    assert all(s["validated"] for s in step_executions(srv, 1)) and len(step_executions(srv, 1)) == 3
    statuses = [r.status for r in requests(srv, "GET", EXECUTION_PATH)]
    assert statuses[0] == 403 and all(s == 200 for s in statuses[1:])


def test_expired_token_mid_run_exits_1_in_one_shot(start_server_thread, one_shot):
    gate = Gate()
    srv = start_server_thread(generator=gate)
    token = srv.token_for()

    def expire_then_open() -> None:
        srv.server.expire_tokens()
        gate.event.set()

    async def when_started() -> None:
        await srv.server.wait_until(lambda: srv.server.emitted, 20)
        expire_then_open()

    waiter = threading.Thread(target=lambda: srv.call(when_started, timeout=30))
    waiter.start()
    proc = one_shot(srv, "workflow", "run", "1", "--input", "poem_topic=x", "--input", "n_stanzas=1", "--yes",
                    token=token)
    waiter.join(30)
    assert proc.returncode == 1
    assert "expired or invalid" in proc.stderr and "MOJODEX_TOKEN" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert validations(srv) == []


def test_server_text_is_printed_without_control_sequences(start_server_thread, open_shell):
    async def nasty(step_name, parameter):
        return [{"stanza_topic": "\x1b[2J\x1b]0;pwned\x07Clean\x1b[31m text\x1b[0m\r"}]

    srv = start_server_thread(generator=nasty)
    wf = srv.call(srv.server.add_workflow, "\x1b[31mRed\x1b]0;title\x07", "\x1b[5m🔥", "desc\x1b[1A\x1b[2K")
    term = open_shell(srv)
    term.line("workflow list")
    term.expect(f"{wf}. 🔥 Red - desc\n")
    term.expect(PROMPT)
    term.line(f"workflow run {wf} --input poem_topic=x --input n_stanzas=1")
    term.expect('Results:\n- Stanza: "Clean text"')
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    for sequence in ("\x1b[31m", "\x1b]0;", "\x1b[2J", "\x1b[5m", "\x1b[1A", "\x1b[2K", "pwned", "title"):
        assert sequence not in term.raw


def test_wrong_fields_in_the_servers_payloads_are_one_line(start_server_thread, open_term):
    """A step result that is not a list, and an execution without a session_id."""

    async def odd(step_name, parameter):
        return [{"stanza_topic": {"nested": [1, 2]}}, 42, None, "text"]

    srv = start_server_thread(generator=odd)
    term = open_term(srv)
    term.line("workflow run 1 --input poem_topic=x --input n_stanzas=1")
    term.expect("Results:\n")
    term.expect('- Stanza 1: "{"nested": [1, 2]}"\n- Result 2: "42"\n- Result 3: "null"\n- Result 4: "text"')
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)

    original = srv.server.dialect.execution_json

    def without_session(pk):
        data = original(pk)
        data.pop("session_id")
        data["steps"] = "not a list"
        return data

    srv.call(lambda: setattr(srv.server.dialect, "execution_json", without_session))
    term.line("workflow run 1")
    for name, value in (("poem_topic", "Spring"), ("n_stanzas", "1")):  # asked before the run is created
        term.expect(f"{name}: ")
        term.line(value)
    term.expect("error: the server's run has no session_id\n")
    term.expect(PROMPT)
    term.line("workflow show 1")
    term.expect("error: the server's run has no session_id\n")
    term.expect(PROMPT)


def test_malformed_events_and_list_entries_are_skipped_with_one_line(start_server_thread, open_shell):
    gate = Gate()
    srv = start_server_thread(generator=gate)
    original = srv.server.dialect.user_workflows

    def odd_entries(user_pk, limit, offset):
        good = original(user_pk, limit, offset)
        return ["junk", {"user_workflow_pk": None, "name": "no pk"}, {"user_workflow_pk": 5, "name": 7},
                {"user_workflow_pk": True, "name": "a bool pk"}, *good]

    srv.call(lambda: setattr(srv.server.dialect, "user_workflows", odd_entries))
    term = open_shell(srv)
    term.line("workflow list")
    shown = term.expect(re.compile(r"\n(.*)\nmojodex> "))
    assert shown.group(1) == "1. 🌸 Write poem - Write a poem stanza by stanza"  # the only usable entry

    term.line("workflow run 1 --input poem_topic=x --input n_stanzas=1")
    term.expect("Step stanza_divider started")
    session_id = execution(srv, 1)["session_id"]
    for bad in ({"session_id": session_id, "step_name": 5}, {"session_id": session_id},
                {"session_id": session_id, "step_name": "stanza_divider", "result": "not a list",
                 "user_workflow_step_execution_pk": [1]}):
        srv.call(srv.server.emit_to_room, "workflow_step_execution_ended", bad, session_id)
    srv.call(srv.server.emit_to_room, "workflow_step_execution_ended", "not even a dict", session_id)
    srv.call(srv.server.emit_to_room, "some_future_event", {"session_id": session_id, "x": 1}, session_id)
    for _ in range(4):  # with one run followed, even a payload that names no session is taken as its
        term.expect("warning: ignored a malformed workflow_step_execution_ended event from the server\n")
    gate.open(srv)
    for name in ("stanza_divider", "stanza_writer"):
        term.expect(f"Step {name} ended")
        term.expect(QUESTION)
        term.line("")
    term.expect("Run finished.")
    term.expect(PROMPT)
    assert all(s["validated"] for s in step_executions(srv, 1))
    assert term.text.count("Step stanza_divider ended") == 1 and term.text.count("warning:") == 4
