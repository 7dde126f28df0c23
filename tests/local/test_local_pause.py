"""A pause is a pause: Ctrl-C at the question, no terminal to ask, or the token budget leave a run `waiting`
(resumable); `failed` means failed. The budget is checked before a model call, never in the middle of one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from local_helpers import TWO_CONVERSATIONS, Recorder, make_engine, resume_engine, write_definition

from mojodex_core import CommandCancelled, NotInteractiveError
from mojodex_engine.engine import Engine, StepInfo
from mojodex_engine.errors import ModelError, RunPaused
from mojodex_engine.providers import OpenAIProvider
from mojodex_engine.storage import RunStore, list_runs
from mojodex_engine.testing import FakeOpenAIServer, Reply

REPLIES = ("CEO: plan?", "CPO: the plan\nEND CONVERSATION", "CPO: product\nEND CONVERSATION")


class Raising(Recorder):
    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    async def validate(self, step: StepInfo, result: list[dict[str, str]]) -> tuple[bool, str | None]:
        raise self.exc


def state_of(home: Path, run_id: str) -> dict[str, Any]:
    return dict(json.loads((home / "runs" / run_id / "state.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("exc", [CommandCancelled("cancelled"), NotInteractiveError("no terminal to ask")],
                         ids=["ctrl-c at the question", "no terminal"])
async def test_leaving_the_question_is_a_pause_and_the_run_resumes(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider, exc: Exception
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue(*REPLIES)
    engine = make_engine(home, definition, {"task": "t"}, provider, Raising(exc))
    with pytest.raises(type(exc)):
        await engine.run()
    state = state_of(home, engine.store.run_id)
    assert (state["status"], state["error"]) == ("waiting", None)
    assert state["pending"]["output"] == "the plan"  # the result waits for its validation, kept
    assert [r.status for r in list_runs(home)] == ["waiting"]

    rec = Recorder()
    result = await resume_engine(home, engine.store.run_id, provider, rec).run()
    assert result.status == "done" and len(server.requests) == 3  # the waiting result was not asked again


async def test_a_model_error_is_a_failure(tmp_path: Path, home: Path, server: FakeOpenAIServer,
                                          provider: OpenAIProvider) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.fail_next(3, status=500)
    engine = make_engine(home, definition, {"task": "t"}, provider, Recorder())
    with pytest.raises(ModelError):
        await engine.run()
    state = state_of(home, engine.store.run_id)
    assert state["status"] == "failed" and "500" in state["error"]


class Budget(Recorder):
    """Answers the budget's question from ``answers`` (True: go on), recording each question."""

    def __init__(self, answers: list[bool]) -> None:
        super().__init__()
        self.answers = answers
        self.asked: list[tuple[int, int, int]] = []  # (used, budget, requests made so far)
        self.server: FakeOpenAIServer | None = None

    async def on_budget_reached(self, used: int, budget: int) -> bool:
        self.asked.append((used, budget, len(self.server.requests) if self.server else -1))
        return self.answers.pop(0)


def usage(total: int) -> dict[str, int]:
    return {"prompt_tokens": total - 10, "completion_tokens": 10, "total_tokens": total}


async def test_the_budget_pauses_before_the_call_that_would_pass_it_and_go_on_gives_as_much_again(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    replies = ("CEO: plan?", "CPO: the plan\nEND CONVERSATION", "CPO: a draft", "CEO: fine",
               "CPO: done\nEND CONVERSATION")
    server.queue(*(Reply(text, usage=usage(100)) for text in replies))  # 100 tokens a call
    rec = Budget([True, False])
    rec.server = server
    store = RunStore.create(home, definition, {"task": "t"}, model="test-model", budget=150)
    engine = Engine(store, provider, rec, model="test-model")
    with pytest.raises(RunPaused):
        await engine.run()
    # Asked before the third call (200 tokens of 150): go on, to 200 + 150; asked again before the fifth (400 of
    # 350): stop. Each time before a call, none in the middle of one.
    assert rec.asked == [(200, 150, 2), (400, 350, 4)]
    assert len(server.requests) == 4
    state = state_of(home, store.run_id)
    assert state["status"] == "waiting" and state["pause"] == "budget" and state["error"] is None


async def test_at_the_budget_nobody_to_ask_is_a_pause_and_resuming_goes_on_with_another_budget(
    tmp_path: Path, home: Path, server: FakeOpenAIServer, provider: OpenAIProvider
) -> None:
    definition = write_definition(tmp_path, TWO_CONVERSATIONS)
    server.queue(*(Reply(text, usage=usage(100)) for text in REPLIES))
    store = RunStore.create(home, definition, {"task": "t"}, model="test-model", budget=150)
    with pytest.raises(RunPaused, match="reached its token budget: 200 tokens used of 150"):
        await Engine(store, provider, Recorder(), model="test-model").run()  # an observer that cannot ask
    assert len(server.requests) == 2  # never mid-call: the two calls made are whole, the third never started
    state = state_of(home, store.run_id)
    assert (state["status"], state["pause"], state["usage"]["total_tokens"]) == ("waiting", "budget", 200)
    assert state["values"] == {"Plan": "the plan"} and len(state["log"]) == 2  # paused before Building's call

    result = await resume_engine(home, store.run_id, provider, Recorder()).run()
    assert result.status == "done" and len(server.requests) == 3
    state = state_of(home, store.run_id)
    assert (state["budget"], state["pause"]) == (350, "")  # 200 used + another 150
