"""Fault knobs, token expiry, socket drops, observation helpers, standalone entry point."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import DEMO, LIST_PARAMS, NOW, create, submit, validate

from mojodex_server import ReferenceServer

Probes = Callable[..., Any]
ROOT = Path(__file__).resolve().parents[2]


async def test_fail_next(client: httpx.AsyncClient, server: ReferenceServer, token: str) -> None:
    headers = {"Authorization": token}
    server.faults.fail_next("/user_workflow", status=503, times=2)
    for _ in range(2):
        r = await client.get("/user_workflow", params=LIST_PARAMS, headers=headers)
        assert r.status_code == 503 and r.json() == {"error": "Internal error"}
    assert (await client.get("/user_workflow", params=LIST_PARAMS, headers=headers)).status_code == 200
    assert [q.fault for q in server.requests] == ["fail", "fail", None]


async def test_faulted_request_is_not_processed(client: httpx.AsyncClient, server: ReferenceServer,
                                                token: str) -> None:
    server.faults.fail_next("/user_workflow_execution")
    r = await client.post("/user_workflow_execution", headers={"Authorization": token},
                          json={**NOW, "user_workflow_pk": 101})
    assert r.status_code == 500
    assert (await create(client, token, 101))["user_workflow_execution_pk"] == 101
    assert server.requests[0].json == {**NOW, "user_workflow_pk": 101}


async def test_garbage_and_truncate(client: httpx.AsyncClient, server: ReferenceServer, token: str) -> None:
    headers = {"Authorization": token}
    server.faults.garbage_next("/user_workflow")
    server.faults.truncate_next("/user_workflow")
    garbage = await client.get("/user_workflow", params=LIST_PARAMS, headers=headers)
    assert garbage.status_code == 200 and garbage.text.startswith("<html>oops")
    truncated = await client.get("/user_workflow", params=LIST_PARAMS, headers=headers)
    assert truncated.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        truncated.json()
    unrelated = await client.post("/user", json={"email": DEMO, "password": "demo",
                                                 "login_method": "email_password", "datetime": "now"})
    assert unrelated.status_code == 200
    assert (await client.get("/user_workflow", params=LIST_PARAMS, headers=headers)).json()["user_workflows"]


async def test_wait_until_times_out(server: ReferenceServer) -> None:
    with pytest.raises(TimeoutError):
        await server.wait_until(lambda: server.requests, timeout=0.05)


async def test_wait_until_wakes_on_request(client: httpx.AsyncClient, server: ReferenceServer) -> None:
    waiter = asyncio.create_task(server.wait_until(lambda: [q for q in server.requests if q.path == "/user"]))
    await client.post("/user", json={})
    assert (await waiter)[0].status == 400


async def test_drop_socket_every_with_reconnecting_client(client: httpx.AsyncClient, server: ReferenceServer,
                                                          token: str, probes: Probes) -> None:
    execution = await create(client, token, 101)
    session_id, pk = execution["session_id"], execution["user_workflow_execution_pk"]
    probe = await probes(server.url, token, reconnection=True)
    await probe.join(session_id)
    server.faults.drop_socket_every = 2  # after each "ended": the client reconnects and joins again
    await submit(client, token, pk)
    for i in range(4):  # 1 divider + 3 writers
        ended = (await probe.wait_for(lambda i=i: probe.named("workflow_step_execution_ended")[i:]))[0]
        await probe.wait_for(lambda i=i: len(probe.named("connect")) >= 2 + i)
        await server.wait_until(lambda: server.room_size(session_id) == 1)
        assert (await validate(client, token, ended["user_workflow_step_execution_pk"])).status_code == 200
    await probe.wait_for(lambda: probe.named("workflow_execution_produced_text"))
    assert len(probe.named("disconnect")) == 4
    assert [e for e, _ in server.socket_log].count("start_session") == 5


async def test_drop_mode_disconnect(server: ReferenceServer, token: str, probes: Probes) -> None:
    probe = await probes(server.url, token, reconnection=True)
    server.faults.drop_mode = "disconnect"
    await server.drop_sockets()
    await probe.wait_for(lambda: probe.named("disconnect"))
    assert not probe.sio.connected
    assert [kind for kind, _ in server.connections] == ["connect", "disconnect"]


def test_standalone_entry_point() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mojodex_server", "--port", "0", "--api", "mojodex-2024"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" on ")[1].strip()
        assert url.startswith("http://127.0.0.1:")
        login = httpx.post(f"{url}/user", json={"email": DEMO, "password": "demo",
                                                "login_method": "email_password", "datetime": "now"})
        assert login.status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=5)  # waits, and closes the stdout pipe (Python 3.13 warns about an open one)
