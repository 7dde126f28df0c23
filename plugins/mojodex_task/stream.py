"""A draft streamed as snapshots: ``DraftStream`` shows its title line, then its body, each with the shell's
``TextStream``; ``DraftPieces`` tells plugins the same news (``mojodex_draft_piece``), part by part.
"""

from __future__ import annotations

from mojodex_core import Screen, TextStream


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
        end = TextStream.safe_end(snapshot, start) if streaming else len(snapshot)
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
