"""Finding the entry points of the group ``mojodex``, with a cache that the environment's changes invalidate.

Scanning every installed distribution's metadata costs time on each start; the cache holds the answer
until a directory on ``sys.path`` changes (installing, upgrading or removing a distribution touches it).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

GROUP = "mojodex"
CACHE_VERSION = 1


@dataclass(frozen=True)
class EntryPointInfo:
    name: str
    value: str
    dist: str = ""
    version: str = ""


def _fingerprint() -> list[list[object]]:
    marks: list[list[object]] = [[sys.executable, CACHE_VERSION]]
    for entry in sys.path:
        try:
            marks.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            marks.append([entry, 0])
    return marks


def scan() -> list[EntryPointInfo]:
    """Read the entry points from the installed distributions' metadata (the slow way)."""
    from importlib.metadata import distributions

    found: dict[str, EntryPointInfo] = {}
    for dist in distributions():
        try:
            eps = [ep for ep in dist.entry_points if ep.group == GROUP]
        except Exception:  # a distribution with broken metadata must not stop the shell
            continue
        for ep in eps:
            name = dist.metadata["Name"] or ""
            found.setdefault(ep.name, EntryPointInfo(ep.name, ep.value, name, dist.version or ""))
    return sorted(found.values(), key=lambda i: i.name)


def entry_points(cache_path: Path | None) -> list[EntryPointInfo]:
    """The plugins' entry points, from the cache when the environment has not changed since it was written."""
    fingerprint = _fingerprint()
    if cache_path is not None:
        try:
            cached = json.loads(cache_path.read_text(encoding="utf-8"))
            if cached.get("fingerprint") == fingerprint:
                return [EntryPointInfo(**e) for e in cached["entry_points"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
    infos = scan()
    if cache_path is not None:
        try:
            from mojodex_core.files import atomic_write, ensure_private_dir

            ensure_private_dir(cache_path.parent)
            data = {"fingerprint": fingerprint, "entry_points": [asdict(i) for i in infos]}
            atomic_write(cache_path, json.dumps(data), mode=0o600)
        except OSError:
            pass
    return infos
