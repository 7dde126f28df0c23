"""A day at the prompt, workflow runs: leaving at the first question, a restart's title, how a run is shown, what
Ctrl-C prints, and an empty instruction. Each user-facing behaviour once in a terminal, on the other dialects it
concerns in this process (``open_term``); the rules under them in process."""

from __future__ import annotations

import re

import pytest
from dialects import DIALECTS, play
from test_wf_dialects import WITH_INSTRUCTION, start
from workflow_helpers import PROMPT, QUESTION, requests, validations

from mojodex_core import RunInfo, StepEvent, input_text, result_lines
from mojodex_workflow.waiting import never_started

# The request that creates a run, per dialect (protocol.md).
CREATE = {"spec": ("POST", "/user_workflow_execution"), "mojodex-2024": ("PUT", "/user_workflow_execution"),
          "mojodex-0.4": ("PUT", "/user_task_execution")}


def answer_inputs(term, topic: str, n: str = "") -> None:
    term.expect("poem_topic: ")
    term.ctrl("u")
    term.line(topic)
    term.expect("n_stanzas: ")
    if n:
        term.ctrl("u")
    term.line(n)


@pytest.mark.parametrize("api", DIALECTS)
def test_ctrl_c_at_the_first_question_leaves_no_run_that_cannot_finish(start_server_thread, open_term, api):
    played = play(start_server_thread, api)
    term = open_term(played.srv, pty=api == "mojodex-0.4")
    term.line(f"workflow run {played.ref}")
    term.expect("poem_topic: ")
    term.ctrl("c")
    if not played.is_04:  # the list gives the inputs: the run is created once they are answered
        term.expect("cancelled")
        term.expect(PROMPT)
        assert requests(played.srv, *CREATE[api]) == []
        return
    # 0.4 gives a task's inputs with a new run only: the run waits for them, and resume asks them.
    pk = term.expect(re.compile(r"Run (\d+) has not started; `workflow resume \1` asks its inputs\.\n")).group(1)
    term.expect(PROMPT)
    term.line(f"workflow show {pk}")
    term.expect(f"Not started: its inputs were never given (`workflow resume {pk}` asks them).")
    term.expect(PROMPT)
    term.line(f"workflow resume {pk}")
    answer_inputs(term, "Spring", "1")
    term.expect(f"Step {played.first} ended")
    term.expect(QUESTION)
    assert len(requests(played.srv, *played.run_path())) == 1
    assert "cancelled" not in term.text


def test_a_restarted_run_is_titled_from_its_new_inputs(start_server_thread, open_shell):
    played = play(start_server_thread, "mojodex-0.4")
    term = open_shell(played.srv)
    term.line(f"workflow run {played.ref}")
    answer_inputs(term, "Spring", "1")
    term.expect("Title: Poem about Spring")
    term.expect(QUESTION)
    term.line("r")
    answer_inputs(term, "Autumn")
    term.expect("Title: Poem about Autumn")  # the server titles the run again, and the shell shows it
    term.expect(QUESTION)
    term.ctrl("c")
    pk = term.expect(re.compile(r"Left run (\d+) waiting")).group(1)
    term.line(f"workflow show {pk}")
    term.expect(f"Run {pk}: Write poem - Poem about Autumn\n")


def test_show_prints_inputs_as_task_show_does_and_keeps_a_stanza_s_lines_indented(start_server_thread,
                                                                                  open_shell):
    played = play(start_server_thread, "mojodex-0.4")  # 0.4 keeps every value as text: "1"
    term = open_shell(played.srv)
    term.line(f"workflow run {played.ref}")
    answer_inputs(term, "Spring", "1")
    term.expect(f"Step {played.first} ended")
    term.expect(QUESTION)
    term.line("")
    term.expect(f"Step {played.second} ended")
    term.expect(QUESTION)
    term.ctrl("c")
    pk = term.expect(re.compile(r"Left run (\d+) waiting on the server; `workflow resume \1` carries on\.\n")).group(1)
    term.expect(PROMPT)
    assert "cancelled" not in term.text  # the line above said what Ctrl-C did
    term.line(f"workflow show {pk}")
    term.expect("  poem_topic = Spring\n  n_stanzas = 1\n")
    term.expect("    - Stanza:\n        [offline demo] A stanza about Spring")  # under its entry, indented
    term.expect(PROMPT)
    term.line(f"task show {pk}")
    term.expect("  poem_topic = Spring\n  n_stanzas = 1\n")
    term.expect("    - Stanza:\n        [offline demo] A stanza about Spring")


@pytest.mark.parametrize("api", WITH_INSTRUCTION)
def test_an_empty_instruction_asks_about_the_step_again(start_server_thread, open_term, api):
    played = play(start_server_thread, api)
    term = open_term(played.srv, pty=api == "mojodex-2024")
    start(term, played, "1")
    term.expect(QUESTION)
    term.line("n")
    term.expect("What should change? ")
    term.line("")
    term.expect(QUESTION)  # back at the question: the run goes on
    term.line("")
    term.expect(f"Step {played.second} started")
    assert "work in progress" not in term.text
    assert [v.json["validated"] for v in validations(played.srv)] == [True]
    assert requests(played.srv, "PUT", "/user_message") == []


# -- the rules under them ------------------------------------------------------------------------------------------


def test_input_text_is_plain_and_quotes_only_what_plain_text_would_hide():
    assert [input_text(v) for v in ("Spring", "3", 3, 2.5, True, None, ["a", 1])] == [
        "Spring", "3", "3", "2.5", "true", "null", '["a", 1]']
    assert [input_text(v) for v in ("", " padded ", "two\nlines", "tab\there")] == [
        '""', '" padded "', '"two\\nlines"', '"tab\\there"']
    assert input_text("\x1b[31mred") == '"\\u001b[31mred"'  # shown, never interpreted
    assert input_text("x" * 300, 20) == "x" * 19 + "…"


def test_result_lines_are_one_screen_line_each():
    lines = result_lines([{"stanza": "one\ntwo"}, {"stanza": "three"}])
    assert lines == ["Results:", "- Stanza 1:", "    one", "    two", '- Stanza 2: "three"']


def _run(values: dict, steps: list | None = None) -> RunInfo:
    return RunInfo(pk=1, session_id="s", values=values, steps=steps or [])


def test_never_started_reads_the_server_and_the_shell_s_own_note():
    step = StepEvent("s", "stanza_divider", 7, None, "server")
    assert never_started(_run({"poem_topic": None, "n_stanzas": None}), {})
    assert not never_started(_run({"poem_topic": "Spring", "n_stanzas": 3}), {})
    # The 2024 backend fills defaults in at creation: only the shell's note tells such a run apart.
    assert never_started(_run({"poem_topic": "Spring", "n_stanzas": 3}), {"inputs_pending": True})
    assert not never_started(_run({"poem_topic": None}, [step]), {"inputs_pending": True})
    assert not never_started(_run({}), {})
