"""Mojodex 0.4: a workflow run's events, editing, rejecting with an instruction, failures, restart."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from server04_helpers import STEP_KEYS, joined_run, nth, server04, step_events
from server_helpers import SocketProbe

from mojodex_server import DEMO_PREFIX, ReferenceServer
from mojodex_server.testing import BINARY_ATTACHMENT

Probes = Callable[..., Any]


async def ended_step(probe: SocketProbe, n: int) -> dict[str, Any]:
    return dict(await probe.wait_for(nth(probe, "workflow_step_execution_ended", n)))


async def test_whole_run_event_order(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe)
        sid, pk = run["session_id"], run["user_task_execution_pk"]
        divider = await ended_step(probe, 0)
        started = probe.named("workflow_step_execution_started")[0]
        assert set(started) == STEP_KEYS and set(divider) == STEP_KEYS  # no step_name on 0.4
        assert started["result"] is None and started["validated"] is None and started["error_status"] is None
        assert divider["step_name_for_user"] == "Stanza topics" and divider["user_validation_required"] is True
        assert divider["parameter"] == {"poem_topic": "Spring", "n_stanzas": "3"} and divider["session_id"] == sid
        assert len(divider["result"]) == 3 and divider["review_chat_enabled"] is True
        assert [e for e, _ in probe.events][1:4] == ["workflow_step_execution_started", "user_task_execution_title",
                                                     "workflow_step_execution_ended"]
        assert probe.named("user_task_execution_title") == [{"title": "Poem about Spring", "session_id": sid}]
        r = await api.validate(divider["user_workflow_step_execution_pk"])
        assert r.json() == {"message": "Step validated"}
        for i in range(3):
            writer = await ended_step(probe, 1 + i)
            assert writer["parameter"] == divider["result"][i] and writer["step_name_for_user"] == "Write stanza"
            assert (await api.validate(writer["user_workflow_step_execution_pk"])).status_code == 200
        end = await probe.wait_for(lambda: probe.named("workflow_execution_produced_text"))
        stanzas = [e["result"][0]["stanza"] for e in probe.named("workflow_step_execution_ended")[1:]]
        assert end[0] == {"user_task_execution_pk": pk, "produced_text": "\n\n".join(stanzas),
                          "produced_text_title": "", "produced_text_pk": 11, "produced_text_version_pk": 11,
                          "session_id": sid}
        kinds = [kind for kind, _ in step_events(probe)]
        assert kinds == ["started", "ended"] * 4
        await srv.idle()
        assert len(probe.named("user_task_execution_title")) == 1
        state = srv.stored_run(pk)
        assert state["produced_text_production"] == end[0]["produced_text"]
        assert [se["validated"] for se in state["step_executions"]] == [True] * 4  # the last validation kept


async def test_automatic_steps_go_on_alone(probes: Probes) -> None:
    steps = [{"step_name": "stanza_divider", "name_for_user": "Topics", "definition_for_user": "d",
              "user_validation_required": False}, "stanza_writer"]
    async with server04() as (srv, api):
        task = srv.add_task("Auto poem", "🤖", "Topics chosen alone", steps=steps)
        probe = await probes(srv.url, api.token)
        await joined_run(api, probe, task, {"poem_topic": "Sea", "n_stanzas": "2"})
        first = await ended_step(probe, 0)
        writer = await ended_step(probe, 1)  # came without a validation
        assert first["user_validation_required"] is False and writer["step_name_for_user"] == "Stanza writer"
        assert srv.stored_run(11)["step_executions"][0]["validated"] is True


async def test_edit_result_keeps_shape_and_drives_fan_out(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        await joined_run(api, probe)
        divider = await ended_step(probe, 0)
        se_pk = divider["user_workflow_step_execution_pk"]
        for bad in ([{"topic": "x"}], [{"stanza_topic": "a", "extra": 1}], "text", ["a"]):
            r = await api.send("PUT", "/user_workflow_step_execution_result", user_workflow_step_execution_pk=se_pk,
                               result=bad)
            assert r.status_code == 400, bad
        new = [{"stanza_topic": "the thaw"}, {"stanza_topic": "the bloom"}]
        emitted = len(srv.emitted)
        r = await api.send("PUT", "/user_workflow_step_execution_result", user_workflow_step_execution_pk=se_pk,
                           result=new)
        assert r.status_code == 200 and r.json() == {"new_result": new}
        assert len(srv.emitted) == emitted  # no event
        await api.validate(se_pk)
        first = await ended_step(probe, 1)
        assert first["parameter"] == {"stanza_topic": "the thaw"}
        await api.validate(first["user_workflow_step_execution_pk"])
        second = await ended_step(probe, 2)
        assert second["parameter"] == {"stanza_topic": "the bloom"}
        await api.validate(second["user_workflow_step_execution_pk"])
        end = await probe.wait_for(lambda: probe.named("workflow_execution_produced_text"))
        assert end[0]["produced_text"].count(DEMO_PREFIX) == 2
        assert srv.stored_run(11)["step_executions"][0]["result"] == new


async def test_reject_with_instruction_reruns(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe)
        divider = await ended_step(probe, 0)
        old = divider["user_workflow_step_execution_pk"]
        await srv.idle()
        before = len(probe.events)
        assert (await api.validate(old, validated=False)).json() == {"message": "Step validated"}
        as_json = await api.send("PUT", "/user_message", session_id=run["session_id"], message_id="m1", text="x")
        assert as_json.status_code == 400
        r = await api.message(run, "more about flowers", "m1")
        assert r.status_code == 200
        assert r.json() == {"text": "more about flowers", "message_pk": r.json()["message_pk"], "message_id": "m1",
                            "user_task_execution_pk": run["user_task_execution_pk"]}
        again = await api.message(run, "more about flowers", "m1")  # the same message: not processed twice
        assert again.json() in ({"status": "processing"}, r.json())
        rerun = await ended_step(probe, 1)
        names = [e for e, _ in probe.events[before:]]
        n_tokens = names.count("mojo_token")
        assert names == ["user_message_reception", *["mojo_token"] * n_tokens, "workflow_step_execution_invalidated",
                         "workflow_step_execution_started", "workflow_step_execution_ended"]
        assert n_tokens > 3 and probe.named("user_message_reception") == [{"success": True,
                                                                          "session_id": run["session_id"]}]
        texts = [t["text"] for t in probe.named("mojo_token")]
        assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(texts))
        invalidated = probe.named("workflow_step_execution_invalidated")[0]
        assert invalidated["user_workflow_step_execution_pk"] == old and invalidated["validated"] is False
        assert rerun["user_workflow_step_execution_pk"] != old and rerun["parameter"] == divider["parameter"]
        assert "more about flowers" in rerun["result"][0]["stanza_topic"]
        assert srv.recorder.generator_calls[-1].instruction == "more about flowers"
        await srv.idle()
        assert len(probe.named("user_message_reception")) == 1
        assert not probe.named("mojo_message")


async def test_clarification_is_acknowledged_then_answered(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe)
        old = (await ended_step(probe, 0))["user_workflow_step_execution_pk"]
        await api.validate(old, validated=False)
        srv.faults.clarify_next = True
        await api.message(run, "change it", "m1")
        question = (await probe.wait_for(lambda: probe.named("mojo_message")))[0]
        assert set(question) == {"text", "text_with_tags", "user_task_execution_pk", "session_id", "message_pk",
                                 "audio"}
        assert probe.named("mojo_token")[-1]["text"] == question["text"]
        await srv.wait_until(lambda: not srv.acks.waiting())
        assert srv.recorder.acks == [("mojo_message", {"session_id": run["session_id"],
                                                       "message_pk": question["message_pk"]})]
        await srv.idle()
        assert not probe.named("workflow_step_execution_invalidated")  # nothing rerun
        await api.message(run, "more flowers", "m2")
        rerun = await ended_step(probe, 1)
        assert "change it; more flowers" in rerun["result"][0]["stanza_topic"]
        assert probe.named("workflow_step_execution_invalidated")[0]["user_workflow_step_execution_pk"] == old


async def test_unanswered_ack_is_sent_again_and_answered_is_not(probes: Probes) -> None:
    async with server04(ack_resend_seconds=0.02, ack_max_tries=3) as (srv, api):
        mute = await probes(srv.url, api.token, answer_acks=False)
        run = await joined_run(api, mute)
        await ended_step(mute, 0)
        srv.faults.clarify_next = True
        await api.message(run, "?", "m1")
        await srv.wait_until(lambda: len(srv.recorder.resent) == 3)
        await mute.wait_for(lambda: len(mute.named("mojo_message")) == 4)  # sent once, then 3 times again
        assert {m["message_pk"] for m in mute.named("mojo_message")} == {srv.recorder.resent[0][1]["message_pk"]}
    async with server04(ack_resend_seconds=0.02) as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe)
        await ended_step(probe, 0)
        srv.faults.clarify_next = True
        await api.message(run, "?", "m1")
        await srv.wait_until(lambda: srv.recorder.acks)
        with pytest.raises(TimeoutError):
            await srv.wait_until(lambda: srv.recorder.resent, timeout=0.2)
        assert len(probe.named("mojo_message")) == 1 and not srv.acks.waiting()


async def test_failed_step_then_relaunch(probes: Probes) -> None:
    async with server04() as (srv, api):
        srv.faults.fail_step("stanza_divider", error="model down")
        probe = await probes(srv.url, api.token)
        await joined_run(api, probe)
        failed = await ended_step(probe, 0)
        assert failed["result"] is None and failed["error_status"]["error"] == "model down"
        assert set(failed["error_status"]) == {"datetime", "error"} and not probe.named("error")
        se_pk = failed["user_workflow_step_execution_pk"]
        assert (await api.validate(se_pk)).status_code == 400
        shown = srv.stored_run(11)["step_executions"]
        assert [s["user_workflow_step_execution_pk"] for s in shown] == [se_pk]  # the failed one is shown
        r = await api.send("PUT", "/user_workflow_step_execution", user_workflow_step_execution_pk=se_pk)
        assert r.json() == {"message": "Workflow relaunched"}
        again = await ended_step(probe, 1)
        assert again["user_workflow_step_execution_pk"] != se_pk and len(again["result"]) == 3
        ok = await api.send("PUT", "/user_workflow_step_execution",
                            user_workflow_step_execution_pk=again["user_workflow_step_execution_pk"])
        assert ok.status_code == 400  # only a failed step is relaunched


async def test_broken_run_loop_sends_error(probes: Probes) -> None:
    async with server04() as (srv, api):
        srv.faults.break_run("db gone")
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe)
        error = (await probe.wait_for(lambda: probe.named("error")))[0]
        assert error == {"error": "Error during workflow run: db gone", "session_id": run["session_id"],
                         "user_task_execution_pk": run["user_task_execution_pk"]}
        await srv.idle()
        assert not probe.named("workflow_step_execution_started")


async def test_restart_only_while_first_step_waits(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe)
        pk = run["user_task_execution_pk"]
        old = (await ended_step(probe, 0))["user_workflow_step_execution_pk"]
        inputs = json.dumps([{"input_name": "poem_topic", "input_value": "Autumn"},
                             {"input_name": "n_stanzas", "input_value": "1"}])
        as_json = await api.send("POST", "/restart_user_workflow_execution", user_task_execution_pk=pk, inputs=inputs)
        assert as_json.status_code == 400
        r = await api.form("/restart_user_workflow_execution", user_task_execution_pk=pk, inputs=inputs)
        assert r.json() == {"message": "Workflow restarted"}
        new = await ended_step(probe, 1)
        assert step_events(probe)[2:] == [("invalidated", old), ("started", new["user_workflow_step_execution_pk"]),
                                          ("ended", new["user_workflow_step_execution_pk"])]
        assert new["parameter"] == {"poem_topic": "Autumn", "n_stanzas": "1"} and len(new["result"]) == 1
        await api.validate(new["user_workflow_step_execution_pk"])
        await ended_step(probe, 2)
        count = len(probe.events)
        late = await api.form("/restart_user_workflow_execution", user_task_execution_pk=pk, inputs=inputs)
        assert late.status_code == 200  # fails silently, as the real server does
        await srv.idle()
        assert len(probe.events) == count and len(srv.stored_run(pk)["all_step_executions"]) == 3


@pytest.mark.parametrize("api_name", ["spec", "mojodex-0.4"])
async def test_crash_silently(probes: Probes, api_name: str) -> None:
    async with server04(api=api_name) as (srv, api):
        srv.faults.crash_silently("stanza_divider")
        probe = await probes(srv.url, api.token)
        if api_name == "spec":
            from server_helpers import create, submit

            execution = await create(api.http, api.token, 11)
            await probe.join(execution["session_id"])
            await submit(api.http, api.token, execution["user_workflow_execution_pk"])
        else:
            await joined_run(api, probe)
        await probe.wait_for(lambda: probe.named("workflow_step_execution_started"))
        await srv.idle()
        assert [e for e, _ in srv.emitted if e.startswith("workflow_") or e == "error"] == [
            "workflow_step_execution_started"]


async def test_binary_attachment(probes: Probes) -> None:
    async with server04() as (srv, api):
        srv.faults.binary_results = True
        probe = await probes(srv.url, api.token)
        await joined_run(api, probe)
        ended = await ended_step(probe, 0)
        assert ended["attachment"] == BINARY_ATTACHMENT
        assert probe.named("workflow_step_execution_started")[0]["attachment"] == BINARY_ATTACHMENT
        assert "attachment" not in probe.named("user_task_execution_title")[0]


def test_add_workflow_on_0_4_is_a_task() -> None:
    srv = ReferenceServer(api="mojodex-0.4")
    pk = srv.add_workflow("Flow", "🔧", "One step", inputs=["x"], steps=["only"])
    task = srv.store.tasks.user_task(pk)
    assert task is not None and task.task_type == "workflow" and task.json_input[0]["input_name"] == "x"
    assert [s.name_for_user for s in srv.store.tasks.task_steps(task.task_pk)] == ["Only"]
    assert srv.demo_workflow_ref() == "1"
