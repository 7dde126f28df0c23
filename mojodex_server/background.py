"""The server's background work (steps, chat turns): spawned on the event loop, awaited by ``idle``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._reap)

    def _reap(self, task: asyncio.Task[None]) -> None:
        """Forget a finished task and log its failure, once: both its done callback and ``idle`` call this."""
        if task not in self.tasks:
            return
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("reference server: background work failed", exc_info=task.exception())

    def _pending(self) -> set[asyncio.Task[None]]:
        """The tasks still running. A task can be done while its done callback (``_reap``) still waits in the
        loop's ready queue: it finished in the very loop iteration that resumed our caller. Reap those here
        rather than count on the loop to run that callback before we look again."""
        for task in [t for t in self.tasks if t.done()]:
            self._reap(task)
        return set(self.tasks)

    async def idle(self, timeout: float) -> None:
        # asyncio.wait, not gather: since Python 3.12, gather over futures that are all done already returns a
        # finished future, and awaiting that does not yield to the loop, so a loop of gathers over a task that
        # is done but not yet reaped spun forever, starving the loop (the reaping callback and this timeout
        # included). asyncio.wait over a non-empty set of running tasks always suspends.
        async with asyncio.timeout(timeout):
            while pending := self._pending():
                await asyncio.wait(pending)

    async def stop(self) -> None:
        # In rounds: work cancelled now may spawn more on its way out (or ignore one cancellation); none is
        # left pending behind us.
        while pending := self._pending():
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)
