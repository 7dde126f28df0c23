"""Mojodex 0.4: instruct tasks (drafts streamed token by token, new versions per message, questions)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from server04_helpers import ASSIST, MINUTES, joined_run, nth, server04

from mojodex_server import DEMO_PREFIX
from mojodex_server.assistant import Reply, Turn

Probes = Callable[..., Any]
DRAFT_KEYS = {"produced_text", "produced_text_title", "produced_text_pk", "produced_text_version_pk",
              "user_task_execution_pk", "text_type", "text", "text_with_tags", "session_id", "message_pk", "audio"}


async def test_draft_stream_then_new_version_per_message(probes: Probes) -> None:
    async with server04(draft_tokens=80) as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, ASSIST, {"request": "A note to thank my team"})
        sid, pk = run["session_id"], run["user_task_execution_pk"]
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        assert [e for e, _ in probe.events][1] == "user_task_execution_title"
        assert probe.named("user_task_execution_title")[0]["title"] == "General Assistance: A note to thank my team"
        tokens = probe.named("draft_token")
        assert len(tokens) >= 80 and srv.recorder.tokens["draft_token"] == len(tokens)
        texts = [t["text"] for t in tokens]
        assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(texts))
        last = tokens[-1]
        assert last["text"] == f"{last['produced_text_title']}\n{last['produced_text']}" and last["session_id"] == sid
        assert set(draft) == DRAFT_KEYS and draft["text"] == last["text"] and draft["text_type"] == "document"
        assert draft["produced_text"].startswith(DEMO_PREFIX) and draft["audio"] is False
        await srv.wait_until(lambda: not srv.acks.waiting())
        assert srv.recorder.acks[-1] == ("draft_message", {"session_id": sid, "produced_text_version_pk":
                                                           draft["produced_text_version_pk"]})
        r = await api.message(run, "make it shorter", "m1")
        assert r.json()["user_task_execution_pk"] == pk
        second = await probe.wait_for(nth(probe, "draft_message", 1))
        assert second["produced_text_pk"] == draft["produced_text_pk"]
        assert second["produced_text_version_pk"] != draft["produced_text_version_pk"]
        assert "make it shorter" in second["produced_text"]
        after_message = [e for e, _ in probe.events][[e for e, _ in probe.events].index("user_message_reception"):]
        assert after_message[0] == "user_message_reception" and after_message[-1] == "draft_message"
        assert set(after_message[1:-1]) == {"draft_token"}
        await srv.idle()
        assert not [e for e, _ in probe.events if e.startswith("workflow_")]  # no steps, no end event
        state = srv.stored_run(pk)
        assert state["task_type"] == "instruct" and "steps" not in state
        assert state["produced_text_version_index"] == 2 and [v.index for v in state["versions"]] == [1, 2]
        assert [m.sender for m in state["messages"]] == ["mojo", "user", "mojo"]


async def test_missing_input_asks_first(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, MINUTES, {"meeting_topic": "Budget", "attendees": "", "notes": "cut costs"})
        question = await probe.wait_for(nth(probe, "mojo_message", 0))
        assert "Who took part?" in question["text"] and question["user_task_execution_pk"] == run[
            "user_task_execution_pk"]
        assert probe.named("mojo_token")[-1]["text"] == question["text"] and not probe.named("draft_token")
        await api.message(run, "Ann and Bob", "m1")
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        assert "Ann and Bob" in draft["produced_text"] and draft["produced_text_title"] == "Meeting minutes: Budget"


async def test_clarify_fault_and_pluggable_assistant(probes: Probes) -> None:
    turns: list[Turn] = []

    async def assistant(turn: Turn) -> Reply:
        turns.append(turn)
        if turn.clarify:
            return Reply("question", text="Who is it for?")
        return Reply("draft", title="Note", body=f"For {turn.messages[-1]['text']}")

    async with server04(assistant=assistant) as (srv, api):
        srv.faults.clarify_next = True
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, ASSIST, {"request": "a note"})
        assert (await probe.wait_for(nth(probe, "mojo_message", 0)))["text"] == "Who is it for?"
        await api.message(run, "the team", "m1")
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        assert draft["text"] == "Note\nFor the team"
        assert [t.clarify for t in turns] == [True, False] and turns[1].inputs == {"request": "a note"}
        assert [t["text"] for t in probe.named("draft_token")][:2] == ["Note\n", "Note\nFor "]


async def test_long_draft_is_streamed_without_recording_every_token(probes: Probes) -> None:
    async with server04(draft_tokens=3000, record_token_limit=100) as (srv, api):
        probe = await probes(srv.url, api.token)
        await joined_run(api, probe, ASSIST, {"request": "long"})
        draft = await probe.wait_for(nth(probe, "draft_message", 0), timeout=30)
        assert len(probe.named("draft_token")) == srv.recorder.tokens["draft_token"] >= 3000
        assert len([e for e, _ in srv.emitted if e == "draft_token"]) == 100
        assert probe.named("draft_token")[-1]["text"] == draft["text"]
