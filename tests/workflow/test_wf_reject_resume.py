"""Rejecting a step, leaving a run with Ctrl-C, and picking it up again with `workflow resume`.

Ctrl-C while a step runs is SIGINT from a real terminal in one test; the others run the same shell in this process
(``open_term``, whose Ctrl-C is the same signal while a command runs)."""

from __future__ import annotations

import re

from workflow_helpers import (
    PROMPT,
    QUESTION,
    TOPIC,
    Gate,
    execution,
    step_executions,
    validations,
    wait_server,
)


def start_run(term, ref: str = "1", n: str = "3") -> None:
    term.line(f"workflow run {ref}")
    term.expect("poem_topic: ")
    term.line(TOPIC)
    term.expect("n_stanzas: ")
    term.line(n)


def accept_writers(term, n: int) -> None:
    for _ in range(n):
        term.expect("Step stanza_writer ended\nResults:\n- Stanza:")
        term.expect(QUESTION)
        term.line("")


def test_reject_sends_nothing_then_resume_shows_the_step_again_and_finishes(start_server_thread, open_term):
    srv = start_server_thread(first_pk=101)
    term = open_term(srv)
    start_run(term, "101")
    term.expect("Step stanza_divider ended\nResults:\n")
    term.expect(QUESTION)
    term.line("n")
    term.expect("work in progress")
    term.expect("`workflow resume 101`")
    term.expect(PROMPT)
    # Nothing was posted, the divider waits for validation on the server, and no next step was started.
    assert validations(srv) == []
    [divider] = step_executions(srv, 101)
    assert divider["step_name"] == "stanza_divider" and divider["result"] and not divider["validated"]

    # `workflow show` tells the state of the run: the divider waits (known from the ended event only).
    term.line("workflow show 101")
    term.expect(f'Run 101: Write poem\n  poem_topic = {TOPIC}\n  n_stanzas = 3\n'
                "Step stanza_divider:\n  execution 101: waiting for validation\n    - Stanza 1: ")
    term.expect("Step stanza_writer:\n  not run yet\n")
    term.expect(PROMPT)

    term.line("workflow resume 101")
    term.expect(re.compile(r"Step stanza_divider ended\nResults:\n- Stanza 1: .*\n- Stanza 2: .*\n- Stanza 3: "))
    term.expect(QUESTION)
    term.line("y")
    accept_writers(term, 3)
    term.expect("Run finished.")
    term.expect(PROMPT)

    steps = step_executions(srv, 101)
    assert [s["step_name"] for s in steps] == ["stanza_divider"] + ["stanza_writer"] * 3
    assert all(s["validated"] for s in steps)
    posted = [v.json["user_workflow_step_execution_pk"] for v in validations(srv)]
    assert posted == [s["user_workflow_step_execution_pk"] for s in steps]  # each exactly once, in order
    assert term.text.count("Step stanza_divider ended") == 2  # once when it ended, once on resume
    term.line("workflow show 101")
    term.expect("Step stanza_divider:\n  execution 101: validated\n")
    for pk in (102, 103, 104):
        term.expect(f"  execution {pk}: validated\n    - Stanza:")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0


def test_resume_in_a_later_session_after_a_reject(start_server_thread, open_term, open_shell):
    """The server lists validated steps only: the waiting step is remembered locally across sessions (the first
    one in this process, the later one the `mojodex` script in a terminal)."""
    srv = start_server_thread()
    term = open_term(srv)
    start_run(term, n="2")
    term.expect(QUESTION)
    term.line("n")
    term.expect("work in progress")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0

    term = open_shell(srv)
    term.line("workflow resume 1")
    term.expect("Step stanza_divider ended\nResults:\n- Stanza 1:")
    term.expect(QUESTION)
    term.line("")
    accept_writers(term, 2)
    term.expect("Run finished.")
    term.expect(PROMPT)
    assert all(s["validated"] for s in step_executions(srv, 1))
    assert len(validations(srv)) == 3


def test_ctrl_c_while_a_step_runs_leaves_the_run_waiting_then_resume_completes_it(start_server_thread, open_shell):
    gate = Gate()  # the divider runs until the gate opens
    srv = start_server_thread(generator=gate)
    term = open_shell(srv)
    start_run(term)
    term.expect("Step stanza_divider started")
    term.ctrl("c")
    term.expect("Left run 1 waiting on the server; `workflow resume 1` carries on.")
    term.expect(PROMPT)
    term.line("workflow list")  # the shell goes on
    term.expect("1. 🌸 Write poem")
    term.expect(PROMPT)
    assert validations(srv) == []

    term.line("workflow resume 1")
    term.expect("Run 1: no step waits for validation yet; waiting for the server.")
    gate.open(srv)
    term.expect("Step stanza_divider ended\nResults:\n- Stanza 1:")
    term.expect(QUESTION)
    term.line("")
    accept_writers(term, 3)
    term.expect("Run finished.")
    term.expect(PROMPT)
    assert all(s["validated"] for s in step_executions(srv, 1)) and execution(srv, 1)["finished"]
    assert term.text.count("Step stanza_divider ended") == 1


def test_resume_after_the_step_ended_while_away(start_server_thread, open_term):
    """Ctrl-C while the step runs; the step ends on the server while the shell is at its prompt; resume shows it."""
    gate = Gate()
    srv = start_server_thread(generator=gate)
    term = open_term(srv)
    start_run(term, n="1")
    term.expect("Step stanza_divider started")
    term.ctrl("c")
    term.expect("Left run 1 waiting")
    term.expect(PROMPT)
    gate.open(srv)
    wait_server(srv, lambda: any(e == "workflow_step_execution_ended" for e, _ in srv.server.emitted))

    term.line("workflow resume 1")
    term.expect("Step stanza_divider ended\nResults:\n- Stanza:")
    term.expect(QUESTION)
    term.line("")
    accept_writers(term, 1)
    term.expect("Run finished.")
    term.expect(PROMPT)
    assert all(s["validated"] for s in step_executions(srv, 1)) and execution(srv, 1)["finished"]
