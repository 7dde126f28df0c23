"""The incremental printer of streamed texts, and how drafts and runs read (no server, no terminal)."""

from __future__ import annotations

import pytest

from mojodex_core import ProducedText, RunInfo, WorkflowInfo
from mojodex_task import render
from mojodex_task.commands import run_date, run_row, task_row
from mojodex_task.stream import MAX_RESTARTS, DraftStream, Screen, TextStream


class FakeCtx:
    def __init__(self) -> None:
        self.out: list[str] = []

    def write(self, text: str) -> None:
        from mojodex_core import sanitize

        self.out.append(sanitize(text))


class FakeScreen(Screen):
    def __init__(self, terminal: bool = False, columns: int = 80, lines: int = 24) -> None:
        self.ctx_ = FakeCtx()
        super().__init__(self.ctx_, terminal)
        self.controls: list[str] = []
        self._size = (columns, lines)

    def control(self, sequence: str) -> None:
        if self.terminal:
            self.controls.append(sequence)
            self.ctx_.out.append("<ctl>")

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def shown(self) -> str:
        return "".join(self.ctx_.out)


def snapshots(text: str, step: int = 3) -> list[str]:
    return [text[:i] for i in range(step, len(text) + step, step)]


def test_each_token_writes_only_what_is_new() -> None:
    screen = FakeScreen()
    stream = TextStream(screen)
    text = "The quick brown fox jumps over the lazy dog. " * 200
    for snapshot in snapshots(text):
        stream.update(snapshot)
    assert stream.finish(text)
    assert screen.shown == text
    assert screen.written == len(text)  # linear: never the whole text again per token


def test_a_control_sequence_split_over_two_tokens_is_stripped_whole() -> None:
    screen = FakeScreen()
    stream = TextStream(screen)
    text = "red \x1b[31malert\x1b[0m and \x1b]0;pwned\x07 title"
    for i in range(1, len(text) + 1):
        stream.update(text[:i])
    stream.finish(text)
    assert screen.shown == "red alert and  title"


def test_a_prefix_is_written_once_before_the_text() -> None:
    screen = FakeScreen()
    stream = TextStream(screen, "Assistant: ")
    for snapshot in ["Who", "Who took", "Who took part?"]:
        stream.update(snapshot)
    assert stream.finish("Who took part?")
    assert screen.shown == "Assistant: Who took part?"


def test_a_rewritten_line_is_redrawn_in_place_on_a_terminal() -> None:
    screen = FakeScreen(terminal=True)
    stream = TextStream(screen)
    for snapshot in ["Not", "Note to", "Memo", "Memo to the team"]:
        stream.update(snapshot)
    assert stream.finish("Memo to the team")
    assert screen.controls == ["\r\x1b[K"]
    assert screen.shown == "Note to<ctl>Memo to the team"


def test_a_rewritten_text_starts_over_on_a_new_line_without_a_terminal() -> None:
    screen = FakeScreen()
    stream = TextStream(screen)
    for snapshot in ["Note", "Note to", "Memo", "Memo to"]:
        stream.update(snapshot)
    assert screen.shown == "Note to\nMemo to"


def test_a_text_that_keeps_changing_stops_streaming_after_a_few_restarts() -> None:
    screen = FakeScreen()
    stream = TextStream(screen)
    for i in range(50):
        stream.update(f"version {i} of a text that changes every time\nand has two lines")
    assert stream.quiet and stream.restarts == MAX_RESTARTS + 1
    assert not stream.finish("the final text")
    assert len(screen.shown) < 5 * 70  # bounded, whatever the server sends


def test_rows_count_wrapped_lines() -> None:
    screen = FakeScreen(terminal=True, columns=10)
    stream = TextStream(screen)
    stream.update("x" * 25 + "\n" + "y" * 10 + "\nz")
    stream.end_line()
    assert stream.rows == 3 + 1 + 1 + 1  # 25 columns on 3 rows, 10 on 1, z, and the cursor's row


def test_a_draft_streams_its_title_then_a_blank_line_then_its_body() -> None:
    screen = FakeScreen()
    draft = DraftStream(screen)
    draft.update("Note", "")
    draft.update("Note to the team", "")
    draft.update("Note to the team", "Dear")
    draft.update("Note to the team", "Dear all, thanks.")
    assert draft.finish("Note to the team", "Dear all, thanks.")
    draft.end()
    assert screen.shown == "Note to the team\n\nDear all, thanks.\n"


def test_a_draft_whose_title_changes_while_its_body_streams_is_not_shown_exactly() -> None:
    screen = FakeScreen()
    draft = DraftStream(screen)
    draft.update("Note", "Dear all")
    draft.update("Memo", "Dear all, thanks")
    assert not draft.finish("Memo", "Dear all, thanks")
    assert screen.shown.count("Dear all") == 1


def test_a_draft_whose_tokens_never_came_is_written_whole_by_finish() -> None:
    screen = FakeScreen()
    assert DraftStream(screen).finish("Title", "Body")
    assert screen.shown == "Title\n\nBody"


def test_draft_height_is_what_erasing_it_takes() -> None:
    screen = FakeScreen(terminal=True, columns=10)
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
