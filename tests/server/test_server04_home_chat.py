"""Mojodex 0.4: the chat outside any task (chat sessions, the scripted assistant, a task it starts, GET /home_chat)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server04_helpers import MINUTES, Api, nth, server04

from mojodex_server import DEMO_PREFIX

Probes = Callable[..., Any]


async def chat_message(api: Api, session_id: str, text: str, message_id: str, origin: str = "home_chat") -> Any:
    return await api.form("/user_message", method="PUT", session_id=session_id, message_id=message_id,
                          message_date="2024-07-01T10:00:00", text=text, origin=origin)


async def test_chat_answers_then_starts_the_task_a_message_names(probes: Probes) -> None:
    async with server04(draft_tokens=20) as (srv, api):
        r = await api.send("PUT", "/session")
        assert r.status_code == 200 and set(r.json()) == {"session_id", "intro_done"}, r.text
        sid = r.json()["session_id"]
        probe = await probes(srv.url, api.token)
        await probe.join(sid)
        r = await chat_message(api, sid, "hello there", "m1")
        assert r.status_code == 200 and r.json()["text"] == "hello there", r.text
        hello = await probe.wait_for(nth(probe, "mojo_message", 0))
        assert hello["text"].startswith(DEMO_PREFIX) and "Meeting minutes" in hello["text"]
        assert "user_task_execution_pk" not in hello and probe.named("mojo_token")[-1]["text"] == hello["text"]
        assert srv.store.tasks.execution_by_session(sid) is None  # no task asked for: no run
        await chat_message(api, sid, "Write the minutes of our budget meeting", "m2")
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        start = probe.named("user_task_execution_start")[0]
        pk = start["user_task_execution_pk"]
        assert draft["user_task_execution_pk"] == pk and start["session_id"] == sid
        names = [e for e, _ in probe.events]
        assert names.index("user_task_execution_start") < names.index("user_task_execution_title") < names.index(
            "draft_token")
        state = srv.stored_run(pk)
        assert state["session_id"] == sid and srv.store.tasks.execution(pk).user_task_fk == MINUTES
        assert "budget meeting" in draft["produced_text"]
        # the next message of the chat is a turn of that run: a new version
        await chat_message(api, sid, "shorter please", "m3")
        second = await probe.wait_for(nth(probe, "draft_message", 1))
        assert second["user_task_execution_pk"] == pk and "shorter please" in second["produced_text"]
        assert len(probe.named("user_task_execution_start")) == 1
        runs = (await api.get("/user_task_execution")).json()["user_task_executions"]
        assert pk in [run["user_task_execution_pk"] for run in runs]


async def test_sessions_are_listed_read_and_deleted() -> None:
    async with server04() as (srv, api):
        empty = (await api.send("PUT", "/session")).json()["session_id"]
        sid = (await api.send("PUT", "/session")).json()["session_id"]
        await chat_message(api, sid, "hello", "m1")
        await srv.idle()
        listed = (await api.get("/session")).json()
        assert listed == {"sessions": [{"title": None, "session_id": sid}]}  # those with a message only
        messages = (await api.get("/message", session_id=sid)).json()["messages"]
        assert [m["sender"] for m in messages] == ["mojo", "user"]
        r = await api.http.delete("/session", params={"datetime": "now", "session_id": sid}, headers=api.headers)
        assert r.status_code == 200 and r.json() == {"session_id": sid}
        r = await api.http.delete("/session", params={"datetime": "now", "session_id": sid}, headers=api.headers)
        assert r.status_code == 404 and r.json() == {"error": "Session not found for this user"}
        assert (await api.get("/session")).json() == {"sessions": []}
        assert empty != sid


async def test_failures_as_on_0412() -> None:
    async with server04() as (srv, api):
        r = await api.http.request("PUT", "/session", json={"datetime": "now"}, headers=api.headers)
        assert r.status_code == 400 and r.json() == {"error": "Missing field 'platform'"}
        r = await api.get("/home_chat")
        assert r.status_code == 500 and "__create_home_chat()" in r.json()["error"]
        sid = (await api.send("PUT", "/session")).json()["session_id"]
        r = await chat_message(api, sid, "hello", "m1", origin="task")
        assert r.status_code == 400 and "_get_associated_user_task_execution" in r.json()["error"]
        srv.add_user("other@example.com", "pw", "O")
        other = Api(srv, api.http, "other@example.com")
        r = await chat_message(other, sid, "hello", "m2")
        assert r.status_code == 404
