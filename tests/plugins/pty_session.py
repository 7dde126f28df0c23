"""The shared terminal helper, started on a program of another virtualenv (the plugin install test)."""

from __future__ import annotations

from pathlib import Path

import pexpect
from terminal import Terminal


class PtySession(Terminal):
    """``program`` in a 160-column pseudo-terminal; ``close()`` ends it if it still runs."""

    def __init__(self, program: Path, env: dict[str, str], cwd: Path) -> None:
        child = pexpect.spawn(str(program), [], env=env, cwd=str(cwd), encoding="utf-8", codec_errors="replace",
                              dimensions=(40, 160))
        child.delaybeforesend = None  # the test waits for the prompt before it types
        super().__init__(child)

    def close(self) -> None:
        self.kill()
