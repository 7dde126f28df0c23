"""What the reference server saw and did, for assertions: requests, socket events, emits, connections,
acknowledgements and their re-sends, generator calls."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..task_store import FormFile


class Headers(dict[str, str]):
    """A dict of request headers whose lookups ignore case (keys stored lower-case)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__((str(k).lower(), v) for k, v in dict(items).items())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: Headers
    body: str = ""
    status: int | None = None  # filled in once answered
    fault: str | None = None  # "fail", "garbage", "truncate" or "deep" when a fault knob answered it
    form: dict[str, str] | None = None  # the fields of a form body (multipart or urlencoded)
    files: dict[str, FormFile] = field(default_factory=dict)  # the files of a multipart body, by field name


@dataclass(frozen=True)
class GeneratorCall:
    step_name: str
    parameter: dict[str, Any]
    instruction: str | None = None


RECORD_KEY = web.RequestKey("record", RecordedRequest)


@dataclass
class Recorder:
    requests: list[RecordedRequest] = field(default_factory=list)
    socket_log: list[tuple[str, Any]] = field(default_factory=list)
    emitted: list[tuple[str, Any]] = field(default_factory=list)
    # ("connect" | "refused" | "disconnect", sid)
    connections: list[tuple[str, str]] = field(default_factory=list)
    acks: list[tuple[str, Any]] = field(default_factory=list)  # (event, what a client answered), every answer
    resent: list[tuple[str, Any]] = field(default_factory=list)  # (event, payload) of every re-send
    generator_calls: list[GeneratorCall] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=dict)  # how many mojo_token / draft_token events were sent
    _changed: asyncio.Event | None = None

    def changed(self) -> None:
        """Wake every ``wait_until`` so it re-checks its predicate."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Return the predicate's first truthy value; re-checked after every recorded change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            if self._changed is None:
                self._changed = asyncio.Event()
            event = self._changed
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                raise TimeoutError(f"condition not met within {timeout} s") from None
