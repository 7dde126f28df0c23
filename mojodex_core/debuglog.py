"""The debug log ``~/.mojodex/debug.log``: full tracebacks go there, never to the terminal."""

from __future__ import annotations

import time
from pathlib import Path


def log_exception(path: Path | None, exc: BaseException, context: str = "") -> None:
    """Append ``exc``'s traceback to the log at ``path`` (if debugging is on: a path is given)."""
    if path is None:
        return
    import traceback

    try:
        from mojodex_core.files import ensure_private_dir

        ensure_private_dir(path.parent)
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {context}\n")
            f.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass


def log_line(path: Path | None, message: str) -> None:
    if path is None:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
    except OSError:
        pass
