"""The shared terminal helper, started on a program of another virtualenv (the plugin install test)."""

from __future__ import annotations

from pathlib import Path

from pty_child import PtyChild
from terminal import Terminal


class PtySession(Terminal):
    """``program`` in a 160-column pseudo-terminal; ``close()`` ends it if it still runs."""

    def __init__(self, program: Path, env: dict[str, str], cwd: Path) -> None:
        super().__init__(PtyChild([str(program)], env=env, cwd=cwd, rows=40, columns=160))

    def close(self) -> None:
        self.kill()
