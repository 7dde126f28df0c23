"""Printing a text that arrives as snapshots: every token carries the whole text so far, only what is new is written.

A ``TextStream`` keeps what it has already written and writes the difference; a ``DraftStream`` streams a draft's
title line, then its body. Nothing is ever written twice per token: a snapshot that is not an extension of what
was shown rewrites the current line (on a terminal) or starts over, at most ``MAX_RESTARTS`` times per text, after
which the stream waits quietly for the finished text. ``DraftPieces`` tells plugins the same news
(``mojodex_draft_piece``), part by part.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from mojodex_core import sanitize

if TYPE_CHECKING:
    from mojodex_core import Context

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
    cursor movements, on a terminal only, straight to stdout."""

    def __init__(self, ctx: Context, terminal: bool) -> None:
        self.ctx = ctx
        self.terminal = terminal
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
    """One text streamed as snapshots. ``update(snapshot)`` per token, ``finish(text)`` once it is whole.

    ``rows`` counts the terminal rows written since the stream began (for erasing them before a cleaner display).
    """

    def __init__(self, screen: Screen, prefix: str = "") -> None:
        self.screen = screen
        self.prefix = prefix
        self.shown = ""  # the raw text whose sanitized form is on the screen
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
        if self.quiet or not snapshot:
            return
        self._start()
        if not snapshot.startswith(self.shown):
            self._diverged(snapshot)
            return
        end = self._safe_end(snapshot, len(self.shown))
        if end > len(self.shown):
            self._put(snapshot[len(self.shown):end])
            self.shown = snapshot[:end]

    @staticmethod
    def _safe_end(snapshot: str, start: int) -> int:
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
            end = self._safe_end(snapshot, line_start)
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
        self.update(snapshot)

    def rows_of_line(self) -> int:
        return 1 + max(0, self.column - 1) // self.columns if self.columns else 1

    def finish(self, text: str | None = None) -> bool:
        """The whole text is known: write what is missing. True when the screen shows exactly ``text``."""
        if text is None:
            text = self.shown
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


class DraftStream:
    """A draft as it is written: its title on a line of its own, a blank line, then its body."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.title = TextStream(screen)
        self.body: TextStream | None = None
        self.title_text = ""  # the title as the last token had it
        self.title_changed = False

    def _open_body(self) -> TextStream:
        if self.title.started:
            self.title.end_line()
            self.screen.text("\n")
        self.body = TextStream(self.screen)
        return self.body

    def update(self, title: str, body: str) -> None:
        if self.body is None:
            if title:
                self.title.update(title)
                self.title_text = title
            if not body:
                return
            self._open_body()
        elif title and title != self.title_text:
            self.title_changed = True  # the finished draft shows the right one
            self.title_text = title
        assert self.body is not None
        self.body.update(body)

    @property
    def started(self) -> bool:
        return self.title.started or self.body is not None

    def finish(self, title: str, body: str) -> bool:
        """The finished draft: True when the screen now shows it exactly (title and body), whole."""
        if self.body is None:
            exact = self.title.finish(title) if title else not self.title.started
            return self._open_body().finish(body) and exact
        exact = title == self.title.shown and not self.title_changed and not self.title.quiet
        return self.body.finish(body) and exact

    def end(self) -> None:
        """Leave the cursor at the start of the line after the draft."""
        (self.body or self.title).end_line()

    @property
    def height(self) -> int:
        """Once ``end`` was called: the rows between the draft's first row and the cursor (what erasing it takes)."""
        title = self.title.rows if self.title.started else 0
        if self.body is None:
            return max(0, title - 1)
        return title + self.body.rows - 1


Piece = tuple[str, str, int]  # (piece, part, start): the arguments of ``mojodex_draft_piece``


class DraftPieces:
    """What each snapshot of a draft adds, part by part (``title``, ``text``), for ``mojodex_draft_piece``.

    ``told`` is what plugins were given so far of each part. A snapshot that rewrote it gives a piece that starts
    where the two part ways, so that ``so_far[:start] + piece`` is always the part as the server has it (but for
    a tail held back).
    """

    def __init__(self) -> None:
        self.told = {"title": "", "text": ""}

    def update(self, title: str, text: str) -> list[Piece]:
        """The pieces of a streamed snapshot. An empty part is no news (the body comes after the title), and the
        tail that could be half a terminal control sequence waits for the next snapshot, as on the screen."""
        return [p for p in (self._new("title", title, True), self._new("text", text, True)) if p is not None]

    def finish(self, title: str, text: str) -> list[Piece]:
        """What the finished draft adds: after these, the pieces of each part join into it exactly."""
        return [p for p in (self._new("title", title, False), self._new("text", text, False)) if p is not None]

    def _new(self, part: str, snapshot: str, streaming: bool) -> Piece | None:
        told = self.told[part]
        if snapshot == told or (streaming and not snapshot):
            return None
        start = len(told) if snapshot.startswith(told) else _common_start(told, snapshot)
        end = TextStream._safe_end(snapshot, start) if streaming else len(snapshot)
        if streaming and end == start:
            return None  # nothing safe to give yet (a rewrite is told with the text that replaces it)
        self.told[part] = snapshot[:end]
        return snapshot[start:end], part, start


def _common_start(a: str, b: str) -> int:
    """How many first characters ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
