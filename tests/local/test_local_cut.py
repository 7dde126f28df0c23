"""What is streamed is what is kept: a model that writes the other role's lines, or END CONVERSATION, is cut at that
point for the screen and the record alike, and the conversation ends only when the text shown ended it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, turn_of, write_definition

from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.streaming import MessageCut
from mojodex_engine.testing import FakeOpenAIServer, Reply


class Screen(Recorder):
    """Also draws the screen as the shell does: the role's name, then the streamed chunks of its message."""

    def __init__(self) -> None:
        super().__init__()
        self.screen = ""
        self.open = False

    async def on_message_chunk(self, role: str, text: str) -> None:
        await super().on_message_chunk(role, text)
        self.screen += text if self.open else f"{role}: {text}"
        self.open = True

    async def on_message_done(self, role: str, text: str) -> None:
        await super().on_message_done(role, text)
        self.screen += "\n" if self.open else f"{text}\n"
        self.open = False


async def test_the_other_role_s_lines_are_cut_from_the_screen_and_the_record_and_do_not_end_it(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue(
        # The lead writes the assistant's answer too, END CONVERSATION included: the user sees none of it.
        "CEO: What is the plan?\n\nCPO: The plan is to build it.\n\nCEO: Great. END CONVERSATION",
        "CPO: The plan: build, then ship.\n\n**END CONVERSATION**\n\nCEO: Thanks!",
        "CPO: Here is the product.\nEND CONVERSATION",
    )
    rec = Screen()
    result = await make_engine(home, definition, {"task": "A todo app"}, provider, rec).run()

    # Three calls: the lead's message did not end the conversation (its END was past the cut), the assistant's did.
    assert len(server.requests) == 3
    assert result.outputs["Plan"] == "The plan: build, then ship."
    assert rec.messages[:2] == [("CEO", "CEO: What is the plan?"), ("CPO", "CPO: The plan: build, then ship.")]
    streamed = "".join(text for _, text in rec.chunks)
    assert "END CONVERSATION" not in streamed and "CPO: The plan is" not in streamed and "Thanks" not in streamed
    assert rec.screen == "".join(f"{text}\n" for _, text in rec.messages)  # the screen is the record

    # What is kept is what the next call sends: the assistant's call has the lead's message as shown, no more.
    second = json.dumps(server.requests[1]["messages"])
    assert "What is the plan?" in second and "The plan is to build it" not in second and "Great." not in second
    state = json.loads((home / "runs" / result.run_id / "state.json").read_text(encoding="utf-8"))
    assert [e["text"] for e in state["log"]][:2] == ["CEO: What is the plan?", "CPO: The plan: build, then ship."]
    log = (home / "runs" / result.run_id / "messages.md").read_text(encoding="utf-8")
    assert "END CONVERSATION" not in log and "Thanks" not in log


async def test_without_a_cut_the_conversation_runs_to_its_turn_limit(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    """The notebook's runaway: every answer writes both roles. Cut each time, it never ends early, and every
    message kept is one role's own."""
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    def both_roles(body: dict[str, Any]) -> str:
        speaker = turn_of(body)[1]
        other = "CPO" if speaker == "CEO" else "CEO"
        return f"{speaker}: mine\n{other}: theirs\nEND CONVERSATION"

    server.reply_fn = both_roles
    rec = Recorder()
    result = await make_engine(home, definition, {"task": "t"}, provider, rec).run()
    assert result.cut_steps == ["Planning", "Building"]  # 4 and 3 turns: the limits
    assert len(server.requests) == 7
    assert {text.split(": ", 1)[1] for _, text in rec.messages} == {"mine"}


@pytest.mark.parametrize("reply", [
    "CEO: Hello.\n\nCPO: Hi!",
    "**CEO:** Hello.\nEND CONVERSATION",
    "CEO: Hello. **END CONVERSATION**",
    "  CEO:\n\nHello.\n\n> **CPO**: Hi",
    "Hello.\nCPO: Hi",
    "CEO: Hello.\n\n_END CONVERSATION_",
])
def test_every_way_of_cutting_the_chunks_shows_the_same_message(reply: str) -> None:
    shown = set()
    for size in (1, 2, 3, 5, 8, len(reply)):
        cut = MessageCut("CEO", "CPO")
        out = "".join(cut.feed(reply[i : i + size]) for i in range(0, len(reply), size)) + cut.finish()
        assert out == cut.body
        shown.add(out)
    assert shown == {"Hello."}


def test_a_long_message_streamed_a_character_at_a_time_is_shown_whole() -> None:
    text = "CEO: " + "A line of the design, with **bold** and snake_case_names_.\n" * 500
    cut = MessageCut("CEO", "CPO")
    out = "".join(cut.feed(c) for c in text) + cut.finish()  # each chunk looks at what is not shown yet only
    assert out == text[5:].rstrip() and not cut.cut


def test_a_role_s_name_inside_a_line_or_a_longer_name_is_no_cut() -> None:
    cut = MessageCut("CEO", "CPO")
    text = "CEO: The CPO: agrees.\nCPOs: all of them.\nEND of the story."
    out = "".join(cut.feed(piece) for piece in re.findall(r"\S+\s*|\s+", text)) + cut.finish()
    assert out == "The CPO: agrees.\nCPOs: all of them.\nEND of the story." and not cut.cut and not cut.ended


async def test_an_end_alone_ends_and_the_output_is_the_last_real_message(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: The plan: ship it.", Reply("CPO: END CONVERSATION", chunks=["CPO: E", "ND CONV", "ERSATION"]),
                 "CPO: Product.\nEND CONVERSATION")
    rec = Screen()
    result = await make_engine(home, definition, {"task": "t"}, provider, rec).run()
    assert "END" not in rec.screen and "CPO:\n" in rec.screen
    assert result.outputs["Plan"] == "The plan: ship it." and result.cut_steps == []
    assert ("CPO", "CPO:") in rec.messages and not [t for r, t in rec.chunks if "END" in t]
