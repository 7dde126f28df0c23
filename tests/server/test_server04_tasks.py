"""Mojodex 0.4: listing tasks, creating runs and starting them with a form."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from server04_helpers import ASSIST, DISABLED, MINUTES, NOW, POEM, server04

Probes = Callable[..., Any]


async def test_task_list_and_one_task() -> None:
    async with server04() as (_srv, api):
        r = await api.get("/user_task")
        assert r.status_code == 200
        tasks = r.json()["user_tasks"]
        assert [(t["user_task_pk"], t["task_name"], t["enabled"]) for t in tasks] == [
            (POEM, "Write poem", True), (ASSIST, "General Assistance", True), (MINUTES, "Meeting minutes", True),
            (DISABLED, "Translate document", False), (None, "Prepare a sales call", False)]
        poem = tasks[0]
        assert poem["task_type"] == "workflow" and poem["task_icon"] == "🌸"
        assert poem["steps"] == [
            {"workflow_step_pk": 11, "step_name_for_user": "Stanza topics",
             "step_definition_for_user": "Decide what each stanza is about"},
            {"workflow_step_pk": 12, "step_name_for_user": "Write stanza",
             "step_definition_for_user": "Write one stanza"}]
        assert "stanza_divider" not in r.text and tasks[1]["task_type"] == "instruct" and tasks[1]["steps"] == []
        one = (await api.get("/user_task", user_task_pk=POEM)).json()
        assert one["user_task_name"] == "Write poem" and one["user_task_icon"] == "🌸" and one["task_pk"] == 11
        unknown = await api.get("/user_task", user_task_pk=999)  # as the backend: 400 and a sentence
        assert unknown.status_code == 400 and unknown.json() == {"error": "Invalid user_task_pk: 999 for this user"}


async def test_task_list_paging_and_parameters() -> None:
    async with server04() as (srv, api):
        added = [srv.add_task(f"Task {i}", "🔧", f"Number {i}", task_type="instruct") for i in range(49)]
        first = (await api.get("/user_task")).json()["user_tasks"]
        assert len(first) == 50 and all(t["enabled"] for t in first)  # a full page: nothing appended
        second = (await api.get("/user_task", offset=50)).json()["user_tasks"]
        assert [t["user_task_pk"] for t in second] == [*added[-2:], DISABLED, None]
        pks = [t["user_task_pk"] for t in first + second[:2]]
        assert pks == [POEM, ASSIST, MINUTES, *added]
        small = (await api.get("/user_task", n_user_tasks=5, offset=3)).json()["user_tasks"]
        assert [t["user_task_pk"] for t in small] == pks[3:8]
        cli = await api.http.get("/user_task", params={"datetime": "now", "platform": "cli"}, headers=api.headers)
        assert cli.status_code == 404 and cli.json() == {"error": "the platform 'cli' is invalid"}
        no_date = await api.http.get("/user_task", params={"platform": "webapp"}, headers=api.headers)
        assert no_date.status_code == 400 and "datetime" in no_date.json()["error"]
        bearer = await api.http.get("/user_task", params=NOW, headers={"Authorization": f"Bearer {api.token}"})
        assert bearer.status_code == 403


async def test_workflow_routes_are_gone_on_0_4() -> None:
    async with server04() as (srv, api):
        for method, path in (("GET", "/user_workflow"), ("GET", "/user_workflow_execution"),
                             ("POST", "/user_workflow_execution"), ("PUT", "/user_workflow_execution")):
            r = await api.http.request(method, path, params={**NOW, "version": "0.0.0"}, headers=api.headers)
            assert r.status_code == 404 and "<title>404 Not Found</title>" in r.text, path
        assert srv.demo_workflow_ref() == str(POEM)


async def test_create_run_answers_its_inputs() -> None:
    async with server04() as (srv, api):
        run = await api.create(POEM)
        assert set(run) == {"user_task_execution_pk", "json_input", "actions", "text_edit_actions", "session_id",
                            "intro_done"}
        assert run["user_task_execution_pk"] == 11 and run["intro_done"] is False
        topic, count = run["json_input"]
        assert topic["input_name"] == "poem_topic" and topic["description_for_user"] == "What is the poem about?"
        assert topic["type"] == "text_area" and topic["description_for_system"]
        assert count["type"] == "drop_down_list" and {"value": "3"} in count["possible_values"]
        disabled = await api.send("PUT", "/user_task_execution", user_task_pk=DISABLED)
        assert disabled.status_code == 402 and disabled.json() == {"error": "no_purchase"}  # not in the user's plan
        srv.faults.no_purchase_users.add("demo@example.com")
        assert (await api.send("PUT", "/user_task_execution", user_task_pk=POEM)).json() == {"error": "no_purchase"}
        srv.faults.no_purchase_users.clear()
        srv.faults.terms_not_accepted = True
        r = await api.send("PUT", "/user_task_execution", user_task_pk=POEM)
        assert r.status_code == 401 and r.json() == {"error": "Terms and conditions not accepted"}


async def test_run_form_only_and_input_value_key(probes: Probes) -> None:
    async with server04() as (srv, api):
        run = await api.create(POEM)
        pk = run["user_task_execution_pk"]
        inputs = [{"input_name": "poem_topic", "input_value": "Spring"}]
        as_json = await api.send("POST", "/user_task_execution_run", user_task_execution_pk=pk,
                                 inputs=json.dumps(inputs))
        assert as_json.status_code == 400
        wrong_key = await api.form("/user_task_execution_run", user_task_execution_pk=pk,
                                   inputs=json.dumps([{"input_name": "poem_topic", "value": "Spring"}]))
        assert wrong_key.status_code == 500
        await srv.idle()
        assert not srv.emitted and srv.stored_run(pk)["start_date"] is None  # nothing started
        probe = await probes(srv.url, api.token)
        await probe.join(run["session_id"])
        ok = await api.start(pk, {"poem_topic": "Spring", "n_stanzas": "2"})
        assert ok.json() == {"success": "ok"}
        assert (await api.start(pk, {"poem_topic": "again"})).status_code == 400  # once only
        state = srv.stored_run(pk)
        assert [(v["input_name"], v["value"]) for v in state["json_inputs_values"]] == [
            ("poem_topic", "Spring"), ("n_stanzas", "2")]  # strings stay strings
        ended = await probe.wait_for(lambda: probe.named("workflow_step_execution_ended"))
        assert len(ended[0]["result"]) == 2 and ended[0]["parameter"] == {"poem_topic": "Spring", "n_stanzas": "2"}


async def test_file_inputs_are_stored() -> None:
    image = {"input_name": "photo", "description_for_user": "A photo", "description_for_system": "photo",
             "type": "image"}
    async with server04() as (srv, api):
        pk = srv.add_task("Describe", "🖼", "Describe a photo", "instruct", json_input=[image])
        run = await api.create(pk)
        files = {"photo": ("cat.png", b"\x89PNG\x00data", "image/png")}
        r = await api.start(run["user_task_execution_pk"], {"photo": "cat.png"}, files=files)
        assert r.status_code == 200
        uploads = srv.stored_run(run["user_task_execution_pk"])["uploads"]
        assert [(u.input_name, u.filename, u.content) for u in uploads] == [("photo", "cat.png", b"\x89PNG\x00data")]
        assert srv.requests[-1].files["photo"].size == 9
        await srv.idle()


async def test_standalone_defaults_to_0_4() -> None:
    import subprocess
    import sys
    from pathlib import Path

    proc = subprocess.Popen([sys.executable, "-m", "mojodex_server", "--port", "0"],
                            cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "(mojodex-0.4)" in line
        url = line.split(" on ")[1].strip()
        async with httpx.AsyncClient(base_url=url) as http:
            login = await http.post("/user", json={"email": "demo@example.com", "password": "demo",
                                                   "login_method": "email_password", "datetime": "now"})
            listed = await http.get("/user_task", params=NOW, headers={"Authorization": login.json()["token"]})
            assert listed.json()["user_tasks"][0]["task_name"] == "Write poem"
    finally:
        proc.terminate()
        proc.communicate(timeout=5)  # waits, and closes the stdout pipe (Python 3.13 warns about an open one)


async def test_unknown_session_error_is_a_bare_string(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        await probe.join("feed")
        assert (await probe.wait_for(lambda: probe.named("error")))[0] == "Session feed not found"
        run = await api.create(POEM)
        await probe.join(run["session_id"])
        assert srv.room_size(run["session_id"]) == 1
