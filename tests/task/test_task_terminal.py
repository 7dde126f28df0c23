"""Instruct tasks as a person uses them: a 0.4 reference server on 127.0.0.1, and what the server received. What
the terminal shows (the draft drawn in place of its stream, how much is written, Ctrl-C while the draft streams)
runs in the real `mojodex` script in a pseudo-terminal (120x24, ``open_shell``); the conversations' flow and the
commands' output run the same shell in this process (``open_term``)."""

from __future__ import annotations

import re
from typing import Any

from task_helpers import (
    ASSIST,
    MINUTES,
    PROMPT,
    YOU,
    add_runs,
    clarify_next,
    draft_text,
    messages_sent,
    pending_acks,
    resent,
    task_execution,
    wait_acked,
    wait_server,
)

FIRST_RUN = 11  # the server's pks start at 11


def start_run(term: Any, line: str = f"task run {ASSIST}", request: str = "a thank-you note") -> None:
    term.line(line)
    term.expect("request:")
    term.line(request)


def test_a_draft_streams_and_two_messages_bring_two_more_versions(srv: Any, open_term: Any) -> None:
    term = open_term(srv)
    start_run(term)
    term.expect(f"Run {FIRST_RUN} started: General Assistance.")
    term.expect("General Assistance: a thank-you note")
    term.expect("[offline demo] a first version of your general assistance")
    term.expect(f"(version 1 of run {FIRST_RUN};")
    term.expect(YOU, timeout=10)

    term.line("make it shorter")
    term.expect("You said: make it shorter")
    term.expect(f"(version 2 of run {FIRST_RUN};")
    term.expect(YOU, timeout=10)
    term.line("now in French")
    term.expect("You said: now in French")
    term.expect(f"(version 3 of run {FIRST_RUN};")
    term.expect(YOU, timeout=10)
    term.line("")
    term.expect(f"Run {FIRST_RUN} stays on the server: `task text {FIRST_RUN}` prints its text")
    term.expect(PROMPT)

    assert messages_sent(srv) == ["make it shorter", "now in French"]
    versions = task_execution(srv, FIRST_RUN)["versions"]
    assert len(versions) == 3
    wait_acked(srv, 3)
    assert resent(srv) == [] and pending_acks(srv) == []  # every draft_message acknowledged, nothing sent twice
    term.line("exit")
    assert term.wait_exit() == 0


def test_the_finished_draft_is_rendered_in_place_of_the_stream(srv: Any, open_shell: Any) -> None:
    term = open_shell(srv)
    start_run(term)
    term.expect(f"(version 1 of run {FIRST_RUN};")
    term.expect(YOU, timeout=10)
    shown = term.raw[term.raw.index("Run 11 started"):]
    # The streamed rows are erased (cursor up, clear to the end of the screen), then the draft is drawn (its title
    # plain: the tests' terminals have NO_COLOR).
    assert re.search(r"\x1b\[\d+A\r\x1b\[JGeneral Assistance: a thank-you note", shown), shown[-2000:]
    term.ctrl("d")
    term.expect(PROMPT)


def test_plain_shows_the_stream_as_the_draft(srv: Any, open_shell: Any) -> None:
    term = open_shell(srv)
    start_run(term, f"task run {ASSIST} --plain")
    term.expect(f"(version 1 of run {FIRST_RUN};")
    term.expect(YOU, timeout=10)
    shown = term.raw[term.raw.index("Run 11 started"):]
    title, body = draft_text(srv, FIRST_RUN)
    assert not re.search(r"\x1b\[\d+A\r\x1b\[J", shown) and shown.count(title) == 1  # the draft's heading only
    assert body.replace("\n", "\r\n") in shown
    term.line("/done")
    term.expect(PROMPT)


def test_a_question_is_streamed_then_answered_then_the_draft_comes(srv: Any, open_term: Any) -> None:
    term = open_term(srv)
    term.line(f"task run {MINUTES}")
    term.expect("meeting_topic:")
    term.line("budget")
    clarify_next(srv)
    term.expect("attendees:")
    term.line("Ann, Bob")
    term.expect("notes:")
    term.line("we spend less")
    term.expect("Assistant: [offline demo] Before I write the meeting minutes: who is it for, and what matters most?")
    term.expect(YOU, timeout=10)
    term.line("for the board")
    term.expect("Meeting minutes: budget")
    term.expect("You said: for the board")
    term.expect(f"(version 1 of run {FIRST_RUN};")
    term.expect(YOU)
    term.line("/done")
    term.expect(PROMPT)
    wait_acked(srv, 2)  # the question's mojo_message and the draft_message
    assert {event for event, _ in srv.call(lambda: list(srv.server.recorder.acks))} == {"mojo_message",
                                                                                        "draft_message"}
    assert resent(srv) == []


def test_ctrl_c_while_the_draft_streams_stops_showing_it_and_the_shell_goes_on(task_server: Any,
                                                                              open_shell: Any) -> None:
    srv = task_server(draft_tokens=400)
    srv.call(setattr, srv.server.faults, "hold_streams_after", 100)  # mid-draft until the test lets it go on
    term = open_shell(srv)
    start_run(term)
    term.expect("[offline demo] a first version")
    term.expect("This paragraph stands")
    term.ctrl("c")
    term.expect(f"Stopped showing run {FIRST_RUN}; the assistant carries on on the server: `task resume "
                f"{FIRST_RUN}` reopens the conversation.")
    term.expect(PROMPT)
    term.line("help task")
    term.expect("task runs")
    term.expect(PROMPT)
    srv.call(srv.server.faults.release_streams)

    # The run went on: its draft came, and was acknowledged although nobody watched any more.
    wait_server(srv, lambda: srv.server.recorder.acks, timeout=20)
    wait_acked(srv, 1)
    assert resent(srv) == []
    term.line(f"task text {FIRST_RUN}")
    term.expect("# General Assistance: a thank-you note")
    term.expect(PROMPT)
    assert "(version 1 of run" not in term.text  # nothing of the stopped run was shown after Ctrl-C


def test_a_long_draft_is_written_incrementally(task_server: Any, open_shell: Any) -> None:
    srv = task_server(draft_tokens=4000)
    term = open_shell(srv)
    start_run(term)
    term.expect(f"(version 1 of run {FIRST_RUN};", timeout=30)
    title, body = draft_text(srv, FIRST_RUN)
    final = len(title) + 2 + len(body)
    start = term.raw.index(f"Run {FIRST_RUN} started")
    end = term.raw.index(f"(version 1 of run {FIRST_RUN};")
    written = len(term.raw[start:end])
    # Each token carries the whole text (4,000 tokens of ~25 kB: re-printing it would be ~50 MB). What reaches the
    # terminal is the text once (the draft is longer than the screen: it is not rendered again), plus a little.
    assert final > 20_000
    assert final <= written < final * 1.1 + 500, (written, final)
    term.expect(YOU)
    term.ctrl("d")
    term.expect(PROMPT)


def test_task_runs_pages_through_more_than_fifty_runs(srv: Any, open_term: Any) -> None:
    old = add_runs(srv, 55)
    term = open_term(srv)
    term.line("task runs")
    term.expect("More runs? (Y/n)")
    term.line("")
    term.expect("More runs? (Y/n)")
    term.line("y")
    term.expect(PROMPT)
    lines = [line for line in term.text.splitlines() if re.match(r"\d+ +\d{4}-\d\d-\d\d \d\d:\d\d  💡 ", line)]
    assert [int(line.split()[0]) for line in lines] == sorted(old, reverse=True)
    assert re.search(r"Old run 54  General Assistance  no text yet$", lines[0]), lines[0]
    offsets = [r.query.get("offset") for r in srv.requests if r.path == "/user_task_execution" and r.method == "GET"]
    assert offsets == ["0", "50"]  # the server's second page was read when it was needed


def test_task_show_and_task_text_output_after_a_conversation(srv: Any, open_term: Any, tmp_path: Any) -> None:
    term = open_term(srv)
    start_run(term)
    term.expect(YOU, timeout=10)
    term.line("shorter")
    term.expect(f"(version 2 of run {FIRST_RUN};")
    term.expect(YOU)
    term.line("")
    term.expect(PROMPT)

    term.line(f"task show {FIRST_RUN}")
    term.expect(f"Run {FIRST_RUN}: 💡 General Assistance (instruct) - General Assistance: a thank-you note")
    term.expect("request = a thank-you note")
    term.expect("Conversation:")
    term.expect("assistant: [draft] General Assistance: a thank-you note")
    term.expect("you: shorter")
    term.expect("Produced text, version 2:")
    term.expect("You said: shorter")
    term.expect(PROMPT)

    target = tmp_path / "note.md"
    term.line(f"task text {FIRST_RUN} --output {target} --version 1")
    term.expect(f"Wrote {target}.")
    term.expect(PROMPT)
    title, body = draft_text(srv, FIRST_RUN, 0)
    assert target.read_text(encoding="utf-8") == f"# {title}\n\n{body.strip()}\n"


def test_task_resume_reopens_the_conversation(srv: Any, open_term: Any) -> None:
    term = open_term(srv)
    start_run(term)
    term.expect(YOU, timeout=10)
    term.line("/done")
    term.expect(PROMPT)
    term.line(f"task resume {FIRST_RUN}")
    term.expect(f"Run {FIRST_RUN}: General Assistance\n")  # the draft's heading is the run's title: shown once
    term.expect("General Assistance: a thank-you note")
    term.expect(f"(version 1 of run {FIRST_RUN})")
    term.expect(YOU)
    term.line("add a PS")
    term.expect("You said: add a PS")
    term.expect(f"(version 2 of run {FIRST_RUN};")
    term.expect(YOU)
    term.ctrl("d")
    term.expect(PROMPT)
    wait_acked(srv, 2)
    assert resent(srv) == []


def test_ctrl_c_at_the_first_input_leaves_a_run_that_resume_starts(srv: Any, open_term: Any) -> None:
    term = open_term(srv)
    term.line(f"task run {ASSIST}")
    term.expect("request:")
    term.ctrl("c")
    left = term.expect(f"Run {FIRST_RUN} has not started; `task resume {FIRST_RUN}` asks its inputs.")
    term.expect(PROMPT)
    assert "cancelled" not in term.text[left.end():]
    term.line(f"task show {FIRST_RUN}")
    term.expect(f"Run {FIRST_RUN} has not started")
    term.expect(PROMPT)
    term.line(f"task resume {FIRST_RUN}")
    term.expect("request:")
    term.line("a thank-you note")
    term.expect(f"(version 1 of run {FIRST_RUN};", timeout=10)
    term.expect(YOU)
    term.line("/done")
    term.expect(PROMPT)
