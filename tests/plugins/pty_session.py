"""A program in a pseudo-terminal, read as a person reads it: ``expect`` text in order, ``line`` to type."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pexpect

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class PtySession:
    def __init__(self, program: Path, env: dict[str, str], cwd: Path) -> None:
        self.child = pexpect.spawn(str(program), [], env=env, cwd=str(cwd), encoding="utf-8",
                                   codec_errors="replace", dimensions=(40, 160))
        self.child.delaybeforesend = None  # the test waits for the prompt before it types
        self.raw = ""
        self.pos = 0

    @property
    def text(self) -> str:
        return _ESCAPES.sub("", self.raw).replace("\r", "")

    def _read(self, timeout: float) -> bool:
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=max(timeout, 0.01))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def expect(self, pattern: str | re.Pattern[str], timeout: float = 10) -> re.Match[str]:
        """Wait until ``pattern`` shows after the previous match."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        alive = True
        while True:
            found = regex.search(self.text, self.pos)
            if found:
                self.pos = found.end()
                return found
            if not alive or time.monotonic() > deadline:
                why = "the program exited" if not alive else f"not shown within {timeout} s"
                raise AssertionError(f"{regex.pattern!r}: {why}. After the last match:\n{self.text[self.pos:][-3000:]}")
            alive = self._read(min(deadline - time.monotonic(), 0.5))

    def line(self, text: str) -> None:
        self.child.send(text + "\r")

    def wait_exit(self, timeout: float = 10) -> int:
        deadline = time.monotonic() + timeout
        while self._read(min(max(deadline - time.monotonic(), 0), 0.5)):
            if time.monotonic() > deadline:
                raise AssertionError(f"the program did not exit within {timeout} s:\n{self.text[-2000:]}")
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + (self.child.signalstatus or 0)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
