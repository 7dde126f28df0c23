"""`rewind`: an accepted step reopened at its question, only the steps after it asked of the model again."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from local_controls_helpers import THREE_TALKS, conversations, three_talks_reply
from local_helpers import Recorder, make_engine, resume_engine, write_definition

from mojodex_core import MojodexError, UsageError
from mojodex_engine.definitions import get_definition
from mojodex_engine.engine import Edited
from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.rewind import rewind
from mojodex_engine.storage import RunStore
from mojodex_engine.testing import FakeOpenAIServer


async def _done_run(tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider) -> str:
    server.reply_fn = three_talks_reply
    engine = make_engine(home, write_definition(tmp_path, THREE_TALKS), {"task": "hello app"}, provider, Recorder())
    assert (await engine.run()).status == "done"
    assert conversations(server.requests) == ["Planning"] * 2 + ["Coding"] * 2 + ["Reviewing"] * 2
    return engine.store.run_id


async def test_rewind_reopens_the_step_and_asks_the_model_only_for_the_steps_after_it(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    run_id = await _done_run(tmp_path, home, server, provider)
    store = RunStore.open(home, run_id)
    item = rewind(store, "coding")  # a name, in any case
    store.close()
    assert item.ordinal == 1
    state = json.loads((store.path / "state.json").read_text())
    assert (state["status"], state["ordinal"], [s["name"] for s in state["steps"]]) == ("waiting", 1, ["Planning"])
    assert "Notes" not in state["values"] and not (store.path / "notes.md").exists()

    rec = Recorder()
    result = await resume_engine(home, run_id, provider, rec).run()
    assert result.status == "done"
    # the reopened step is shown again as it was accepted, not asked of the model; only Reviewing is
    first = rec.of("started")[0][1]
    assert (first.name, first.resumed) == ("Coding", True)
    assert rec.of("ended")[0][2] == [{"Code": result.outputs["Code"]}]
    assert conversations(server.requests[6:]) == ["Reviewing", "Reviewing"]
    assert result.outputs["Plan"] == "PLAN-1: write hello"
    assert [s["name"] for s in result.steps] == ["Planning", "Coding", "Reviewing"]


async def test_a_rewind_left_at_the_question_resumes_there_and_an_edit_reaches_the_later_steps(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    run_id = await _done_run(tmp_path, home, server, provider)
    store = RunStore.open(home, run_id)
    rewind(store, "1")
    store.close()
    with pytest.raises(asyncio.CancelledError):  # Ctrl-C at the reopened step's question
        await resume_engine(home, run_id, provider, Recorder(["cancel"])).run()
    assert len(server.requests) == 6

    rec = Recorder([Edited("PLAN-EDITED: write goodbye"), (True, None)])
    result = await resume_engine(home, run_id, provider, rec).run()
    assert result.outputs["Plan"] == "PLAN-EDITED: write goodbye"
    assert conversations(server.requests[6:]) == ["Coding"] * 2 + ["Reviewing"] * 2
    assert "## Plan\nPLAN-EDITED: write goodbye" in server.requests[6]["messages"][1]["content"]
    assert "PLAN-1" not in json.dumps(server.requests[6:])


async def test_rewind_refuses_a_step_not_accepted_yet_and_names_the_steps_for_an_unknown_one(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    server.reply_fn = three_talks_reply
    engine = make_engine(home, write_definition(tmp_path, THREE_TALKS), {"task": "x"}, provider,
                         Recorder([(True, None), "cancel"]))
    with pytest.raises(asyncio.CancelledError):
        await engine.run()  # Planning accepted, Ctrl-C at Coding's question
    store = RunStore.open(home, engine.store.run_id)
    with pytest.raises(MojodexError, match=r"step 2 \(Coding\) of run .* is not accepted yet: `workflow resume"):
        rewind(store, "2")
    with pytest.raises(UsageError, match=r"no step 'Testing' in Three talks \(1\. Planning, 2\. Coding, 3\. "):
        rewind(store, "Testing")
    with pytest.raises(UsageError, match=r"STEP: 9 is not a step number of Three talks \(1 to 3\)"):
        rewind(store, "9")


async def test_rewind_to_a_fan_out_step_runs_each_entry_s_step_again(
    home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    server.queue("Buds\nBirds", "Stanza about buds", "Stanza about birds")
    engine = make_engine(home, get_definition(home, "write-poem"), {"poem_topic": "Spring", "n_stanzas": "2"},
                         provider, Recorder())
    await engine.run()
    store = RunStore.open(home, engine.store.run_id)
    rewind(store, "1")
    store.close()
    server.queue("New buds", "New birds")
    result = await resume_engine(home, engine.store.run_id, provider, Recorder()).run()
    assert len(server.requests) == 5  # the plan was not asked again; each stanza was
    assert result.outputs["stanza"] == "New buds\n\nNew birds"
