"""The shell's home directory and atomic, private file writes."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """The shell's directory: ``$MOJODEX_HOME`` or ``~/.mojodex``."""
    env = os.environ.get("MOJODEX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".mojodex"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` if needed and make it readable by the user alone (0700), even when it existed."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def atomic_write(path: Path, data: str | bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename.

    Readers see the old file or the new one, never half of it; the file gets ``mode`` before it has content.
    """
    import tempfile  # here, not at the top: `mojodex help` writes nothing and starts faster without it

    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
