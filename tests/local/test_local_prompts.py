"""Parsing what models answer, and a third-party provider of the simplest shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chunk_iterator import ChunkIterator
from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, write_definition

from mojodex_engine.definitions import parse_definition
from mojodex_engine.prompts import conversation_messages, normalize_message, split_entries, strip_message
from mojodex_engine.providers import OpenAIProvider, Usage
from mojodex_engine.testing import FakeOpenAIServer


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


def test_transcript_is_one_thread_each_message_an_assistant_turn_then_who_speaks() -> None:
    conv = parse_definition(TWO_CONVERSATIONS, ref="t", label="t.toml").conversations[0]
    messages = conversation_messages("sys", "open", conv, [("CEO", "CEO: a"), ("CPO", "CPO: b")])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[1]["content"] == "open\n\nYou speak as: CEO\nThis is message 1 of at most 4."
    assert messages[2:5] == [
        {"role": "assistant", "content": "CEO: a"},
        {"role": "user", "content": "You speak as: CPO\nThis is message 2 of at most 4."},
        {"role": "assistant", "content": "CPO: b"},
    ]
    assert messages[5]["content"].startswith("You speak as: CEO\nThis is message 3 of at most 4.")
    last = conversation_messages("sys", "open", conv, [("CEO", "x"), ("CPO", "y"), ("CEO", "z")])
    assert "This is the last message allowed: write the complete Plan now" in last[-1]["content"]


async def test_each_call_starts_with_the_whole_previous_call_and_the_system_text_never_changes(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: one", "CPO: two", "CEO: three", "CPO: the plan\nEND CONVERSATION",
                 "CPO: build", "CEO: the product\nEND CONVERSATION")
    await make_engine(home, definition, {"task": "A todo app"}, provider, Recorder()).run()
    calls = [r["messages"] for r in server.requests]
    assert len({c[0]["content"] for c in calls}) == 1  # one system text for the whole run
    assert "- task: A todo app" in calls[0][0]["content"]
    for previous, call in [(calls[0], calls[1]), (calls[1], calls[2]), (calls[2], calls[3]), (calls[4], calls[5])]:
        assert call[: len(previous)] == previous  # nothing reordered: the previous call, then two turns more
        assert [m["role"] for m in call[len(previous):]] == ["assistant", "user"]
    # the second conversation reads its input (the accepted plan), not the first one's transcript
    assert "## Plan\nthe plan" in calls[4][1]["content"] and "CEO: three" not in str(calls[4])


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
