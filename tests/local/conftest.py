"""Fixtures of the local-workflow engine tests: a loopback OpenAI server, a provider, a home directory.

Helpers (the recording observer, definitions) are in local_helpers.py.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))

from mojodex_engine.providers import OpenAIProvider  # noqa: E402
from mojodex_engine.testing import FakeOpenAIServer  # noqa: E402


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
async def provider(server: FakeOpenAIServer) -> AsyncIterator[OpenAIProvider]:
    prov = OpenAIProvider(base_url=server.base_url, api_key="test-key", model="test-model", timeout=5, max_retries=2)
    yield prov
    await prov.aclose()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path
