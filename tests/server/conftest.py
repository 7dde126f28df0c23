"""Fixtures for the reference server's tests: a running server, an HTTP client, Socket.IO probes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from server_helpers import DEMO, SocketProbe

from mojodex_server import ReferenceServer


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(first_pk=101) as srv:
        yield srv


@pytest.fixture
async def client(server: ReferenceServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
        yield http


@pytest.fixture
def token(server: ReferenceServer) -> str:
    return server.token_for(DEMO)


@pytest.fixture
async def probes() -> AsyncIterator[Callable[..., Any]]:
    made: list[SocketProbe] = []

    async def make(url: str, token: str | None, reconnection: bool = False, answer_acks: bool = True) -> SocketProbe:
        probe = SocketProbe(url, token, reconnection, answer_acks)
        made.append(probe)
        await probe.connect()
        return probe

    yield make
    for probe in made:
        await probe.close()
