"""A `Screen` that records what a stream writes, for the printer's unit tests (no terminal, no shell)."""

from __future__ import annotations

from mojodex_core import Screen, sanitize


class _Ctx:
    def __init__(self) -> None:
        self.out: list[str] = []

    def write(self, text: str) -> None:
        self.out.append(sanitize(text))


class RecordingScreen(Screen):
    """What was written is ``shown``; a cursor movement (on a "terminal") shows as ``<ctl>``."""

    def __init__(self, terminal: bool = False, columns: int = 80, lines: int = 24) -> None:
        self.ctx_ = _Ctx()
        super().__init__(self.ctx_, terminal)  # type: ignore[arg-type]
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
