"""Servers a test starts in threads of their own, each stopped when the test ends (the ``start_*`` fixtures)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar


class Startable(Protocol):
    def start(self) -> Any: ...
    def stop(self) -> None: ...


T = TypeVar("T", bound=Startable)


def start_each(kind: Callable[..., T]) -> Iterator[Callable[..., T]]:
    """For a fixture to ``yield from``: ``start(**kwargs)`` builds one more ``kind(**kwargs)``, starts it and
    returns it; all of them are stopped at the end."""
    started: list[T] = []

    def start(**kwargs: Any) -> T:
        thread = kind(**kwargs)
        thread.start()
        started.append(thread)
        return thread

    yield start
    for thread in started:
        thread.stop()
