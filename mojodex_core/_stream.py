"""Printing a text that arrives piece by piece: every snapshot carries the whole text so far, only what is new is
written (``TextStream``, on a ``Screen``).

Nothing is ever written twice per snapshot: one that is not an extension of what was shown redraws the current line
(on a terminal) or starts over on a new line, at most ``MAX_RESTARTS`` times per text, after which the stream waits
quietly for the finished text. Server text is sanitized; the tail of a snapshot that could be half a terminal
control sequence waits for the next snapshot, so that the sequence is stripped whole.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from mojodex_core._text import sanitize

if TYPE_CHECKING:
    from mojodex_core._context_protocol import Context

# Bytes that open a terminal control sequence: an unfinished one at the end of a token is held back until the
# next token completes it, so that it is stripped whole instead of leaving half of it on the screen.
_INTRODUCERS = "\x1b\x90\x98\x9b\x9d\x9e\x9f"
HOLD_BACK = 128
MAX_RESTARTS = 3


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    from prompt_toolkit.utils import get_cwidth

    return get_cwidth(text)


class Screen:
    """Where a stream writes: server text always through ``ctx.write`` (control sequences stripped); our own
    cursor movements, on a terminal only, straight to stdout.

    ``terminal`` says whether a line may be redrawn in place; by default, when stdout is a terminal.
    """

    def __init__(self, ctx: Context, terminal: bool | None = None) -> None:
        self.ctx = ctx
        self.terminal = sys.stdout.isatty() if terminal is None else terminal
        self.written = 0  # characters of text written, for the tests and the benchmark

    def text(self, text: str) -> None:
        if text:
            self.written += len(text)
            self.ctx.write(text)

    def control(self, sequence: str) -> None:
        if self.terminal:
            sys.stdout.write(sequence)
            sys.stdout.flush()

    @property
    def size(self) -> tuple[int, int]:
        """(columns, lines) of the terminal."""
        import shutil

        size = shutil.get_terminal_size((80, 24))
        return max(size.columns, 10), max(size.lines, 3)


class TextStream:
    """One text streamed as snapshots. ``update(snapshot)`` per token (or ``append(chunk)`` when the pieces are
    chunks), ``finish(text)`` once it is whole, ``end_line()`` to leave the line. ``prefix`` (say ``"Assistant: "``)
    is written once, before the first text.

    ``rows`` counts the terminal rows written since the stream began (for erasing them before a cleaner display).
    """

    def __init__(self, screen: Screen, prefix: str = "") -> None:
        self.screen = screen
        self.prefix = prefix
        self.shown = ""  # the raw text whose sanitized form is on the screen
        self.received = ""  # the text as the last snapshot had it (or the chunks given so far, joined)
        self.started = False
        self.quiet = False  # too many restarts: wait for the whole text
        self.restarts = 0
        self.rows = 1
        self.column = 0  # width of the current row's line so far
        self.columns = screen.size[0] if screen.terminal else 0

    # -- writing -------------------------------------------------------------------------------------------

    def _put(self, raw: str) -> None:
        text = sanitize(raw)
        if not text:
            return
        self.screen.text(text)
        if self.columns:
            self._count(text)

    def _count(self, text: str) -> None:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if i:
                self.rows += 1
                self.column = 0
            if line:
                before = max(0, self.column - 1) // self.columns
                self.column += _width(line)
                self.rows += max(0, self.column - 1) // self.columns - before

    def _start(self) -> None:
        if not self.started:
            self.started = True
            if self.prefix:
                self._put(self.prefix)

    # -- snapshots -----------------------------------------------------------------------------------------

    def update(self, snapshot: str) -> None:
        """The whole text so far: write what is new."""
        if snapshot:
            self.received = snapshot
        if self.quiet or not snapshot:
            return
        self._start()
        if not snapshot.startswith(self.shown):
            self._diverged(snapshot)
            return
        end = self.safe_end(snapshot, len(self.shown))
        if end > len(self.shown):
            self._put(snapshot[len(self.shown):end])
            self.shown = snapshot[:end]

    def append(self, chunk: str) -> None:
        """The next piece of a text that arrives as chunks (each one new text, not the whole so far)."""
        self.update(self.received + chunk)

    @staticmethod
    def safe_end(snapshot: str, start: int) -> int:
        """Where the part of ``snapshot`` from ``start`` that is safe to write now ends: before an unfinished
        control sequence near its end (held back until a later snapshot completes it)."""
        tail = max(start, len(snapshot) - HOLD_BACK)
        cut = max(snapshot.rfind(c, tail) for c in _INTRODUCERS)
        return cut if cut >= start else len(snapshot)

    def _diverged(self, snapshot: str) -> None:
        """The snapshot changed what was shown (a title rewritten, a text started over)."""
        line_start = self.shown.rfind("\n") + 1
        if (self.screen.terminal and snapshot.startswith(self.shown[:line_start]) and self.rows_of_line() == 1
                and "\n" not in snapshot[line_start:]):
            # Only the current line changed, and it fits on one row: redraw that line.
            self.screen.control("\r\x1b[K")
            self.column = 0
            if line_start == 0 and self.prefix:
                self._put(self.prefix)
            end = self.safe_end(snapshot, line_start)
            self._put(snapshot[line_start:end])
            self.shown = snapshot[:end]
            return
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            self.quiet = True
            self._put(" […]")
            return
        self._put("\n")
        self.shown = ""
        self.started = False  # the new start is labelled too: the prefix again
        self.update(snapshot)

    def rows_of_line(self) -> int:
        """The terminal rows the current line takes."""
        return 1 + max(0, self.column - 1) // self.columns if self.columns else 1

    def finish(self, text: str | None = None) -> bool:
        """The whole text is known: write what is missing (by default, the text as last received, held-back
        tail included). True when the screen shows exactly ``text``."""
        if text is None:
            text = self.received
        exact = not self.quiet and text.startswith(self.shown)
        if exact and text:
            self._start()
            self._put(text[len(self.shown):])
            self.shown = text
        return exact

    def end_line(self) -> None:
        """Leave the cursor at the start of a new line."""
        if self.started:
            self._put("\n")
