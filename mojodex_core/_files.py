"""The shell's home directory and atomic, private file writes."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """The shell's directory: ``$MOJODEX_HOME`` or ``~/.mojodex``."""
    env = os.environ.get("MOJODEX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".mojodex"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by the user alone (0700); an existing ``path`` is made 0700."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for p in [*missing[1:], path]:
        try:
            os.chmod(p, 0o700)
        except OSError:
            pass
    return path


def atomic_write(path: Path, data: str | bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename.

    Readers see the old file or the new one, never half of it, and the file gets ``mode`` before it has content.
    The temporary file has a fixed name (``.NAME.tmp``), so that a write killed half-way leaves one stale file at
    most, which the next write reuses; a lock on it keeps two processes writing at once from mixing their bytes.
    Text that cannot be encoded (a lone surrogate from a server) is written as U+FFFD's UTF-8, never refused.
    """
    import fcntl

    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.tmp")
    while True:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(tmp).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if not current:  # another writer renamed it while we waited: take a fresh one
                continue
            try:
                os.ftruncate(fd, 0)
                os.fchmod(fd, mode)
                view = memoryview(raw)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                raise
            return
        finally:
            os.close(fd)
