"""The debug log ``~/.mojodex/debug.log``: full tracebacks go there, never to the terminal."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def log_exception(path: Path | None, exc: BaseException, context: str = "") -> None:
    """Append ``exc``'s traceback to the log at ``path`` (if debugging is on: a path is given)."""
    if path is None:
        return
    import traceback

    try:
        from mojodex_core._files import ensure_private_dir

        ensure_private_dir(path.parent)
        with _open_private(path) as f:
            f.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {context}\n")
            f.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass


def log_line(path: Path | None, message: str) -> None:
    if path is None:
        return
    try:
        with _open_private(path) as f:
            f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
    except OSError:
        pass


def _open_private(path: Path) -> Any:
    """Open the log for appending; a new log is readable by the user alone (0600)."""
    import os

    return open(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a", encoding="utf-8")
