"""The engine against the real openai SDK and the loopback server: conversations, fan-out, validation."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from local_helpers import TWO_CONVERSATIONS, Recorder, cue_of, make_engine, text_of, turn_of, write_definition

from mojodex_engine.definitions import get_definition
from mojodex_engine.providers import OpenAIProvider, Usage
from mojodex_engine.testing import FakeOpenAIServer


async def test_end_conversation_ends_and_gives_the_output(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue(
        "CEO: What should the plan be?",
        "**CPO:** The plan:\n1. build\n2. ship\n\nEND CONVERSATION",
        "CPO: Here is the product.\nEND CONVERSATION",
    )
    rec = Recorder()
    result = await make_engine(home, definition, {"task": "A todo app"}, provider, rec).run()

    assert result.status == "done"
    assert result.outputs["Plan"] == "The plan:\n1. build\n2. ship"
    assert result.outputs["Product"] == "Here is the product."
    assert result.cut_steps == []
    # roles alternate, the lead first; every message starts with its role's name
    assert rec.messages[:2] == [
        ("CEO", "CEO: What should the plan be?"),
        ("CPO", "CPO: The plan:\n1. build\n2. ship"),  # as shown: END CONVERSATION ended it, unseen
    ]
    assert turn_of(server.requests[0]) == ("Planning", "CEO", 1)
    assert turn_of(server.requests[1]) == ("Planning", "CPO", 2)
    # the assistant sees the lead's line as the other side's turn; each request streams with usage
    req = server.requests[1]
    assert req["stream"] is True and req["stream_options"] == {"include_usage": True}
    assert req["model"] == "test-model" and req["temperature"] == 0.2
    assert [m["role"] for m in req["messages"]] == ["system", "user", "assistant", "user"]
    assert req["messages"][2]["content"] == "CEO: What should the plan be?"
    assert "START CONVERSATION Planning" in req["messages"][1]["content"]
    assert "A todo app" in req["messages"][1]["content"]
    # events: started, messages, ended with [{"<artifact>": text}]
    ended = rec.of("ended")
    assert [e[2] for e in ended] == [[{"Plan": "The plan:\n1. build\n2. ship"}], [{"Product": "Here is the product."}]]
    first = ended[0][1]
    assert (first.name, first.kind, first.lead, first.assistant, first.index, first.total) == (
        "Planning", "conversation", "CEO", "CPO", 0, 2,
    )  # fmt: skip
    assert not first.cut and first.usage.completion_tokens > 0
    # the chunks are the message's body, as kept (the observer writes the role's name)
    assert "".join(text for role, text in rec.chunks if role == "CEO") == "What should the plan be?"


async def test_turn_limit_cuts_the_conversation(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS.replace("turns = 4", "turns = 3"))
    server.queue("CEO: one", "CPO: two", "Three, without a prefix", "CPO: product\nEND CONVERSATION")
    rec = Recorder()
    result = await make_engine(home, definition, {"task": "t"}, provider, rec).run()
    assert len(server.requests) == 4
    assert result.cut_steps == ["Planning"]
    assert result.outputs["Plan"] == "Three, without a prefix"
    assert rec.messages[2] == ("CEO", "CEO: Three, without a prefix")
    first_end = rec.of("ended")[0][1]
    assert first_end.cut
    assert "This is message 3 of at most 3." in cue_of(server.requests[2])
    assert "This is the last message allowed" in cue_of(server.requests[2])


async def test_outputs_pass_to_later_conversations(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: plan it", "CPO: PLAN-XYZ: do A then B.\nEND CONVERSATION", "CPO: built\nEND CONVERSATION")
    await make_engine(home, definition, {"task": "t"}, provider, Recorder()).run()
    second = server.requests[2]
    assert "START CONVERSATION Building" in text_of(second)
    assert "## Plan\nPLAN-XYZ: do A then B." in text_of(second)
    assert turn_of(second) == ("Building", "CPO", 1)


async def test_reject_with_reason_reruns_with_the_reason(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue(
        "CEO: draft?",
        "CPO: vague plan\nEND CONVERSATION",
        "CEO: again, with numbers",
        "CPO: plan with 3 numbered steps\nEND CONVERSATION",
        "CPO: product\nEND CONVERSATION",
    )
    rec = Recorder([(False, "too vague: add numbers")])
    result = await make_engine(home, definition, {"task": "t"}, provider, rec).run()
    assert result.outputs["Plan"] == "plan with 3 numbered steps"
    rerun = server.requests[2]
    assert "Reason: too vague: add numbers" in text_of(rerun)
    assert "> vague plan" in text_of(rerun)
    attempts = [e[1].attempt for e in rec.of("started")]
    assert attempts == [1, 2, 1]
    assert len({e[1].execution_id for e in rec.of("started")}) == 3
    assert result.steps[0]["attempts"] == 2


async def test_fan_out_runs_the_next_step_once_per_entry(
    home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    poem = get_definition(home, "write-poem")
    server.queue(
        '1. Buds open\n- Birds return\n\n"Long days"\n',
        "Stanza about buds",
        "Stanza about birds",
        "Stanza about days",
    )
    rec = Recorder()
    engine = make_engine(home, poem, {"poem_topic": "Spring", "n_stanzas": "3"}, provider, rec)
    result = await engine.run()

    assert "Spring" in text_of(server.requests[0]) and "3 stanzas" in text_of(server.requests[0])
    started = [e[1] for e in rec.of("started")]
    assert [(s.name, s.fan_index, s.fan_count) for s in started] == [
        ("stanza_divider", None, None),
        ("stanza_writer", 0, 3),
        ("stanza_writer", 1, 3),
        ("stanza_writer", 2, 3),
    ]
    results = [e[2] for e in rec.of("ended")]
    assert results[0] == [
        {"stanza_topic": "Buds open"},
        {"stanza_topic": "Birds return"},
        {"stanza_topic": "Long days"},
    ]
    assert results[1:] == [
        [{"stanza": "Stanza about buds"}],
        [{"stanza": "Stanza about birds"}],
        [{"stanza": "Stanza about days"}],
    ]
    for request, topic in zip(server.requests[1:], ["Buds open", "Birds return", "Long days"], strict=True):
        assert f"Write the stanza whose topic is: {topic}" in text_of(request)
    assert result.outputs["stanza"] == "Stanza about buds\n\nStanza about birds\n\nStanza about days"
    run_dir = engine.store.path
    assert (run_dir / "stanza.md").read_text().startswith("# stanza\n\nStanza about buds")
    assert "- Buds open" in (run_dir / "stanza-topic.md").read_text()


async def test_usage_is_counted_per_step_and_in_total(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    from mojodex_engine.testing import Reply

    usage = {"prompt_tokens": 100, "completion_tokens": 7, "total_tokens": 107}
    server.queue(
        Reply("CEO: hi", usage=usage),
        Reply("CPO: p\nEND CONVERSATION", usage=usage),
        Reply("CPO: q\nEND CONVERSATION", usage=usage),
    )
    rec = Recorder()
    result = await make_engine(home, definition, {"task": "t"}, provider, rec).run()
    assert [e[1].usage for e in rec.of("ended")] == [Usage(200, 14), Usage(100, 7)]
    assert result.usage == Usage(300, 21)


async def test_run_files_are_written_privately(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: hi", "CPO: the plan\nEND CONVERSATION", "CPO: the product\nEND CONVERSATION")
    engine = make_engine(home, definition, {"task": "t"}, provider, Recorder())
    await engine.run()
    run_dir = engine.store.path
    names = sorted(p.name for p in run_dir.iterdir())
    assert names == [".lock", "messages.md", "plan.md", "product.md", "state.json", "workflow.toml"]
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "runs").stat().st_mode) == 0o700
    for path in run_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "done" and state["values"]["Plan"] == "the plan"
    assert (run_dir / "plan.md").read_text() == "# Plan\n\nthe plan\n"
    log = (run_dir / "messages.md").read_text()
    assert log.index("## Planning") < log.index("CEO: hi") < log.index("## Building") < log.index("CPO: the product")
