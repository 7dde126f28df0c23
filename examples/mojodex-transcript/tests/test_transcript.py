"""The plugin's tests, with the fixtures Mojodex ships for plugin authors (mojodex_core.testing).

``mojodex_server``: a reference Mojodex server on 127.0.0.1 speaking Mojodex 0.4 (the demo user; tasks 1, the
"Write poem" workflow, and 2, "General Assistance", an instruct task); ``@pytest.mark.mojodex_server(api="spec")``
gives a test a server of another dialect.
``mojodex_shell(plugins=..., server=...)``: a shell with the built-in plugins and yours, logged in; ``run(line,
answers=[...])`` returns what the line printed; ``fire_step``/``fire`` call hooks as the shell would.
"""

from __future__ import annotations

import stat

import pytest
from mojodex_core import ProducedText, RunInfo, StepEvent

from mojodex_transcript import TranscriptPlugin

# Write poem asks for a topic and a number of stanzas, then each step waits for a yes.
POEM = ["Spring", "2"]


def step(session_id: str = "run-1", name: str = "stanza_divider", pk: int = 1) -> StepEvent:
    return StepEvent(session_id, name, pk, [{"stanza": f"a stanza from {name}"}], "server")


def test_a_write_poem_run_is_written_as_markdown(mojodex_shell, mojodex_server):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()}, server=mojodex_server)

    out = shell.run("workflow run 1", answers=[*POEM, "y", "y", "y"])

    assert "Run finished." in out, out
    [path] = (shell.ctx.home / "transcripts").glob("*.md")
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Step 1: Stanza topics", "## Step 2: Write stanza", "## Step 3: Write stanza",
                        "## Poem about Spring"]  # the run's title, as the shell shows it
    # Every result line the user validated on screen is in the file.
    shown = [line for line in out.splitlines() if line.startswith("- Stanza")]
    assert len(shown) == 4 and all(line in text for line in shown)
    assert shell.run("transcript") == text
    assert shell.run("transcript --path").strip() == str(path)


def test_a_rejected_step_is_not_written_and_the_redone_one_is(mojodex_shell, mojodex_server):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()}, server=mojodex_server)

    # The second step is rejected with an instruction ("n", then what should change): the server does it again.
    out = shell.run("workflow run 1", answers=[*POEM, "y", "n", "shorter", "y", "y"])

    assert "Run finished." in out, out
    text = shell.run("transcript")
    assert text.count("## Step 2: Write stanza") == 1
    assert "(as asked: shorter)" in text.split("## Step 2")[1].split("## Step 3")[0]


@pytest.mark.mojodex_server(api="spec")  # the specification's dialect: a rejection ends the run
def test_on_a_spec_server_a_rejected_step_is_not_written(mojodex_shell, mojodex_server):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()}, server=mojodex_server)

    out = shell.run("workflow run 1", answers=[*POEM, "y", "n"])

    assert "Rejecting a step is work in progress" in out, out
    text = shell.run("transcript")
    assert "## Step 1: stanza_divider" in text
    assert "## Step 2" not in text


def test_an_instruct_task_run_is_written_with_its_draft(mojodex_shell, mojodex_server):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()}, server=mojodex_server)

    # General Assistance asks what you need, writes a draft, then chats: an empty line ends the conversation.
    out = shell.run("task run 2", answers=["a thank-you note", ""])

    assert "(version 1 of run" in out, out
    text = shell.run("transcript")
    assert "## Draft, version 1: General Assistance: a thank-you note" in text
    assert "[offline demo] a first version" in text


def test_nothing_is_written_before_a_step_is_validated(mojodex_shell):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()})

    shell.fire_step("ended", step())

    assert not (shell.ctx.home / "transcripts").exists()
    out = shell.run("transcript")
    assert out == ("error: no transcript yet: it is written when you validate a step of a workflow run, or when the "
                   "assistant of a task answers\n")
    assert shell.status == 1


def test_a_resumed_run_carries_on_the_transcript_of_an_earlier_shell(mojodex_shell):
    first = mojodex_shell(plugins={"transcript": TranscriptPlugin()})
    first.fire_step("validated", step(pk=1))
    later = mojodex_shell(plugins={"transcript": TranscriptPlugin()})

    later.fire_step("validated", step(name="stanza_writer", pk=2))
    later.fire("mojodex_run_ended", run=RunInfo(1, "run-1", produced=ProducedText("My poem", "The end.")),
               status="finished")

    text = later.run("transcript")
    assert "## Step 1: stanza_divider" in text and "## Step 2: stanza_writer" in text
    assert text.rstrip().endswith("## My poem\n\nThe end.")


def test_a_session_id_from_the_server_cannot_leave_the_folder(mojodex_shell):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()})

    shell.fire_step("validated", step(session_id="../../outside"))

    [path] = (shell.ctx.home / "transcripts").iterdir()
    assert path.name == "______outside.md"


def test_a_transcript_that_cannot_be_written_is_one_warning(mojodex_shell):
    shell = mojodex_shell(plugins={"transcript": TranscriptPlugin()})
    (shell.ctx.home / "transcripts").write_text("a file where the folder should be")

    out = shell.fire_step("validated", step())

    assert out.startswith("warning: plugin transcript: cannot write the transcript ")
    assert len(out.splitlines()) == 1 and "Traceback" not in out
