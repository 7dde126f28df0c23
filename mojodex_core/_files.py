"""The shell's home directory, atomic private file writes, and updates of files that several shells share."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


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

    raw = _utf8(data) if isinstance(data, str) else data
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


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (from a server): U+FFFD, as the decoder makes them
        import re

        return re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold the lock of ``path`` while the block runs: an exclusive ``flock`` on ``.NAME.lock`` beside it.

    Several shells and one-shot commands share ``~/.mojodex``: each read-modify-write of a file there runs under
    its lock, so that no process writes back a copy that misses another's change. Hold it for the file operation
    only, never across a question or a request.
    """
    import fcntl

    ensure_private_dir(path.parent)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def update_file(path: Path, change: Callable[[str | None], str | None], *, mode: int = 0o600) -> str | None:
    """Read ``path``, ``change`` its text and write the result back atomically, all under the file's lock.

    ``change`` gets the text (None when there is no file) and returns the new text, or None to leave the file as
    it is; it may raise to leave it as it is too (a file it cannot parse). Returns what ``change`` returned.
    """
    with file_lock(path):
        try:
            text: str | None = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            text = None
        new = change(text)
        if new is not None and new != text:
            atomic_write(path, new, mode=mode)
        return new


def update_json(path: Path, change: Callable[[Any], Any], *, mode: int = 0o600, indent: int | None = None) -> Any:
    """Like :func:`update_file` for a JSON file: ``change`` gets the decoded value (None when the file is missing or
    is not JSON) and returns the value to write (None: leave the file as it is). Returns the value written."""
    import json

    written: list[Any] = [None]

    def apply(text: str | None) -> str | None:
        try:
            current = json.loads(text) if text else None
        except ValueError:
            current = None
        value = change(current)
        if value is None:
            return None
        written[0] = value
        return json.dumps(value, ensure_ascii=False, indent=indent) + ("\n" if indent is not None else "")

    update_file(path, apply, mode=mode)
    return written[0]
