"""A one-line status with a spinner and the elapsed time, shown while the shell waits for a server or a model."""

from __future__ import annotations

import asyncio
import sys
import time

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
# Quick steps show no spinner at all: the transcript stays the same lines a user reads.
SHOW_AFTER = 1.0


class StatusLine:
    """Redraws ``text`` on the current line until stopped; ``clear()`` wipes it before other output."""

    def __init__(self, text: str, enabled: bool = True) -> None:
        self.text = text
        self.enabled = enabled
        self.started = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._shown = False

    def start(self) -> None:
        if self.enabled:
            self._task = asyncio.get_running_loop().create_task(self._spin())

    def update(self, text: str) -> None:
        self.text = text

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    async def _spin(self) -> None:
        await asyncio.sleep(SHOW_AFTER)
        i = 0
        while True:
            frame = _FRAMES[i % len(_FRAMES)]
            sys.stdout.write(f"\r\x1b[K{frame} {self.text} ({self.elapsed:.0f}s, Ctrl-C to leave)")
            sys.stdout.flush()
            self._shown = True
            i += 1
            await asyncio.sleep(0.1)

    def clear(self) -> None:
        if self._shown:
            sys.stdout.write("\r\x1b[K")
            sys.stdout.flush()
            self._shown = False

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.clear()
