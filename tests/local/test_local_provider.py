"""OpenAIProvider against the loopback server: retries, and every failure as one clear line."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mojodex_core._errors import ConfigError, MojodexError
from mojodex_engine.errors import (
    ModelAuthError,
    ModelError,
    ModelNotFoundError,
    ModelRateLimitError,
    ModelStreamError,
    ModelUnreachableError,
)
from mojodex_engine.providers import OfflineProvider, OpenAIProvider, Usage
from mojodex_engine.testing import FakeOpenAIServer, Reply

MESSAGES = [{"role": "user", "content": "Say hello"}]


async def collect(provider: OpenAIProvider, model: str = "test-model") -> str:
    return "".join([c async for c in provider.stream(MESSAGES, model=model, temperature=0.1)])


@pytest.fixture
async def quick(server: FakeOpenAIServer) -> AsyncIterator[OpenAIProvider]:
    prov = OpenAIProvider(base_url=server.base_url, api_key="test-key", model="test-model", timeout=5, max_retries=1)
    yield prov
    await prov.aclose()


async def test_streams_chunks_and_usage(server: FakeOpenAIServer, provider: OpenAIProvider) -> None:
    server.queue(Reply("Hello there", chunks=["Hel", "lo ", "there"]))
    chunks = [c async for c in provider.stream(MESSAGES, model="test-model", temperature=0.3)]
    assert chunks == ["Hel", "lo ", "there"]
    assert provider.usage == Usage(prompt_tokens=2, completion_tokens=2)
    assert server.headers[0]["Authorization"] == "Bearer test-key"


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_429_and_5xx_are_retried(server: FakeOpenAIServer, provider: OpenAIProvider, status: int) -> None:
    server.fail_next(2, status)
    server.queue("finally")
    assert await collect(provider) == "finally"
    assert len(server.requests) == 3  # max_retries=2: two failures, then the answer


async def test_rate_limit_after_all_retries(server: FakeOpenAIServer, quick: OpenAIProvider) -> None:
    server.fail_next(2, 429)
    with pytest.raises(ModelRateLimitError) as info:
        await collect(quick)
    assert str(info.value) == "the model endpoint is rate limiting (429) after 1 retries: Scripted failure 429."
    assert len(server.requests) == 2


async def test_server_error_after_all_retries(server: FakeOpenAIServer, quick: OpenAIProvider) -> None:
    server.fail_next(2, 500)
    with pytest.raises(ModelError, match=r"^the model endpoint failed \(500\) after 1 retries"):
        await collect(quick)


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("json", ModelStreamError, "sent a malformed stream: Unterminated string"),
        ("truncated", ModelStreamError, "ended its answer before it was complete"),
        ("error", ModelError, "reported an error mid-answer: The server had an error mid-stream."),
    ],
)
async def test_malformed_stream_is_a_clear_error(
    server: FakeOpenAIServer, provider: OpenAIProvider, kind: str, error: type[Exception], message: str
) -> None:
    server.malformed_next(kind)
    server.queue("one two three four")
    with pytest.raises(error) as info:
        await collect(provider)
    assert message in str(info.value)
    assert isinstance(info.value, MojodexError) and "\n" not in str(info.value)
    assert len(server.requests) == 1  # a broken stream is not retried: the answer had begun


async def test_wrong_key(server: FakeOpenAIServer) -> None:
    prov = OpenAIProvider(base_url=server.base_url, api_key="wrong", model="test-model", max_retries=0)
    with pytest.raises(ModelAuthError) as info:
        await collect(prov)
    assert str(info.value) == f"the model endpoint refused the API key (401 from {server.base_url})"
    with pytest.raises(ModelAuthError, match="refused the API key"):
        await prov.preflight()
    await prov.aclose()


async def test_unknown_model(server: FakeOpenAIServer, provider: OpenAIProvider) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await collect(provider, model="gpt-9")
    assert str(info.value) == f"the model endpoint at {server.base_url} has no model 'gpt-9' (404)"
    bad = OpenAIProvider(base_url=server.base_url, api_key="test-key", model="gpt-9")
    with pytest.raises(ModelNotFoundError, match="has no model 'gpt-9'"):
        await bad.preflight()
    await bad.aclose()


async def test_unreachable_endpoint_names_the_url() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    prov = OpenAIProvider(base_url=url, api_key="k", model="m", max_retries=0, timeout=2)
    with pytest.raises(ModelUnreachableError, match=rf"^cannot reach the model endpoint at {url}: "):
        await prov.preflight()
    with pytest.raises(ModelUnreachableError, match=rf"^cannot reach the model endpoint at {url}"):
        await collect(prov)
    await prov.aclose()


async def test_stalled_stream_times_out(server: FakeOpenAIServer) -> None:
    prov = OpenAIProvider(base_url=server.base_url, api_key="test-key", model="test-model", timeout=0.3, max_retries=0)
    server.stall_next(after_chunks=1)
    server.queue("a b c")
    with pytest.raises(ModelUnreachableError, match=r"stopped answering mid-answer within 0\.3 s"):
        await collect(prov)
    await prov.aclose()


async def test_preflight_ok(server: FakeOpenAIServer, provider: OpenAIProvider) -> None:
    server.queue("OK")
    await provider.preflight()
    assert server.requests[0]["max_tokens"] == 1 and not server.requests[0].get("stream")


def test_no_key_without_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="no API key"):
        OpenAIProvider()
    assert OpenAIProvider(base_url="http://127.0.0.1:1/v1")._api_key == "unused"


async def test_offline_provider_is_labelled() -> None:
    prov = OfflineProvider()
    text = "".join([c async for c in prov.stream(MESSAGES, model="x", temperature=0)])
    assert text.startswith("[offline demo]")
    assert prov.usage is not None and prov.usage.completion_tokens > 0


def test_openai_is_not_imported_with_the_package() -> None:
    plugins = Path(__file__).resolve().parents[2] / "plugins"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import mojodex_engine.engine, mojodex_engine.providers, mojodex_engine.storage, mojodex_engine.definitions;"
        "print('openai' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(plugins)], capture_output=True, text=True, check=True, cwd=plugins.parent
    )
    assert out.stdout.strip() == "False"
