"""Mojodex 0.4: reading back runs, produced texts and their versions, conversations; rename and delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server04_helpers import ASSIST, POEM, joined_run, nth, server04

Probes = Callable[..., Any]


async def test_runs_list_paging_search_and_tasks(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        poems = [await joined_run(api, probe, POEM, {"poem_topic": f"topic {i}", "n_stanzas": "1"}) for i in range(3)]
        note = await joined_run(api, probe, ASSIST, {"request": "a note"})
        unstarted = await api.create(POEM)
        await srv.wait_until(lambda: len(probe.named("user_task_execution_title")) == 4)
        listed = (await api.get("/user_task_execution")).json()["user_task_executions"]
        pks = [r["user_task_execution_pk"] for r in listed]
        assert pks == [note["user_task_execution_pk"], *[p["user_task_execution_pk"] for p in reversed(poems)]]
        assert unstarted["user_task_execution_pk"] not in pks
        page = (await api.get("/user_task_execution", n_user_task_executions=2, offset=1)).json()
        assert [r["user_task_execution_pk"] for r in page["user_task_executions"]] == pks[1:3]
        found = (await api.get("/user_task_execution", search_filter="TOPIC 1")).json()["user_task_executions"]
        assert [r["user_task_execution_pk"] for r in found] == [poems[1]["user_task_execution_pk"]]
        only = (await api.get("/user_task_execution", user_task_pks=f"{ASSIST};999")).json()
        assert [r["task_name"] for r in only["user_task_executions"]] == ["General Assistance"]
        capped = await api.get("/user_task_execution", n_user_task_executions=500)
        assert len(capped.json()["user_task_executions"]) == 4


async def test_one_run_and_its_texts(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, POEM, {"poem_topic": "Snow", "n_stanzas": "1"})
        pk = run["user_task_execution_pk"]
        divider = await probe.wait_for(nth(probe, "workflow_step_execution_ended", 0))
        one = (await api.get("/user_task_execution", user_task_execution_pk=pk)).json()
        for key in ("start_date", "end_date", "title", "summary", "session_id", "icon", "task_name", "task_type",
                    "user_task_pk", "produced_text_pk", "produced_text_title", "produced_text_production",
                    "produced_text_version_pk", "produced_text_version_index"):
            assert key in one, key
        assert one["json_inputs_values"][0]["value"] == "Snow" and one["json_inputs_values"][0]["type"] == "text_area"
        assert one["title"] == "Poem about Snow" and one["user_task_pk"] == POEM and one["end_date"] is None
        assert [s["step_name_for_user"] for s in one["steps"]] == ["Stanza topics", "Write stanza"]
        assert [s["user_workflow_step_execution_pk"] for s in one["step_executions"]] == [
            divider["user_workflow_step_execution_pk"]]  # waiting for validation: shown
        await api.validate(divider["user_workflow_step_execution_pk"])
        writer = await probe.wait_for(nth(probe, "workflow_step_execution_ended", 1))
        await api.validate(writer["user_workflow_step_execution_pk"])
        end = (await probe.wait_for(nth(probe, "workflow_execution_produced_text", 0)))
        one = (await api.get("/user_task_execution", user_task_execution_pk=pk)).json()
        assert one["produced_text_production"] == end["produced_text"] and one["produced_text_version_index"] == 1
        assert [s["validated"] for s in one["step_executions"]] == [True, True]
        text = (await api.get("/produced_text", produced_text_pk=end["produced_text_pk"])).json()
        assert text["production"] == end["produced_text"] and text["title"] == "" and text["text_type"] == "document"
        version = await api.get("/user_task_execution_produced_text", user_task_execution_pk=pk,
                                produced_text_version_index=1)
        assert version.json()["produced_text_version_pk"] == end["produced_text_version_pk"]
        missing = await api.get("/user_task_execution_produced_text", user_task_execution_pk=pk,
                                produced_text_version_index=2)
        assert missing.status_code == 200 and missing.json() == {"produced_text_version_pk": None}
        for bad in (999, "x"):
            assert (await api.get("/user_task_execution", user_task_execution_pk=bad)).status_code == 400
        srv.add_user("ann@example.com", "pw", "Ann")
        ann = srv.token_for("ann@example.com")
        foreign = await api.http.get("/user_task_execution", headers={"Authorization": ann},
                                     params={"datetime": "now", "user_task_execution_pk": pk})
        assert foreign.status_code == 400
        assert (await api.http.get("/user_task_execution", params={"user_task_execution_pk": pk},
                                   headers=api.headers)).status_code == 400  # no datetime


async def test_messages_rename_and_delete(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, ASSIST, {"request": "a note"})
        sid, pk = run["session_id"], run["user_task_execution_pk"]
        await probe.wait_for(nth(probe, "draft_message", 0))
        await api.message(run, "shorter", "m1")
        await probe.wait_for(nth(probe, "draft_message", 1))
        messages = (await api.get("/message", session_id=sid)).json()["messages"]
        assert [m["sender"] for m in messages] == ["mojo", "user", "mojo"]  # newest first
        assert messages[1]["message"]["text"] == "shorter" and set(messages[0]) >= {
            "message_pk", "sender", "message", "audio", "in_error_state"}
        assert messages[0]["message"]["produced_text_version_pk"] > messages[2]["message"]["produced_text_version_pk"]
        paged = (await api.get("/message", session_id=sid, n_messages=1, offset=1)).json()["messages"]
        assert [m["message_pk"] for m in paged] == [messages[1]["message_pk"]]
        assert (await api.get("/message", session_id="nope")).status_code == 404
        versions = [(await api.get("/user_task_execution_produced_text", user_task_execution_pk=pk,
                                   produced_text_version_index=i)).json() for i in (1, 2)]
        assert versions[0]["produced_text_pk"] == versions[1]["produced_text_pk"]
        assert "shorter" in versions[1]["production"] and "shorter" not in versions[0]["production"]
        renamed = await api.send("POST", "/user_task_execution_title", user_task_execution_pk=pk, title="Thanks")
        assert renamed.status_code == 200
        assert (await api.get("/user_task_execution", user_task_execution_pk=pk)).json()["title"] == "Thanks"
        deleted = await api.http.delete("/user_task_execution", headers=api.headers,
                                        params={"datetime": "now", "user_task_execution_pk": pk})
        assert deleted.status_code == 200
        assert (await api.get("/user_task_execution")).json()["user_task_executions"] == []
        kept = await api.get("/user_task_execution", user_task_execution_pk=pk)  # soft: still read, marked
        assert kept.status_code == 200 and kept.json()["deleted_by_user"] is True
