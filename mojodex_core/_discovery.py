"""Finding the entry points of the group ``mojodex``, with a cache that the environment's changes invalidate.

Scanning every installed distribution's metadata costs time on each start; the cache holds the answer
until a directory on ``sys.path`` changes: its modification time, or the names of the distributions in it
(installing, upgrading or removing one changes both). The cache keeps one answer per ``sys.path`` (the
console script, ``python -m`` from some folder...), so that starting the shell in several ways does not
make each start scan again.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

GROUP = "mojodex"
CACHE_VERSION = 2
SLOTS = 8  # answers kept, one per distinct sys.path
METADATA_DIRS = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class EntryPointInfo:
    name: str
    value: str
    dist: str = ""
    version: str = ""


def _mark(entry: str) -> list[object]:
    """What changes when a distribution is added to, upgraded in or removed from one sys.path entry."""
    path = entry or "."
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return [entry, 0, 0]
    try:
        names = sorted(n for n in os.listdir(path) if n.endswith(METADATA_DIRS))
    except OSError:  # a zip file, or a folder we may not list
        names = []
    import zlib

    # The names catch what a modification time can miss: a copy that keeps times, or a coarse clock.
    return [entry, mtime, zlib.crc32("\0".join(names).encode("utf-8", "surrogateescape"))]


def _fingerprint() -> list[list[object]]:
    return [[sys.executable, CACHE_VERSION], *(_mark(entry) for entry in sys.path)]


def scan() -> list[EntryPointInfo]:
    """Read the entry points from the installed distributions' metadata (the slow way).

    Two distributions may give the same plugin name: both are returned, and the plugin host says which one
    it loads. A distribution found twice on ``sys.path`` counts once (the first, which Python imports).
    """
    from importlib.metadata import distributions

    found: dict[tuple[str, str], EntryPointInfo] = {}
    for dist in distributions():
        try:
            eps = [ep for ep in dist.entry_points if ep.group == GROUP]
            name = (dist.metadata["Name"] or "") if eps else ""  # parsing METADATA is the slow part: only if needed
        except Exception:  # a distribution with broken metadata must not stop the shell
            continue
        for ep in eps:
            found.setdefault((ep.name, name.lower()), EntryPointInfo(ep.name, ep.value, name, dist.version or ""))
    return sorted(found.values(), key=lambda i: (i.name, i.dist))


def _paths(fingerprint: Any) -> list[object]:
    """The sys.path a fingerprint was taken of (its slot in the cache)."""
    if not isinstance(fingerprint, list):
        return []
    return [m[0] if isinstance(m, list) and m else None for m in fingerprint]


def _read_slots(cache_path: Path) -> list[dict[str, Any]]:
    try:
        cached = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return _slots(cached)


def _slots(cached: Any) -> list[dict[str, Any]]:
    if not isinstance(cached, dict) or cached.get("version") != CACHE_VERSION:
        return []
    slots = cached.get("slots")
    return [s for s in slots if isinstance(s, dict)] if isinstance(slots, list) else []


def entry_points(cache_path: Path | None) -> list[EntryPointInfo]:
    """The plugins' entry points, from the cache when the environment has not changed since it was written."""
    fingerprint = _fingerprint()
    slots = _read_slots(cache_path) if cache_path is not None else []
    for slot in slots:
        if slot.get("fingerprint") == fingerprint:
            try:
                return [EntryPointInfo(**e) for e in slot["entry_points"]]
            except (TypeError, KeyError):
                break
    infos = scan()
    if cache_path is not None:
        new = {"fingerprint": fingerprint, "entry_points": [asdict(i) for i in infos]}

        def change(cached: Any) -> dict[str, Any]:
            # The slots as the file holds them now: another shell (of another virtualenv) may have added its own.
            slots = _slots(cached)
            kept = [s for s in slots if _paths(s.get("fingerprint")) != _paths(fingerprint)]
            return {"version": CACHE_VERSION, "slots": [new, *kept][:SLOTS]}

        try:
            from mojodex_core._files import update_json

            update_json(cache_path, change, mode=0o600)
        except OSError:
            pass
    return infos
