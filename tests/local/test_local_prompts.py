"""Parsing what models answer, and a third-party provider of the simplest shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, write_definition

from mojodex_engine.prompts import conversation_messages, normalize_message, split_entries, strip_message
from mojodex_engine.providers import Usage


def test_normalize_adds_the_prefix_and_cuts_lines_of_the_other_role() -> None:
    assert normalize_message("CEO", "CPO", "Hello") == "CEO: Hello"
    assert normalize_message("CEO", "CPO", "**CEO:** Hello") == "CEO: Hello"
    assert normalize_message("CEO", "CPO", "ceo:\n\nHello") == "CEO: Hello"
    assert normalize_message("CEO", "CPO", "CEO: Hi\nCPO: I answer for myself") == "CEO: Hi"
    assert normalize_message("CEO", "CPO", "CEO: see CPO: inline") == "CEO: see CPO: inline"


def test_strip_message_removes_prefix_and_marker() -> None:
    assert strip_message("CPO", "CPO: The plan\n\n**END CONVERSATION**") == "The plan"
    assert strip_message("CPO", "CPO: END CONVERSATION") == ""


def test_split_entries() -> None:
    text = '1. One\n2) "Two"\n\n- Three\n* **Four**\n“Five”\n'
    assert split_entries(text) == ["One", "Two", "Three", "Four", "Five"]


def test_transcript_turns_are_merged_from_the_speakers_side() -> None:
    messages = conversation_messages("sys", "open", [("CEO", "CEO: a"), ("CPO", "CPO: b")], "CEO")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    messages = conversation_messages("sys", "open", [("CEO", "CEO: a"), ("CPO", "CPO: b")], "CPO")
    assert messages[1:] == [{"role": "user", "content": "open\n\nCEO: a"}, {"role": "assistant", "content": "CPO: b"}]


class ChunkIterator:
    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        if not self.chunks:
            raise StopAsyncIteration
        return self.chunks.pop(0)


class PlainProvider:
    """The hookspec's minimal shape: no preflight, a plain async iterator, a dict as usage."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.usage: Any = None

    async def stream(self, messages: list[dict[str, str]], *, model: str, temperature: float) -> Any:
        self.usage = {"prompt_tokens": 5, "completion_tokens": 1}
        return ChunkIterator([self.replies.pop(0)])


async def test_a_third_party_provider_of_the_simplest_shape(tmp_path: Path, home: Path) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    provider = PlainProvider(["CEO: a", "CPO: b\nEND CONVERSATION", "CPO: c\nEND CONVERSATION"])
    result = await make_engine(home, definition, {"task": "t"}, provider, Recorder()).run()
    assert result.outputs == {"Plan": "b", "Product": "c"}
    assert result.usage == Usage(15, 3)
