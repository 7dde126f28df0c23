"""One shell at a time drives a local run: a second one is told, in one line, and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, resume_engine, write_definition

from mojodex_core import MojodexError
from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.testing import FakeOpenAIServer


async def test_a_run_driven_by_another_shell_is_refused_until_that_one_lets_go(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    first = make_engine(home, definition, {"task": "t"}, provider, Recorder())
    first.store.claim()  # as the shell that is running it, at a question, holds it
    state = first.store.path / "state.json"
    before = state.read_bytes()

    second = resume_engine(home, first.store.run_id, provider, Recorder())
    with pytest.raises(MojodexError, match=f"run {first.store.run_id} is open in another shell"):
        await second.run()
    assert state.read_bytes() == before and server.requests == []  # nothing written, nothing asked of the model

    first.store.close()  # that shell left (or ended): the run is free again
    server.queue("CEO: hi", "CPO: the plan\nEND CONVERSATION", "CPO: the product\nEND CONVERSATION")
    result = await resume_engine(home, first.store.run_id, provider, Recorder()).run()
    assert result.status == "done"
    assert json.loads(state.read_text())["status"] == "done"
