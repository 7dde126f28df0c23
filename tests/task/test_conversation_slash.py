"""The lines typed at ``you>``: slash commands, a typo that must not reach the assistant, ``//`` for a message that
starts with a slash; and the run's title, shown once. Instruct tasks exist on ``mojodex-0.4`` only (the other
dialects have no chat); the workflow's ``you>`` (a question about a rejected step) is asked by 0.4's assistant."""

from __future__ import annotations

from typing import Any

import pytest
from task_helpers import ASSIST, CONFIG, POEM, PROMPT, YOU, clarify_next, messages_sent, task_execution, write_config

from mojodex_task.conversation import chat_line

HINT = "unknown command /foo: the commands are /done, /text, /audio and /help; //foo sends a message starting with /"


@pytest.mark.parametrize(("line", "expected"), [
    ("", ("/done", "")),
    ("  /Done ", ("/done", "")),
    ("/q", ("/done", "")),
    ("/TEXT", ("/text", "")),
    ("/help", ("/help", "")),
    ("make it shorter", ("send", "make it shorter")),
    ("//foo", ("send", "/foo")),
    ("//done", ("send", "/done")),
    ("/foo", ("hint", HINT)),
    ("/foo and more", ("hint", HINT)),
    ("/text now", ("hint", "/text takes no argument; start the line with // to send a message starting with /")),
])
def test_what_a_line_at_you_asks_for(line: str, expected: tuple[str, str]) -> None:
    assert chat_line(line) == expected


def test_unknown_commands_send_nothing_and_a_double_slash_sends_one(mojodex_shell: Any, mojodex_home: Any,
                                                                     srv: Any) -> None:
    write_config(mojodex_home, CONFIG)
    shell = mojodex_shell(server=srv)
    out = shell.run(f"task run {ASSIST}", answers=["a note", "/foo", "/text now", "/help", "//foo", ""])
    assert shell.status == 0, out
    assert HINT in out
    assert "  //...  " in out and "  /text  " in out  # /help lists the commands
    assert messages_sent(srv) == ["/foo"]
    assert "You said: /foo" in out and "(version 2 of run" in out
    assert "Title: " not in out  # the draft's heading is the run's title


def test_the_runs_title_comes_before_a_question_and_once(mojodex_shell: Any, mojodex_home: Any, srv: Any) -> None:
    write_config(mojodex_home, CONFIG)
    shell = mojodex_shell(server=srv)
    clarify_next(srv)
    out = shell.run(f"task run {ASSIST}", answers=["a note", "for the team", ""])
    assert shell.status == 0, out
    title = "General Assistance: a note"
    assert out.index(f"Title: {title}\n") < out.index("Assistant: ") < out.index(f"\n{title}\n\n")
    assert out.count(title) == 2  # the run's title above the question, the draft's heading


def test_the_workflows_you_prompt_follows_the_same_rule(mojodex_shell: Any, mojodex_home: Any, srv: Any) -> None:
    write_config(mojodex_home, CONFIG)
    shell = mojodex_shell(server=srv)
    srv.call(lambda: setattr(srv.server.faults, "clarify_next", True))  # the assistant asks about the rejection
    out = shell.run(f"workflow run {POEM}", answers=["Spring", "1", "n", "make it different", "/foo", "//foo",
                                                     "", ""])
    assert shell.status == 0, out
    assert "unknown command /foo: this question takes an answer, no commands; //foo sends a message starting" in out
    assert messages_sent(srv) == ["make it different", "/foo"]


def test_at_a_terminal_a_typo_sends_nothing_and_the_title_shows_once(srv: Any, open_shell: Any) -> None:
    term = open_shell(srv)
    term.line(f"task run {ASSIST}")
    term.expect("request:")
    term.line("a note")
    term.expect("(version 1 of run 11;")
    assert "Title: " not in term.text  # the rendered draft's bold heading is the one title
    term.expect(YOU, timeout=10)
    term.line("/foo")
    term.expect(HINT)
    term.expect(YOU)
    term.line("//foo")
    term.expect("You said: /foo")
    term.expect("(version 2 of run 11;")
    term.expect(YOU, timeout=10)
    term.ctrl("d")
    term.expect(PROMPT)
    assert messages_sent(srv) == ["/foo"]
    assert len(task_execution(srv, 11)["versions"]) == 2
