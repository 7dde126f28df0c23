"""The example plugin (examples/mojodex-transcript) writes instruct runs too: its two instruct-task hooks, fired by
a real conversation. (The example's own tests are counted by the install test: these live here.)"""

from __future__ import annotations

from typing import Any

import pytest
from task_helpers import ASSIST, CONFIG, clarify_next, write_config

from mojodex_core import ProducedText, RunInfo
from mojodex_transcript import TranscriptPlugin


@pytest.fixture
def shell(mojodex_shell: Any, mojodex_home: Any, srv: Any) -> Any:
    write_config(mojodex_home, CONFIG)
    return mojodex_shell(plugins={"transcript": TranscriptPlugin()}, server=srv)


def test_an_instruct_run_is_written_with_each_version_of_its_draft(shell: Any, srv: Any) -> None:
    clarify_next(srv)  # the assistant asks first

    # The request, the answer to the assistant's question, one change, then an empty line ends the chat.
    out = shell.run(f"task run {ASSIST}", answers=["a note to the team", "for the whole team", "make it shorter", ""])

    assert "(version 2 of run" in out, out
    [path] = (shell.ctx.home / "transcripts").glob("*.md")
    text = path.read_text(encoding="utf-8")
    assert "**Assistant:** [offline demo] Before I write" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Draft, version 1: General Assistance: a note to the team",
                        "## Draft, version 2: General Assistance: a note to the team"]
    assert "You said: make it shorter" in text.split("## Draft, version 2")[1]


def test_the_draft_hooks_write_the_conversation(mojodex_shell: Any) -> None:
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()})
    run = RunInfo(pk=7, session_id="chat-1", name="General Assistance", kind="instruct")

    shell.fire("mojodex_assistant_message", text="Who is it for?", run=run)
    shell.fire("mojodex_draft", draft=ProducedText("Note", "Dear all,\nthanks.", 3, 9, 1), run=run)

    text = shell.run("transcript")
    assert text.startswith("# Run chat-1\n\nAn instruct task's run, first answer on ")
    assert text.endswith("**Assistant:** Who is it for?\n\n## Draft, version 1: Note\n\nDear all,\nthanks.\n")
