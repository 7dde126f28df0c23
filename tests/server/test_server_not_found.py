"""Unknown and other users' runs, workflows and tasks: every route that names one by its pk answers as the real
backend does (its status, a sentence), never a Python exception's text, and nothing of another user is read or
changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server04_helpers import Api, joined_run, nth, server04
from server_helpers import DEMO, NOW

from mojodex_server import ReferenceServer

ANN = "ann@example.com"
MISSING = 999
Probes = Callable[..., Any]


def refused(r: httpx.Response, status: int, error: str) -> bool:
    return r.status_code == status and r.json() == {"error": error}


async def test_0_4_runs_and_tasks_of_nobody_or_of_another_user(probes: Probes) -> None:
    async with server04() as (srv, api):
        srv.add_user(ANN, "pw", "Ann")
        hers = Api(srv, api.http, ANN)
        her_task = srv.add_task("Her notes", "📝", "Notes", "instruct",
                                [{"input_name": "request", "type": "text_area", "description_for_user": "What?"}],
                                user_email=ANN)
        probe = await probes(srv.url, hers.token)
        her_run = (await joined_run(hers, probe, her_task, {"request": "her secret note"}))["user_task_execution_pk"]
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        for pk in (MISSING, her_run):
            not_found = f"UserTaskExecution {pk} not found for this user"
            assert refused(await api.get("/user_task_execution", user_task_execution_pk=pk), 400, not_found)
            inputs = json.dumps([{"input_name": "request", "input_value": "mine now"}])
            started = await api.form("/user_task_execution_run", user_task_execution_pk=pk, inputs=inputs)
            assert refused(started, 400, not_found)
            restarted = await api.form("/restart_user_workflow_execution", user_task_execution_pk=pk, inputs=inputs)
            assert refused(restarted, 400, not_found)
            renamed = await api.send("POST", "/user_task_execution_title", user_task_execution_pk=pk, title="Mine")
            assert refused(renamed, 400, f"Invalid user_task_execution_pk: {pk}")
            deleted = await api.http.delete("/user_task_execution", headers=api.headers,
                                            params={**NOW, "user_task_execution_pk": pk})
            assert refused(deleted, 404, "User task execution not found")
            # The backend checks no owner on this route (it would answer her text): here, as for an unknown run.
            version = await api.get("/user_task_execution_produced_text", user_task_execution_pk=pk,
                                    produced_text_version_index=1)
            assert version.status_code == 200 and version.json() == {"produced_text_version_pk": None}
        for pk in (MISSING, her_task):
            one = await api.get("/user_task", user_task_pk=pk)
            assert refused(one, 400, f"Invalid user_task_pk: {pk} for this user")
            created = await api.send("PUT", "/user_task_execution", user_task_pk=pk)
            assert refused(created, 400, f"UserTask {pk} not found")
        mine = (await hers.get("/user_task_execution", user_task_execution_pk=her_run)).json()
        assert mine["produced_text_production"] == draft["produced_text"] and mine["title"] != "Mine"
        assert [r["user_task_execution_pk"] for r in (await hers.get("/user_task_execution")).json()[
            "user_task_executions"]] == [her_run]


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
async def test_workflow_executions_of_nobody_or_of_another_user(api: str) -> None:
    create, submit = ("POST", "PUT") if api == "spec" else ("PUT", "POST")
    async with ReferenceServer(api=api, first_pk=101) as srv, httpx.AsyncClient(base_url=srv.url) as http:
        srv.add_user(ANN, "pw", "Ann")
        her_workflow = srv.add_workflow("Hers", "📝", "Her workflow", user_email=ANN)
        ann = {"Authorization": srv.token_for(ANN)}
        made = await http.request(create, "/user_workflow_execution", headers=ann,
                                  json={**NOW, "user_workflow_pk": her_workflow})
        her_run = made.json()["user_workflow_execution_pk"]
        demo = {"Authorization": srv.token_for(DEMO)}
        for pk in (MISSING, her_run):
            read = await http.get("/user_workflow_execution", headers=demo,
                                  params={**NOW, "user_workflow_execution_pk": pk})
            assert refused(read, 404, "Workflow execution not found for this user")
            submitted = await http.request(submit, "/user_workflow_execution", headers=demo, json={
                **NOW, "user_workflow_execution_pk": pk, "json_inputs": [{"input_name": "poem_topic", "value": "x"}]})
            assert refused(submitted, 404, "Workflow execution not found for this user")
        for pk in (MISSING, her_workflow):
            created = await http.request(create, "/user_workflow_execution", headers=demo,
                                         json={**NOW, "user_workflow_pk": pk})
            assert refused(created, 404, "Workflow not found for this user")
        assert srv.stored_run(her_run)["json_inputs"] is None  # her run was not started by anyone else
