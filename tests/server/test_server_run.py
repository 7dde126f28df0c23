"""Running workflows end to end over HTTP and Socket.IO, in both API modes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from server_helpers import DEMO, NOW, SocketProbe, create, get_execution, submit, validate

from mojodex_server import DEMO_PREFIX, ReferenceServer

STEP_KEYS = {"user_workflow_step_execution_pk", "workflow_step_pk", "step_name", "validated", "parameter",
             "result", "session_id"}
Probes = Callable[..., Any]


async def drive_run(
    client: httpx.AsyncClient, token: str, probe: SocketProbe, pk: int
) -> list[dict[str, Any]]:
    """Validate each step execution as it ends, until 1 divider + its writers are done; return them."""
    ended: list[dict[str, Any]] = []
    n_writers: int | None = None
    while n_writers is None or len(ended) < 1 + n_writers:
        payload = (await probe.wait_for(lambda: probe.named("workflow_step_execution_ended")[len(ended):]))[0]
        ended.append(payload)
        if payload["step_name"] == "stanza_divider":
            n_writers = len(payload["result"])
        r = await validate(client, token, payload["user_workflow_step_execution_pk"])
        assert r.status_code == 200 and r.json() == {"message": "Step validated"}
    return ended


async def test_full_poem_run_spec(client: httpx.AsyncClient, server: ReferenceServer, token: str,
                                  probes: Probes) -> None:
    execution = await create(client, token, 101)
    pk = execution["user_workflow_execution_pk"]
    session_id = execution["session_id"]
    assert pk == 101 and execution["user_workflow_fk"] == 101 and execution["workflow_name"] == "Write poem"
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert execution["validated_steps_executions"] == []
    assert execution["inputs"] == [{"input_name": "poem_topic", "value": None, "default_value": None},
                                   {"input_name": "n_stanzas", "value": None, "default_value": None}]
    probe = await probes(server.url, token)
    await probe.join(session_id)
    r = await submit(client, token, pk)
    assert r.status_code == 200 and r.json() == {"user_workflow_execution_pk": pk}

    divider = (await probe.wait_for(lambda: probe.named("workflow_step_execution_ended")))[0]
    started = probe.named("workflow_step_execution_started")[0]
    assert set(started) == STEP_KEYS and set(divider) == STEP_KEYS
    assert started["result"] is None and started["validated"] is False
    assert divider["parameter"] == {"poem_topic": "Spring", "n_stanzas": 3}
    assert divider["session_id"] == session_id and divider["workflow_step_pk"] == 101
    topics = divider["result"]
    assert len(topics) == 3 and all(t["stanza_topic"].startswith(DEMO_PREFIX) for t in topics)
    assert (await get_execution(client, token, pk))["validated_steps_executions"] == []
    assert (await get_execution(client, token, pk))["inputs"][1]["value"] == 3

    # validate the divider, then each writer as it ends, checking one writer exists at a time
    assert (await validate(client, token, divider["user_workflow_step_execution_pk"])).status_code == 200
    validated = (await get_execution(client, token, pk))["validated_steps_executions"]
    assert [v["step_name"] for v in validated] == ["stanza_divider"] and validated[0]["validated"] is True
    for i, topic in enumerate(topics):
        writer = (await probe.wait_for(lambda i=i: probe.named("workflow_step_execution_ended")[1 + i:]))[0]
        assert writer["step_name"] == "stanza_writer" and writer["workflow_step_pk"] == 102
        assert writer["parameter"] == topic
        assert len(writer["result"]) == 1 and writer["result"][0]["stanza"].startswith(DEMO_PREFIX)
        assert len(server.stored_run(pk)["step_executions"]) == 2 + i  # the next writer waits for validation
        assert (await validate(client, token, writer["user_workflow_step_execution_pk"])).status_code == 200

    end = (await probe.wait_for(lambda: probe.named("workflow_execution_produced_text")))[0]
    assert end["session_id"] == session_id and end["produced_text_title"] == "Write poem: Spring"
    assert end["produced_text"].count(DEMO_PREFIX) == 3
    order = [(e, d.get("step_name")) for e, d in probe.events
             if e.startswith("workflow_")]
    assert order == [("workflow_step_execution_started", "stanza_divider"),
                     ("workflow_step_execution_ended", "stanza_divider"),
                     *[(f"workflow_step_execution_{s}", "stanza_writer") for _ in range(3)
                       for s in ("started", "ended")],
                     ("workflow_execution_produced_text", None)]
    final = await get_execution(client, token, pk)
    assert len(final["validated_steps_executions"]) == 4
    assert server.stored_run(pk)["finished"] is True
    assert ("start_session", {"session_id": session_id, "version": "0.0.0"}) in server.socket_log


async def test_mojodex_2024_mode(probes: Probes) -> None:
    async with ReferenceServer(api="mojodex-2024", first_pk=7) as srv, \
            httpx.AsyncClient(base_url=srv.url) as client:
        token = srv.token_for(DEMO)
        spec_create = await client.post("/user_workflow_execution", headers={"Authorization": token},
                                        json={**NOW, "user_workflow_pk": 7})
        assert spec_create.status_code == 400  # POST submits inputs on that backend
        execution = await create(client, token, 7, method="PUT")
        pk = execution["user_workflow_execution_pk"]
        not_a_list = await submit(client, token, pk, inputs={"poem_topic": "x"}, method="POST")
        assert not_a_list.status_code == 400 and "error" in not_a_list.json()
        assert (await submit(client, token, pk, method="PUT")).status_code == 400  # PUT creates there

        probe = await probes(srv.url, token)
        await probe.join(execution["session_id"])
        r = await submit(client, token, pk, method="POST")
        assert r.status_code == 200 and r.json() == {"user_workflow_execution_pk": pk}
        ended = await drive_run(client, token, probe, pk)
        assert [e["step_name"] for e in ended] == ["stanza_divider"] + ["stanza_writer"] * 3
        await srv.idle()
        assert not probe.named("workflow_execution_produced_text")
        assert not [e for e, _ in srv.emitted if e == "workflow_execution_produced_text"]
        final = await get_execution(client, token, pk)
        assert len(final["validated_steps_executions"]) == 3  # the very last validation was lost
        state = srv.stored_run(pk)
        assert state["step_executions"][-1]["validated"] is False and state["finished"] is True


async def test_start_session_without_version_joins_nothing(probes: Probes) -> None:
    async with ReferenceServer(api="mojodex-2024", join_grace=0) as srv, \
            httpx.AsyncClient(base_url=srv.url) as http:
        tok = srv.token_for(DEMO)
        execution = await create(http, tok, 1, method="PUT")
        probe = await probes(srv.url, tok)
        await probe.join(execution["session_id"], version=None)
        error = (await probe.wait_for(lambda: probe.named("error")))[0]
        assert error["session_id"] == execution["session_id"] and error["error"]
        assert srv.room_size(execution["session_id"]) == 0
        assert (await submit(http, tok, execution["user_workflow_execution_pk"], method="POST")).is_success
        await srv.wait_until(lambda: [e for e, _ in srv.emitted if e == "workflow_step_execution_ended"])
        await probe.join("feed")  # unknown session; its ack is a round trip after the run's events
        assert not probe.named("workflow_step_execution_started")
        assert probe.named("error")[-1] == {"error": "Unknown session.", "session_id": "feed"}


async def test_reject_stores_and_stops(client: httpx.AsyncClient, server: ReferenceServer, token: str,
                                       probes: Probes) -> None:
    execution = await create(client, token, 101)
    pk = execution["user_workflow_execution_pk"]
    probe = await probes(server.url, token)
    await probe.join(execution["session_id"])
    await submit(client, token, pk)
    divider = (await probe.wait_for(lambda: probe.named("workflow_step_execution_ended")))[0]
    r = await validate(client, token, divider["user_workflow_step_execution_pk"], validated=False)
    assert r.status_code == 200 and r.json() == {"message": "Step validated"}
    await server.idle()
    state = server.stored_run(pk)
    assert len(state["step_executions"]) == 1 and state["step_executions"][0]["validated"] is False
    assert state["validated_steps_executions"] == [] and not state["finished"]
    assert len(server.emitted) == 2
    again = await submit(client, token, pk)
    assert again.status_code == 400  # inputs go in once


async def test_end_event_off_in_spec_mode(probes: Probes) -> None:
    async with ReferenceServer(end_event=False) as srv, httpx.AsyncClient(base_url=srv.url) as client:
        token = srv.token_for(DEMO)
        execution = await create(client, token, 1)
        probe = await probes(srv.url, token)
        await probe.join(execution["session_id"])
        await submit(client, token, execution["user_workflow_execution_pk"])
        await drive_run(client, token, probe, execution["user_workflow_execution_pk"])
        await srv.idle()
        assert srv.emitted[-1][0] == "workflow_step_execution_ended"
        assert len((await get_execution(client, token, 1))["validated_steps_executions"]) == 4


async def test_fan_out_follows_divider_result(probes: Probes) -> None:
    async def two_topics(step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
        if step_name == "stanza_divider":
            return [{"stanza_topic": "a"}, {"stanza_topic": "b"}]
        return [{"stanza": f"about {parameter['stanza_topic']}"}]

    async with ReferenceServer(generator=two_topics, step_delay=0.01) as srv, \
            httpx.AsyncClient(base_url=srv.url) as client:
        token = srv.token_for(DEMO)
        execution = await create(client, token, 1)
        probe = await probes(srv.url, token)
        await probe.join(execution["session_id"])
        inputs = [{"input_name": "poem_topic", "value": "x"}, {"input_name": "n_stanzas", "value": 5}]
        await submit(client, token, 1, inputs=inputs)
        ended = await drive_run(client, token, probe, 1)
        assert [e["parameter"] for e in ended[1:]] == [{"stanza_topic": "a"}, {"stanza_topic": "b"}]
        end = (await probe.wait_for(lambda: probe.named("workflow_execution_produced_text")))[0]
        assert end["produced_text"] == "about a\n\nabout b"


async def test_generator_failure_emits_error(probes: Probes) -> None:
    async def broken(step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
        raise RuntimeError("model unavailable")

    async with ReferenceServer(generator=broken) as srv, httpx.AsyncClient(base_url=srv.url) as client:
        token = srv.token_for(DEMO)
        execution = await create(client, token, 1)
        probe = await probes(srv.url, token)
        await probe.join(execution["session_id"])
        await submit(client, token, 1)
        error = (await probe.wait_for(lambda: probe.named("error")))[0]
        assert error == {"error": "model unavailable", "session_id": execution["session_id"]}
        assert srv.stored_run(1)["error"] == "model unavailable"
        pending = srv.stored_run(1)["step_executions"][0]["user_workflow_step_execution_pk"]
        assert (await validate(client, token, pending)).status_code == 400  # it never ended


@pytest.mark.parametrize("value", ["4", 4, "many", 0, 99])
async def test_offline_divider_counts(value: object) -> None:
    from mojodex_server import offline_generator

    result = await offline_generator("stanza_divider", {"poem_topic": "t", "n_stanzas": value})
    assert len(result) == {"4": 4, 4: 4, "many": 3, 0: 1, 99: 10}[value]
