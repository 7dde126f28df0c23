"""The loopback OpenAI-compatible server itself, seen through the real SDK."""

from __future__ import annotations

import openai
import pytest

from mojodex_engine.testing import FakeOpenAIServer, Reply


async def test_models_non_streaming_and_scripted_function(server: FakeOpenAIServer) -> None:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    models = await client.models.list()
    assert [m.id for m in models.data] == ["test-model"]

    server.reply_fn = lambda body: Reply("echo: " + body["messages"][-1]["content"])
    answer = await client.chat.completions.create(model="test-model", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content == "echo: hi"
    assert answer.usage is not None and answer.usage.completion_tokens == 2
    assert server.requests[-1]["messages"] == [{"role": "user", "content": "hi"}]

    stream = await client.chat.completions.create(
        model="test-model",
        messages=[{"role": "user", "content": "yo"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [c async for c in stream]
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: yo"
    await client.close()


async def test_no_scripted_reply_is_a_400(server: FakeOpenAIServer) -> None:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="test-key", max_retries=0)
    with pytest.raises(openai.BadRequestError, match="no scripted reply"):
        await client.chat.completions.create(model="test-model", messages=[{"role": "user", "content": "x"}])
    await client.close()
