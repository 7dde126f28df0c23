"""A program in a pseudo-terminal, read as a person reads it: ``expect`` text in order, ``line`` to type.

Shared by every test that drives a real terminal (``spawn_mojodex`` in conftest.py, the plugin install test).
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

from pty_child import Closed, PtyChild, Timeout

# Escape sequences a terminal interprets (CSI, OSC, charset and keypad switches); removed before matching.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
_PARTIAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[()])?$")


def screen_text(raw: str) -> str:
    """What a person reads in ``raw`` terminal output: escape sequences and carriage returns removed."""
    return _PARTIAL_ESCAPE.sub("", _ESCAPES.sub("", raw)).replace("\r", "")


class Terminal:
    """The ``mojodex`` script in a pseudo-terminal (120 columns). Expectations match the text a person reads.

    ``expect`` searches from the end of the previous match, so a test reads like the session it checks.
    On a full terminal (xterm) prompt_toolkit draws a trailing space as a cursor move: expect ``mojodex>``.
    """

    PROMPT = "mojodex>"

    def __init__(self, child: PtyChild) -> None:
        self.child = child
        self.raw = ""
        self.pos = 0
        self.exitstatus: int | None = None

    @classmethod
    def spawn(cls, argv: list[str], *, env: dict[str, str], cwd: str | Path, rows: int = 24,
              columns: int = 120) -> Terminal:
        """Start ``argv`` in a new terminal of ``rows`` x ``columns``."""
        return cls(PtyChild(argv, env=env, cwd=cwd, rows=rows, columns=columns))

    @property
    def text(self) -> str:
        return screen_text(self.raw)

    def _read(self, timeout: float) -> bool:
        """Append what the terminal shows within ``timeout``; False once the program has exited."""
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=max(timeout, 0.01))
        except Timeout:
            pass
        except Closed:
            return False
        return True

    def expect(self, pattern: str | re.Pattern[str], timeout: float = 5.0) -> re.Match[str]:
        """Wait until ``pattern`` (text, or a compiled regex) shows after the previous match."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        alive = True
        while True:
            found = regex.search(self.text, self.pos)
            if found:
                self.pos = found.end()
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not alive:
                why = "the program exited" if not alive else f"not shown within {timeout} s"
                raise AssertionError(f"{regex.pattern!r}: {why}. The screen after the last match:\n"
                                     f"{self.text[self.pos:][-3000:]}")
            alive = self._read(min(remaining, 0.5))

    def expect_prompt(self, timeout: float = 5.0) -> None:
        self.expect(self.PROMPT, timeout)

    def type(self, text: str) -> None:
        """Type ``text`` without Enter."""
        self.child.send(text)

    def line(self, text: str) -> None:
        """Type ``text`` and Enter."""
        self.child.send(text + "\r")

    def ctrl(self, key: str) -> None:
        self.child.sendcontrol(key)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Wait for the program to exit and return its status (128+N for a signal)."""
        deadline = time.monotonic() + timeout
        while self._read(min(max(deadline - time.monotonic(), 0), 0.5)):
            if time.monotonic() > deadline:
                raise AssertionError(f"mojodex did not exit within {timeout} s:\n{self.text[-2000:]}")
        self.child.close()
        status = self.child.exitstatus
        self.exitstatus = status if status is not None else 128 + (self.child.signalstatus or 0)
        return self.exitstatus

    def drain(self) -> None:
        """Read whatever the terminal still shows, without waiting."""
        while not self.child.closed:
            before = len(self.raw)
            if not self._read(0.01) or len(self.raw) == before:
                return

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        with contextlib.suppress(Exception):
            self.child.close(force=True)
