"""The server's Background: ``idle`` and ``stop`` whatever state the tasks' done callbacks are in."""

from __future__ import annotations

import asyncio

import pytest

from mojodex_server.background import Background


async def _nothing() -> None:
    return None


@pytest.mark.timeout(10)
async def test_idle_returns_for_a_task_done_but_not_yet_reaped() -> None:
    # The task runs and finishes in the loop iteration that resumes us; its done callback is queued behind us.
    # On Python 3.12+ a gather loop over it never yielded again, and the loop starved (test_crash_silently).
    background = Background()
    background.spawn(_nothing())
    await asyncio.sleep(0)
    (task,) = background.tasks
    assert task.done()
    await background.idle(1.0)
    assert not background.tasks


@pytest.mark.timeout(10)
async def test_idle_waits_for_work_spawned_by_work() -> None:
    background = Background()
    finished: list[str] = []

    async def second() -> None:
        await asyncio.sleep(0.01)
        finished.append("second")

    async def first() -> None:
        await asyncio.sleep(0.01)
        background.spawn(second())
        finished.append("first")

    background.spawn(first())
    await background.idle(1.0)
    assert finished == ["first", "second"] and not background.tasks


@pytest.mark.timeout(10)
async def test_stop_leaves_nothing_pending() -> None:
    background = Background()
    cleaned: list[asyncio.Task[None]] = []

    async def cleanup() -> None:
        await asyncio.sleep(3600)

    async def step() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            background.spawn(cleanup())  # work spawned while being cancelled
            cleaned.extend(background.tasks)

    background.spawn(step())
    await asyncio.sleep(0)
    await background.stop()
    assert not background.tasks
    assert cleaned and all(t.done() for t in cleaned)


@pytest.mark.timeout(10)
async def test_idle_times_out_on_work_that_never_ends() -> None:
    background = Background()
    background.spawn(asyncio.sleep(3600))
    with pytest.raises(TimeoutError):
        await background.idle(0.05)
    await background.stop()
