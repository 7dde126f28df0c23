"""The loop watchdog blames a plugin only when a second look finds the loop still stalled in it: a process the
machine did not run for a while (a loaded CI machine) shows whatever its main thread was doing when it stopped."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

from mojodex_core._watchdog import LoopWatchdog


def _watch(looks: Iterator[tuple[str, str] | None], wanted: int) -> LoopWatchdog:
    """Run the watchdog's thread on a loop stalled for ever until it has looked ``wanted`` times."""
    watchdog = LoopWatchdog(ctx=None, threshold=0.01, interval=0.01)
    watchdog.beat = time.monotonic() - 60  # the heartbeat never comes: the loop is stalled
    done = threading.Event()
    count = 0

    def look() -> tuple[str, str] | None:
        nonlocal count
        count += 1
        if count >= wanted:
            done.set()
        return next(looks, None)

    watchdog._look = look  # type: ignore[method-assign]
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=watchdog._watch, args=(loop,), daemon=True)
    thread.start()
    try:
        assert done.wait(5), "the watchdog did not look"
    finally:
        watchdog.stop()
        thread.join(5)
        loop.close()
    return watchdog


def test_a_stall_seen_once_in_a_plugin_blames_no_one() -> None:
    # First look: in plugin p; second look: the main thread ran on (nothing of p on its stack any more).
    watchdog = _watch(iter([("p", "handler"), None, None, None]), wanted=4)
    assert watchdog._blamed is None


def test_a_stall_seen_twice_in_the_same_plugin_blames_it() -> None:
    watchdog = _watch(iter([("p", "handler"), ("p", "handler")]), wanted=2)
    assert watchdog._blamed == ("p", "handler")
