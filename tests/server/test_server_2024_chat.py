"""Additions to spec and mojodex-2024: rejection with an instruction, terms, prefilled defaults, faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from server_helpers import DEMO, LIST_PARAMS, NOW, create, get_execution, submit, validate

from mojodex_server import ReferenceServer
from mojodex_server.testing import BINARY_ATTACHMENT

Probes = Callable[..., Any]


async def test_two_request_rejection_on_2024(probes: Probes) -> None:
    async with ReferenceServer(api="mojodex-2024", first_pk=5) as srv, httpx.AsyncClient(base_url=srv.url) as http:
        token = srv.token_for(DEMO)
        execution = await create(http, token, 5, method="PUT")
        pk, sid = execution["user_workflow_execution_pk"], execution["session_id"]
        probe = await probes(srv.url, token)
        await probe.join(sid)
        await submit(http, token, pk, method="POST")
        divider = (await probe.wait_for(lambda: probe.named("workflow_step_execution_ended")))[0]
        old = divider["user_workflow_step_execution_pk"]
        r = await validate(http, token, old, validated=False)
        assert r.json() == {"message": "Step validated"}
        await srv.idle()
        before = len(probe.events)
        assert [e for e, _ in probe.events].count("workflow_step_execution_invalidated") == 0
        form = {**NOW, "session_id": sid, "message_id": "m1", "message_date": "2024-03-01T10:00:00",
                "version": "0.0.0", "text": "fewer clichés", "origin": "workflow", "user_workflow_execution_pk": pk}
        answer = await http.put("/user_message", data=form, headers={"Authorization": token})
        assert answer.status_code == 200 and answer.json()["user_workflow_execution_pk"] == pk
        assert answer.json()["text"] == "fewer clichés" and answer.json()["message_id"] == "m1"
        rerun = (await probe.wait_for(lambda: probe.named("workflow_step_execution_ended")[1:]))[0]
        assert [e for e, _ in probe.events[before:]] == [
            "user_message_reception", "workflow_step_execution_invalidated", "mojo_message",
            "workflow_step_execution_started", "workflow_step_execution_ended"]
        invalidated = probe.named("workflow_step_execution_invalidated")[0]
        assert invalidated["user_workflow_step_execution_pk"] == old and invalidated["validated"] is False
        ok = probe.named("mojo_message")[0]
        assert ok["text"] == "Ok" and set(ok) == {"text", "text_with_tags", "session_id", "message_pk", "audio"}
        await srv.wait_until(lambda: srv.recorder.acks)
        assert srv.recorder.acks[0][1]["message_pk"] == ok["message_pk"] and not srv.acks.waiting()
        assert rerun["step_name"] == "stanza_divider" and rerun["parameter"] == divider["parameter"]
        assert rerun["user_workflow_step_execution_pk"] != old and "fewer clichés" in str(rerun["result"])
        assert srv.recorder.generator_calls[-1].instruction == "fewer clichés"


async def test_2024_prefills_defaults_and_rejects_a_create_body() -> None:
    async with ReferenceServer(api="mojodex-2024") as srv, httpx.AsyncClient(base_url=srv.url) as http:
        token = srv.token_for(DEMO)
        listed = (await http.get("/user_workflow", params=LIST_PARAMS, headers={"Authorization": token})).json()
        assert listed["user_workflows"][0]["inputs_spec"] == [{"input_name": "poem_topic", "default_value": "Spring"},
                                                              {"input_name": "n_stanzas", "default_value": 3}]
        posted = await http.post("/user_workflow_execution", headers={"Authorization": token},
                                 json={**NOW, "user_workflow_pk": 1})
        assert posted.status_code == 400
        assert posted.json() == {"error": "Missing parameter : 'user_workflow_execution_pk'"}
        assert srv.store.tasks.execution(1) is None  # nothing created
        execution = await create(http, token, 1, method="PUT")
        assert [(i["value"], i["default_value"]) for i in execution["inputs"]] == [("Spring", "Spring"), (3, 3)]
        await submit(http, token, 1, inputs=[{"input_name": "poem_topic", "value": "Sea"},
                                             {"input_name": "n_stanzas", "value": 2}], method="POST")
        assert (await get_execution(http, token, 1))["inputs"][0]["value"] == "Sea"
        await srv.idle()


async def test_terms_must_be_accepted() -> None:
    for api in ("spec", "mojodex-2024"):
        async with ReferenceServer(api=api) as srv, httpx.AsyncClient(base_url=srv.url) as http:
            account = {"datetime": "now", "email": "new@example.com", "name": "New", "password": "pw"}
            assert (await http.put("/user", json=account)).status_code == 200
            login = (await http.post("/user", json={"email": "new@example.com", "password": "pw",
                                                    "login_method": "email_password", "datetime": "now"})).json()
            assert login["terms_and_conditions_agreed"] is False and login["language_code"] is None
            pk = srv.add_workflow("Poem", "🌸", "A poem", user_email="new@example.com")
            headers = {"Authorization": login["token"]}
            method = "POST" if api == "spec" else "PUT"
            refused = await http.request(method, "/user_workflow_execution", headers=headers,
                                         json={**NOW, "user_workflow_pk": pk})
            assert refused.status_code == 401 and refused.json() == {"error": "Terms and conditions not accepted"}
            accepted = await http.put("/terms_and_conditions", json={"datetime": "now"}, headers=headers)
            assert accepted.status_code == 200
            assert (await http.put("/terms_and_conditions", json={"datetime": "now"})).status_code == 403
            created = await http.request(method, "/user_workflow_execution", headers=headers,
                                         json={**NOW, "user_workflow_pk": pk})
            assert created.status_code == 200
            again = (await http.post("/user", json={"email": "new@example.com", "password": "pw",
                                                    "login_method": "email_password", "datetime": "now"})).json()
            assert again["terms_and_conditions_agreed"] is True


async def test_spec_has_no_chat_and_binary_attachment(probes: Probes) -> None:
    async with ReferenceServer(first_pk=3) as srv, httpx.AsyncClient(base_url=srv.url) as http:
        token = srv.token_for(DEMO)
        r = await http.put("/user_message", data={"datetime": "now"}, headers={"Authorization": token})
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        srv.faults.binary_results = True
        execution = await create(http, token, 3)
        probe = await probes(srv.url, token)
        await probe.join(execution["session_id"])
        await submit(http, token, execution["user_workflow_execution_pk"])
        ended = (await probe.wait_for(lambda: probe.named("workflow_step_execution_ended")))[0]
        assert ended["attachment"] == BINARY_ATTACHMENT and ended["step_name"] == "stanza_divider"


async def test_fail_step_on_spec_sends_error(probes: Probes) -> None:
    async with ReferenceServer() as srv, httpx.AsyncClient(base_url=srv.url) as http:
        token = srv.token_for(DEMO)
        srv.faults.fail_step("stanza_divider", error="no model")
        execution = await create(http, token, 1)
        probe = await probes(srv.url, token)
        await probe.join(execution["session_id"])
        await submit(http, token, 1)
        error = (await probe.wait_for(lambda: probe.named("error")))[0]
        assert error == {"error": "no model", "session_id": execution["session_id"]}
        assert not probe.named("workflow_step_execution_ended")


def test_demo_workflow_ref_per_dialect() -> None:
    assert ReferenceServer(first_pk=7).demo_workflow_ref() == "7"
    assert ReferenceServer(api="mojodex-2024").demo_workflow_ref() == "1"
    assert ReferenceServer(api="mojodex-0.4", first_pk=14).demo_workflow_ref() == "14"


async def test_2024_lists_its_instruct_tasks_and_terms_switch_ends_on_accept() -> None:
    async with ReferenceServer(api="mojodex-2024") as srv, httpx.AsyncClient(base_url=srv.url) as http:
        headers = {"Authorization": srv.token_for(DEMO)}
        tasks = (await http.get("/user_task", params=NOW, headers=headers)).json()["user_tasks"]
        assert [t["task_name"] for t in tasks] == ["General Assistance", "Meeting minutes"]
        assert {t["task_type"] for t in tasks} == {"instruct"}
        run = await http.put("/user_task_execution", json={**NOW, "user_task_pk": 1}, headers=headers)
        assert run.status_code == 404 and "<title>404" in run.text  # listed only
        srv.faults.terms_not_accepted = True
        body = {**NOW, "user_workflow_pk": 1}
        assert (await http.put("/user_workflow_execution", json=body, headers=headers)).status_code == 401
        assert (await http.put("/terms_and_conditions", json={"datetime": "now"}, headers=headers)).is_success
        assert (await http.put("/user_workflow_execution", json=body, headers=headers)).status_code == 200
