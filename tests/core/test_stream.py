"""The shell's printer of streamed text (`mojodex_core.TextStream`): only what is new is written, control
sequences are stripped whole, a rewritten text is redrawn or started over, a bounded number of times."""

from __future__ import annotations

from recording_screen import RecordingScreen

import mojodex_core
from mojodex_core import Screen, TextStream
from mojodex_core._stream import MAX_RESTARTS


def snapshots(text: str, step: int = 3) -> list[str]:
    return [text[:i] for i in range(step, len(text) + step, step)]


def test_the_printer_is_on_the_public_face() -> None:
    assert {"TextStream", "Screen"} <= set(mojodex_core.__all__)
    assert mojodex_core.TextStream is TextStream and mojodex_core.Screen is Screen


def test_each_token_writes_only_what_is_new() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen)
    text = "The quick brown fox jumps over the lazy dog. " * 200
    for snapshot in snapshots(text):
        stream.update(snapshot)
    assert stream.finish(text)
    assert screen.shown == text
    assert screen.written == len(text)  # linear: never the whole text again per token


def test_chunks_are_joined_into_snapshots() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen, "Writer: ")
    for chunk in ["Dear ", "all,", " thanks", "."]:
        stream.append(chunk)
    assert stream.finish()
    stream.end_line()
    assert screen.shown == "Writer: Dear all, thanks.\n"


def test_a_control_sequence_split_over_two_tokens_is_stripped_whole() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen)
    text = "red \x1b[31malert\x1b[0m and \x1b]0;pwned\x07 title"
    for i in range(1, len(text) + 1):
        stream.update(text[:i])
    stream.finish(text)
    assert screen.shown == "red alert and  title"


def test_a_control_sequence_split_over_two_chunks_is_stripped_whole() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen)
    for chunk in ["a \x1b]0;pw", "ned\x07 b"]:
        stream.append(chunk)
    assert screen.shown == "a "  # the unfinished sequence, and what follows it closely, wait
    assert stream.finish()  # the text as received: what was held back is written
    assert screen.shown == "a  b"


def test_a_prefix_is_written_once_before_the_text() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen, "Assistant: ")
    for snapshot in ["Who", "Who took", "Who took part?"]:
        stream.update(snapshot)
    assert stream.finish("Who took part?")
    assert screen.shown == "Assistant: Who took part?"


def test_a_rewritten_line_is_redrawn_in_place_on_a_terminal() -> None:
    screen = RecordingScreen(terminal=True)
    stream = TextStream(screen, "Assistant: ")
    for snapshot in ["Not", "Note to", "Memo", "Memo to the team"]:
        stream.update(snapshot)
    assert stream.finish("Memo to the team")
    assert screen.controls == ["\r\x1b[K"]
    assert screen.shown == "Assistant: Note to<ctl>Assistant: Memo to the team"


def test_a_rewritten_text_starts_over_on_a_new_line_without_a_terminal() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen, "Assistant: ")
    for snapshot in ["Note", "Note to", "Memo", "Memo to"]:
        stream.update(snapshot)
    assert screen.shown == "Assistant: Note to\nAssistant: Memo to"


def test_a_text_that_keeps_changing_stops_streaming_after_a_few_restarts() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen)
    for i in range(50):
        stream.update(f"version {i} of a text that changes every time\nand has two lines")
    assert stream.quiet and stream.restarts == MAX_RESTARTS + 1
    assert not stream.finish("the final text")
    assert len(screen.shown) < 5 * 70  # bounded, whatever the server sends
    assert screen.shown.endswith(" […]")


def test_rows_count_wrapped_lines() -> None:
    screen = RecordingScreen(terminal=True, columns=10)
    stream = TextStream(screen)
    stream.update("x" * 25 + "\n" + "y" * 10 + "\nz")
    stream.end_line()
    assert stream.rows == 3 + 1 + 1 + 1  # 25 columns on 3 rows, 10 on 1, z, and the cursor's row


def test_a_stream_that_wrote_nothing_ends_no_line() -> None:
    screen = RecordingScreen()
    stream = TextStream(screen, "Assistant: ")
    stream.update("")
    stream.end_line()
    assert screen.shown == "" and not stream.started
