"""Mojodex 0.4 around the runs: hand edits and deletes of produced texts, renaming and deleting runs, the list's
filters, and the result chat of a finished workflow run (protocol-0.4-more.md, sections 2 to 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server04_helpers import NOW, POEM, Api, joined_run, nth, server04
from server_helpers import SocketProbe

from mojodex_server import DEMO_PREFIX

Probes = Callable[..., Any]
MISSING = ("Missing field 400 Bad Request: The browser (or proxy) sent a request that this server could not "
           "understand.")


async def delete(api: Api, path: str, **params: Any) -> Any:
    return await api.http.delete(path, headers=api.headers, params={**NOW, **params})


async def read(api: Api, pk: int) -> dict[str, Any]:
    r = await api.get("/user_task_execution", user_task_execution_pk=pk)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def consumed(api: Api) -> int:
    r = await api.get("/purchase")
    return int(r.json()["current_purchases"][0]["n_tasks_consumed"])


async def finished_poem(api: Api, probe: SocketProbe, topic: str = "Snow") -> dict[str, Any]:
    """A poem of one stanza, both steps validated: the run and its produced text event."""
    run = await joined_run(api, probe, POEM, {"poem_topic": topic, "n_stanzas": "1"})
    for n in (0, 1):
        step = await probe.wait_for(nth(probe, "workflow_step_execution_ended", n))
        assert (await api.validate(step["user_workflow_step_execution_pk"])).status_code == 200
    end = await probe.wait_for(nth(probe, "workflow_execution_produced_text", 0))
    return {**run, "end": end}


async def test_a_hand_edit_is_a_new_version_of_the_same_text_and_sends_no_event(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await finished_poem(api, probe)
        pk, text_pk = run["user_task_execution_pk"], run["end"]["produced_text_pk"]
        await srv.idle()
        events = len(probe.events)
        r = await api.send("POST", "/produced_text", produced_text_pk=text_pk, title="Hand title",
                           production="Hand-edited body.\n\nSecond paragraph.")
        assert r.status_code == 200 and r.json() == {"produced_text_pk": text_pk,
                                                     "produced_text_version_pk": r.json()["produced_text_version_pk"]}
        one = await read(api, pk)
        assert (one["produced_text_pk"], one["produced_text_title"], one["produced_text_version_index"]) == (
            text_pk, "Hand title", 2)
        assert one["produced_text_production"] == "Hand-edited body.\n\nSecond paragraph."
        versions = [(await api.get("/user_task_execution_produced_text", user_task_execution_pk=pk,
                                   produced_text_version_index=i)).json() for i in (1, 2, 3)]
        assert versions[0]["production"] == run["end"]["produced_text"] and versions[1]["title"] == "Hand title"
        assert versions[2] == {"produced_text_version_pk": None}
        untitled = await api.send("POST", "/produced_text", produced_text_pk=text_pk, production="No title")
        assert (await api.get("/produced_text", produced_text_pk=text_pk)).json()["title"] is None
        assert untitled.status_code == 200
        # A text without produced_text_pk, tied to the run: the run's text from now on.
        new = (await api.send("POST", "/produced_text", user_task_execution_pk=pk, production="Another")).json()
        one = await read(api, pk)
        assert new["produced_text_pk"] != text_pk and one["produced_text_pk"] == new["produced_text_pk"]
        assert one["produced_text_version_index"] == 4  # every version of every text of the run
        await srv.idle()
        assert len(probe.events) == events  # no event for any of them
        form = await api.form("/produced_text", produced_text_pk=text_pk, production="x")
        assert (form.status_code, form.json()) == (400, {"error": "Request must be JSON"})
        no_body = await api.send("POST", "/produced_text", produced_text_pk=text_pk)
        assert (no_body.status_code, no_body.json()) == (400, {"error": "Missing field 'production'"})
        unknown = await api.send("POST", "/produced_text", produced_text_pk=999999, production="x")
        assert (unknown.status_code, unknown.json()) == (
            400, {"error": "Invalid produced_text produced_text_pk for this user: 999999"})


async def test_a_deleted_text_is_gone_from_its_read_but_still_the_runs(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await finished_poem(api, probe)
        pk, text_pk = run["user_task_execution_pk"], run["end"]["produced_text_pk"]
        for _ in range(2):  # soft, and again 200
            r = await delete(api, "/produced_text", produced_text_pk=text_pk)
            assert (r.status_code, r.json()) == (200, {"produced_text_pk": text_pk})  # an int, not a string
        gone = await api.get("/produced_text", produced_text_pk=text_pk)
        assert (gone.status_code, gone.json()["error"]) == (
            400, f"Invalid produced_text produced_text_pk: {text_pk} for this user")
        assert (await read(api, pk))["produced_text_pk"] == text_pk
        again = await api.send("POST", "/produced_text", produced_text_pk=text_pk, production="still takes versions")
        assert again.status_code == 200
        unknown = await delete(api, "/produced_text", produced_text_pk=999999)
        assert (unknown.status_code, unknown.json()) == (400, {"error": "Invalid produced_text produced_text_pk: "
                                                                        "999999"})
        missing = await delete(api, "/produced_text")
        assert (missing.status_code, missing.json()) == (400, {"error": MISSING})
        assert (await delete(api, "/produced_text", produced_text_pk="abc")).status_code == 500


async def test_rename_and_soft_delete_of_a_run_and_the_lists_filters(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        poem = (await finished_poem(api, probe, "Snow"))["user_task_execution_pk"]
        other = (await finished_poem(api, probe, "Rain"))["user_task_execution_pk"]
        note = (await joined_run(api, probe, 12, {"request": "Snow report"}))["user_task_execution_pk"]
        await probe.wait_for(nth(probe, "draft_message", 0))
        await srv.idle()
        events = len(probe.events)
        r = await api.send("POST", "/user_task_execution_title", user_task_execution_pk=poem, title="Winter poem")
        assert (r.status_code, r.json()) == (200, {"success": True})
        assert (await read(api, poem))["title"] == "Winter poem"
        no_title = await api.send("POST", "/user_task_execution_title", user_task_execution_pk=poem)
        assert (no_title.status_code, no_title.json()) == (400, {"error": "Missing field 'title'"})
        form = await api.form("/user_task_execution_title", user_task_execution_pk=poem, title="x")
        assert (form.status_code, form.json()) == (400, {"error": "Invalid request"})

        listed = await api.get("/user_task_execution", search_filter="snow", user_task_pks=f"{POEM};13")
        assert [r["user_task_execution_pk"] for r in listed.json()["user_task_executions"]] == []  # renamed
        listed = await api.get("/user_task_execution", search_filter="winter", user_task_pks=str(POEM))
        assert [r["user_task_execution_pk"] for r in listed.json()["user_task_executions"]] == [poem]
        both = await api.get("/user_task_execution", user_task_pks=f"{POEM};12")
        assert [r["user_task_execution_pk"] for r in both.json()["user_task_executions"]] == [note, other, poem]

        for _ in range(2):
            r = await delete(api, "/user_task_execution", user_task_execution_pk=poem)
            assert (r.status_code, r.json()) == (200, {"user_task_execution_pk": str(poem)})  # a string
        listed = (await api.get("/user_task_execution")).json()["user_task_executions"]
        assert [r["user_task_execution_pk"] for r in listed] == [note, other]
        assert (await api.get("/user_task_execution", search_filter="winter")).json()["user_task_executions"] == []
        kept = await read(api, poem)
        assert kept["deleted_by_user"] is True and (await read(api, other))["deleted_by_user"] is False
        unknown = await delete(api, "/user_task_execution", user_task_execution_pk=999999)
        assert (unknown.status_code, unknown.json()) == (404, {"error": "User task execution not found"})
        missing = await delete(api, "/user_task_execution")
        assert (missing.status_code, missing.json()) == (400, {"error": MISSING})
        await srv.idle()
        assert len(probe.events) == events


async def test_result_chat_edits_the_text_or_reruns_the_last_step(probes: Probes) -> None:
    async with server04(ack_resend_seconds=5) as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await finished_poem(api, probe)
        pk, sid, text_pk = run["user_task_execution_pk"], run["session_id"], run["end"]["produced_text_pk"]
        last_step = probe.named("workflow_step_execution_ended")[-1]["user_workflow_step_execution_pk"]
        assert await consumed(api) == 0  # a workflow run counts only for its result chat

        # "[edit]": a new version of the same text, streamed, acknowledged.
        r = await api.message(run, "[edit] Make the poem shorter.", "m1")
        assert r.status_code == 200
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        assert draft["produced_text_pk"] == text_pk and draft["produced_text_title"] == "Poem about Snow"
        assert draft["produced_text"].startswith(f"{DEMO_PREFIX} The result, edited as you asked (Make the poem "
                                                 "shorter.)")
        assert probe.named("draft_token") and draft["user_task_execution_pk"] == pk
        await srv.wait_until(lambda: srv.recorder.acks)
        assert (await read(api, pk))["produced_text_version_index"] == 2
        assert not probe.named("workflow_step_execution_invalidated")
        assert await consumed(api) == 1

        # Anything else: an instruction for the last step, which runs again and waits for validation.
        await api.message(run, "Make the stanza sadder", "m2")
        invalidated = await probe.wait_for(nth(probe, "workflow_step_execution_invalidated", 0))
        assert invalidated["user_workflow_step_execution_pk"] == last_step and probe.named("mojo_token")
        rerun = await probe.wait_for(nth(probe, "workflow_step_execution_ended", 2))
        assert rerun["user_workflow_step_execution_pk"] != last_step and rerun["parameter"] == invalidated["parameter"]
        assert (await api.validate(rerun["user_workflow_step_execution_pk"])).status_code == 200
        end = await probe.wait_for(nth(probe, "workflow_execution_produced_text", 1))
        assert end["produced_text_pk"] == text_pk and end["produced_text_title"] == ""
        assert (await read(api, pk))["produced_text_version_index"] == 3
        assert await consumed(api) == 1  # once per run

        messages = (await api.get("/message", session_id=sid)).json()["messages"]
        system = [m for m in messages if m["sender"] == "system"]
        assert len(system) == 2 and "ACHIEVED WORKFLOW STEPS" in system[0]["message"]["text"]
        assert "stanza_divider" in system[0]["message"]["text"]  # the system step names reach the client here
