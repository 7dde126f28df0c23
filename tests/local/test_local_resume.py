"""Runs cut at any point resume where they stopped: nothing asked twice, nothing lost."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, resume_engine, turn_of, write_definition

import mojodex_engine.storage as storage
from mojodex_core._errors import MojodexError
from mojodex_engine.definitions import get_definition
from mojodex_engine.errors import ModelError, RunNotFoundError
from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.storage import RunStore, find_run, list_runs
from mojodex_engine.testing import FakeOpenAIServer


def speaker_turns(server: FakeOpenAIServer) -> list[tuple[str, str]]:
    return [(conv, str(turn)) for conv, _, turn in map(turn_of, server.requests)]


async def test_cancel_mid_stream_then_resume(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: first message, kept", "CPO: half of a message that never ends")
    server.stall_next(after_chunks=3, at_request=2)
    rec = Recorder()
    engine = make_engine(home, definition, {"task": "t"}, provider, rec)
    run_id = engine.store.run_id
    task = asyncio.create_task(engine.run())
    await asyncio.wait_for(server.stalled.wait(), 5)
    await rec.wait_for_chunk("CPO")  # the half message was streamed...
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    state = json.loads((engine.store.path / "state.json").read_text())
    assert state["status"] == "waiting"  # Ctrl-C mid-answer is a pause
    assert [m["text"] for m in state["messages"]] == ["CEO: first message, kept"]  # ...and discarded
    assert [r.status for r in list_runs(home)] == ["waiting"]

    server.release()
    server.queue("CPO: the whole plan\nEND CONVERSATION", "CPO: product\nEND CONVERSATION")
    rec2 = Recorder()
    result = await resume_engine(home, run_id, provider, rec2).run()

    assert result.status == "done" and result.outputs["Plan"] == "the whole plan"
    # message 1 was asked once; message 2 twice (cut, then again); nothing else repeated
    assert speaker_turns(server) == [("Planning", "1"), ("Planning", "2"), ("Planning", "2"), ("Building", "1")]
    resumed = server.requests[2]["messages"]
    assert sum("first message, kept" in m["content"] for m in resumed) == 1
    assert not any("half of a message" in m["content"] for m in resumed)
    started = rec2.of("started")[0][1]
    assert started.resumed and started.transcript == (("CEO", "CEO: first message, kept"),)
    log = (engine.store.path / "messages.md").read_text()
    assert log.count("first message, kept") == 1 and "half of a message" not in log
    state = json.loads((engine.store.path / "state.json").read_text())
    assert [e["text"] for e in state["log"]] == [
        "CEO: first message, kept",
        "CPO: the whole plan",  # what was shown: END CONVERSATION is not
        "CPO: product",
    ]


async def test_dead_endpoint_then_resume(tmp_path: Path, home: Path, server: FakeOpenAIServer) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    fragile = OpenAIProvider(base_url=server.base_url, api_key="test-key", model="test-model", max_retries=0)
    server.queue("CEO: one", "CPO: plan\nEND CONVERSATION")
    engine = make_engine(home, definition, {"task": "t"}, fragile, Recorder())
    server.fail_next(1, 500, at_request=3)  # the first message of the second conversation
    with pytest.raises(ModelError, match=r"failed \(500\)"):
        await engine.run()
    summary = list_runs(home)[0]
    assert (summary.status, summary.step, summary.step_number, summary.total_steps) == ("failed", "Building", 2, 2)
    assert summary.error and "500" in summary.error

    server.queue("CPO: product\nEND CONVERSATION")
    result = await resume_engine(home, engine.store.run_id, fragile, Recorder()).run()
    assert result.status == "done" and result.outputs == {"Plan": "plan", "Product": "product"}
    assert speaker_turns(server) == [("Planning", "1"), ("Planning", "2"), ("Building", "1"), ("Building", "1")]
    await fragile.aclose()


async def test_cancel_at_validation_resumes_without_asking_the_model(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue("CEO: one", "CPO: plan\nEND CONVERSATION")
    engine = make_engine(home, definition, {"task": "t"}, provider, Recorder(["cancel"]))
    with pytest.raises(asyncio.CancelledError):
        await engine.run()
    assert len(server.requests) == 2

    server.queue("CPO: product\nEND CONVERSATION")
    rec = Recorder()
    result = await resume_engine(home, engine.store.run_id, provider, rec).run()
    assert len(server.requests) == 3
    first = rec.of("ended")[0]
    assert first[1].resumed and first[2] == [{"Plan": "plan"}]
    assert result.outputs["Plan"] == "plan"


async def test_resume_in_the_middle_of_a_fan_out(
    home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:

    poem = get_definition(home, "write-poem")
    server.queue("a\nb\nc", "stanza a", "stanza b")
    engine = make_engine(
        home, poem, {"poem_topic": "x", "n_stanzas": "3"}, provider, Recorder([(True, None), (True, None), "cancel"])
    )
    with pytest.raises(asyncio.CancelledError):
        await engine.run()
    server.queue("stanza c")
    rec = Recorder()
    result = await resume_engine(home, engine.store.run_id, provider, rec).run()
    assert len(server.requests) == 4
    assert [(e[1].fan_index, e[2]) for e in rec.of("ended")] == [
        (1, [{"stanza": "stanza b"}]),
        (2, [{"stanza": "stanza c"}]),
    ]
    assert result.outputs["stanza"] == "stanza a\n\nstanza b\n\nstanza c"


async def test_finding_runs(tmp_path: Path, home: Path) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    a = RunStore.create(home, definition, {"task": "t"}, run_id="20250101-000000-aaaa")
    b = RunStore.create(home, definition, {"task": "t"}, run_id="20250102-000000-bbbb")
    assert [r.run_id for r in list_runs(home)] == [b.run_id, a.run_id]
    assert find_run(home, "last") == b.run_id
    assert find_run(home, "20250101") == a.run_id
    with pytest.raises(RunNotFoundError, match="several runs"):
        find_run(home, "2025")
    with pytest.raises(RunNotFoundError, match="no run 'zzz'"):
        find_run(home, "zzz")
    with pytest.raises(RunNotFoundError):
        RunStore.open(home, "20990101-000000-0000")
    snapshot = RunStore.open(home, a.run_id).definition()
    assert snapshot.name == "Two talks" and snapshot.plan()[0].step.name == "Planning"


async def test_a_write_error_stops_the_run_with_one_line(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    engine = make_engine(home, definition, {"task": "t"}, provider, Recorder())

    def full(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "atomic_write", full)
    server.queue("CEO: one", "CPO: plan\nEND CONVERSATION")
    with pytest.raises(MojodexError, match=r"cannot write in .*No space left on device") as info:
        await engine.run()
    assert "\n" not in str(info.value)
    assert len(server.requests) <= 2
