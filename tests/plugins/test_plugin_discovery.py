"""Discovery: the entry points of the group ``mojodex``, from a cache that a change of the environment voids."""

from __future__ import annotations

import json
import os
import sys
from importlib.metadata import MetadataPathFinder

import pytest

from mojodex_core import _discovery as discovery

HELLO = "from mojodex_core import hookimpl\n"


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the slow scans of the installed distributions' metadata."""
    calls: list[int] = []
    real = discovery.scan

    def counting() -> list[discovery.EntryPointInfo]:
        calls.append(1)
        return real()

    monkeypatch.setattr(discovery, "scan", counting)
    return calls


def names(infos: list[discovery.EntryPointInfo]) -> set[str]:
    return {i.name for i in infos}


def test_the_cache_answers_while_nothing_changes(tmp_path, scans):
    cache = tmp_path / "plugin-cache.json"

    first = discovery.entry_points(cache)
    again = discovery.entry_points(cache)

    assert again == first and {"help", "workflow", "plugins"} <= names(first)
    assert len(scans) == 1
    assert oct(cache.stat().st_mode & 0o777) == "0o600"


def test_adding_a_distribution_voids_the_cache(tmp_path, plugin_dir, scans):
    cache = tmp_path / "plugin-cache.json"
    assert "late" not in names(discovery.entry_points(cache))

    plugin_dir.add("late", HELLO)

    found = discovery.entry_points(cache)
    assert "late" in names(found) and len(scans) == 2
    [late] = [i for i in found if i.name == "late"]
    assert (late.dist, late.version) == ("mojodex-test-late", "0.1")


def test_a_distribution_added_with_the_folder_time_kept_still_voids_the_cache(tmp_path, plugin_dir, scans):
    # A copy that keeps modification times (or a clock too coarse to tick) must not hide a new distribution.
    cache = tmp_path / "plugin-cache.json"
    before = os.stat(plugin_dir.path)
    discovery.entry_points(cache)

    plugin_dir.add("sneaky", HELLO)
    os.utime(plugin_dir.path, ns=(before.st_atime_ns, before.st_mtime_ns))
    # importlib.metadata keeps its own listing by the folder's time: a new process starts without it.
    MetadataPathFinder().invalidate_caches()

    assert "sneaky" in names(discovery.entry_points(cache))
    assert len(scans) == 2


def test_starting_python_another_way_keeps_the_first_way_cached(tmp_path, monkeypatch, scans):
    # The console script and `python -m` from some folder see different sys.path: each keeps its own answer.
    cache = tmp_path / "plugin-cache.json"
    discovery.entry_points(cache)
    monkeypatch.syspath_prepend(str(tmp_path))
    discovery.entry_points(cache)
    monkeypatch.undo()

    discovery.entry_points(cache)

    assert len(scans) == 2
    assert len(json.loads(cache.read_text())["slots"]) == 2


@pytest.mark.parametrize("content", ["not json", '{"version": 2, "slots": [{"fingerprint": 1}, 3]}',
                                     json.dumps({"version": 1, "fingerprint": [], "entry_points": []})])
def test_a_damaged_or_old_cache_is_rebuilt(tmp_path, scans, content):
    cache = tmp_path / "plugin-cache.json"
    cache.write_text(content)

    assert "help" in names(discovery.entry_points(cache))
    assert "help" in names(discovery.entry_points(cache))
    assert len(scans) == 1


def test_a_distribution_found_twice_counts_once(plugin_dir, tmp_path):
    # The same distribution in two folders of sys.path (user site and virtualenv): Python imports the first.
    plugin_dir.add("twice", HELLO)
    other = tmp_path / "other-site"
    other.mkdir()
    for entry in plugin_dir.path.iterdir():
        os.symlink(entry, other / entry.name)
    sys.path.append(str(other))
    try:
        found = [i for i in discovery.scan() if i.name == "twice"]
    finally:
        sys.path.remove(str(other))
    assert len(found) == 1
