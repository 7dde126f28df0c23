"""Noticing a plugin that blocks the event loop: a heartbeat task, and a thread that looks when it stalls.

When the heartbeat is late by more than the threshold, the thread reads the main thread's stack and names
the innermost plugin module on it, if a second look a moment later finds the loop still stalled there; the warning
is printed once the loop runs again.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

SECOND_LOOK = 0.1
"""Seconds between the two looks at a stalled loop that must both blame the same plugin."""

# Set while a program the user drives holds the terminal (the pager): the loop waits for the user, not for a plugin.
USER_HOLDS_TERMINAL = threading.Event()


class LoopWatchdog:
    def __init__(self, ctx: Any, threshold: float = 1.0, interval: float = 0.2) -> None:
        self.ctx = ctx
        self.threshold = threshold
        self.interval = interval
        self.beat = time.monotonic()
        self._stop = threading.Event()
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._blamed: tuple[str, str] | None = None
        self._main = threading.get_ident()

    def start(self) -> None:
        if self.threshold <= 0:
            return
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._heartbeat())
        self._thread = threading.Thread(target=self._watch, args=(loop,), name="mojodex-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()

    async def _heartbeat(self) -> None:
        while True:
            self.beat = time.monotonic()
            await asyncio.sleep(self.interval)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        while not self._stop.wait(self.interval):
            late = time.monotonic() - self.beat
            if USER_HOLDS_TERMINAL.is_set():
                self.beat = time.monotonic()
            elif late > self.threshold + self.interval and self._blamed is None:
                started = self.beat
                blamed = self._look()
                # A second look: a process the machine did not run for a while shows whatever its main thread was
                # doing when it stopped, and runs on at once; a loop a plugin really blocks is still there.
                if blamed is None or self._stop.wait(SECOND_LOOK) or self.beat != started or self._look() != blamed:
                    continue
                self._blamed = blamed
                try:
                    loop.call_soon_threadsafe(self._report, started)
                except RuntimeError:  # the loop is closed
                    return

    def _look(self) -> tuple[str, str] | None:
        """The plugin the main thread's stack blames now, if any."""
        try:
            return self.blame(sys._current_frames().get(self._main))
        except Exception:  # the records changed under us: look again at the next tick
            return None

    def owners(self) -> dict[str, str]:
        """Module name -> plugin name: each plugin's own module, and its top-level package if no other plugin
        shares it (so that ``acme.a`` and ``acme.b`` are told apart, and ``acme_x.helpers`` is still acme_x's)."""
        owners: dict[str, str] = {}
        tops: dict[str, set[str]] = {}
        for rec in list(self.ctx.hooks.records.values()):
            if rec.obj is None:
                continue
            module = str(getattr(rec.obj, "__module__", None) or getattr(rec.obj, "__name__", ""))
            owners[module] = rec.name
            tops.setdefault(module.split(".")[0], set()).add(rec.name)
        for top, names in tops.items():
            if len(names) == 1:
                owners.setdefault(top, names.pop())
        return owners

    def blame(self, frame: Any) -> tuple[str, str] | None:
        """The (plugin name, function) of the innermost plugin frame on a stack, if any.

        A stack that is importing a module blames no one: the first import of a heavy library (the openai SDK,
        socketio) takes its time once, where the guide tells plugins to import them.
        """
        owners = self.owners()
        probe = frame
        while probe is not None:
            if probe.f_code.co_filename.startswith("<frozen importlib"):
                return None
            probe = probe.f_back
        while frame is not None:
            parts = str(frame.f_globals.get("__name__", "")).split(".")
            for n in range(len(parts), 0, -1):
                name = owners.get(".".join(parts[:n]))
                if name is not None:
                    return name, frame.f_code.co_name
            frame = frame.f_back
        return None

    def _report(self, started: float) -> None:
        blamed, self._blamed = self._blamed, None
        if blamed is None:
            return
        seconds = time.monotonic() - started
        self.ctx.warn(f"plugin {blamed[0]} blocked the shell for {seconds:.1f} s (in {blamed[1]}); "
                      "plugins should await slow work or run it in a thread")
