"""How drafts stream, and how drafts and runs read (no server, no terminal)."""

from __future__ import annotations

import pytest
from recording_screen import RecordingScreen

from mojodex_core import ProducedText, RunInfo, WorkflowInfo
from mojodex_task import render
from mojodex_task.commands import run_date, run_row, task_row
from mojodex_task.stream import DraftStream


def test_a_draft_streams_its_title_then_a_blank_line_then_its_body() -> None:
    screen = RecordingScreen()
    draft = DraftStream(screen)
    draft.update("Note", "")
    draft.update("Note to the team", "")
    draft.update("Note to the team", "Dear")
    draft.update("Note to the team", "Dear all, thanks.")
    assert draft.finish("Note to the team", "Dear all, thanks.")
    draft.end()
    assert screen.shown == "Note to the team\n\nDear all, thanks.\n"


def test_a_draft_whose_title_changes_while_its_body_streams_is_not_shown_exactly() -> None:
    screen = RecordingScreen()
    draft = DraftStream(screen)
    draft.update("Note", "Dear all")
    draft.update("Memo", "Dear all, thanks")
    assert not draft.finish("Memo", "Dear all, thanks")
    assert screen.shown.count("Dear all") == 1


def test_a_draft_whose_tokens_never_came_is_written_whole_by_finish() -> None:
    screen = RecordingScreen()
    assert DraftStream(screen).finish("Title", "Body")
    assert screen.shown == "Title\n\nBody"


def test_draft_height_is_what_erasing_it_takes() -> None:
    screen = RecordingScreen(terminal=True, columns=10)
    draft = DraftStream(screen)
    draft.update("T", "")
    draft.update("T", "b" * 15)
    draft.end()
    assert draft.height == 1 + 1 + 2  # the title, the blank line, the body on two rows


def test_markdown_file_of_a_draft() -> None:
    assert render.markdown(ProducedText("My \x1b[31mtitle", "Body\x07 text\n\n")) == "# My title\n\nBody text\n"
    assert render.markdown(ProducedText("", "Body"), "Fallback") == "# Fallback\n\nBody\n"


def test_line_breaks_of_a_draft_stay_line_breaks_when_rendered() -> None:
    text = render.hard_breaks("Hi team,\nthanks.\n\n```\ncode\nmore\n```")
    assert text == "Hi team,  \nthanks.\n\n```\ncode\nmore\n```"
    shown = render.rendered("Title", "Hi team,\nthanks.", 40)
    assert "Hi team,\n" in shown and "thanks." in shown and "Title" in shown


def test_rendering_never_passes_a_servers_control_sequence() -> None:
    shown = render.rendered("\x1b]0;evil\x07T", "a \x1b[2J b [link](http://x)", 40)
    assert "\x1b]" not in shown and "\x1b[2J" not in shown and "evil" not in shown


def test_the_task_list_row_names_the_type() -> None:
    info = WorkflowInfo(ref="14", name="Write poem", icon="🌸", description="Write a poem stanza by stanza",
                        kind="workflow")
    assert task_row(info) == ("14", "🌸 Write poem", "workflow", "Write a poem stanza by stanza")


@pytest.mark.parametrize(("produced", "text"), [(None, "no text yet"), (ProducedText("T", "text"), "text")])
def test_a_run_row(produced: ProducedText | None, text: str, make_shell) -> None:
    run = RunInfo(pk=57, session_id="s", name="General Assistance", kind="instruct", title="Note", icon="💡",
                  started="2026-12-02T14:24:09", produced=produced)
    ctx = make_shell().ctx
    assert run_row(ctx, run) == ("57", "2026-12-02 14:24", "💡 Note", "General Assistance", text)


def test_a_bad_date_is_shown_as_it_is() -> None:
    assert run_date("yesterday") == "yesterday"
