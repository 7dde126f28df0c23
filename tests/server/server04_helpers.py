"""Helpers of the reference server's 0.4 tests: a 0.4 server, creating and starting task runs over HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from server_helpers import DEMO, SocketProbe

from mojodex_server import ReferenceServer

API = "mojodex-0.4"
NOW = {"datetime": "now", "platform": "webapp"}
POEM, ASSIST, MINUTES, DISABLED = 11, 12, 13, 14  # the built-in tasks' user_task_pks with first_pk=11
POEM_VALUES = {"poem_topic": "Spring", "n_stanzas": "3"}
STEP_KEYS = {"user_workflow_step_execution_pk", "workflow_step_pk", "step_name_for_user", "step_definition_for_user",
             "creation_date", "user_validation_required", "validated", "parameter", "result", "error_status",
             "review_chat_enabled", "session_id"}


class Api:
    """A logged-in HTTP client of a 0.4 server."""

    def __init__(self, server: ReferenceServer, http: httpx.AsyncClient, email: str = DEMO) -> None:
        self.server = server
        self.http = http
        self.token = server.token_for(email)
        self.headers = {"Authorization": self.token}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params={**NOW, **params}, headers=self.headers)

    async def send(self, method: str, path: str, **body: Any) -> httpx.Response:
        return await self.http.request(method, path, json={**NOW, **body}, headers=self.headers)

    async def form(self, path: str, files: Any = None, method: str = "POST", **fields: Any) -> httpx.Response:
        data = {"datetime": "now", "platform": "webapp", "version": "0.0.0", **fields}
        return await self.http.request(method, path, data=data, files=files, headers=self.headers)

    async def create(self, user_task_pk: int) -> dict[str, Any]:
        r = await self.send("PUT", "/user_task_execution", user_task_pk=user_task_pk)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def start(self, pk: int, values: dict[str, Any], files: Any = None) -> httpx.Response:
        inputs = json.dumps([{"input_name": k, "input_value": v} for k, v in values.items()])
        return await self.form("/user_task_execution_run", files=files, user_task_execution_pk=pk, inputs=inputs)

    async def validate(self, pk: int, validated: bool = True) -> httpx.Response:
        return await self.send("POST", "/user_workflow_step_execution", user_workflow_step_execution_pk=pk,
                               validated=validated)

    async def message(self, run: dict[str, Any], text: str, message_id: str) -> httpx.Response:
        return await self.form("/user_message", method="PUT", session_id=run["session_id"], message_id=message_id,
                               message_date="2024-07-01T10:00:00", text=text, origin="task",
                               user_task_execution_pk=run["user_task_execution_pk"])


@asynccontextmanager
async def server04(**kwargs: Any) -> AsyncIterator[tuple[ReferenceServer, Api]]:
    async with ReferenceServer(**{"api": API, "first_pk": 11, **kwargs}) as srv, \
            httpx.AsyncClient(base_url=srv.url, timeout=10) as http:
        yield srv, Api(srv, http)


async def joined_run(api: Api, probe: SocketProbe, user_task_pk: int = POEM,
                     values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create a run, join its room, start it; return the create answer."""
    run = await api.create(user_task_pk)
    await probe.join(run["session_id"])
    r = await api.start(run["user_task_execution_pk"], POEM_VALUES if values is None else values)
    assert r.status_code == 200 and r.json() == {"success": "ok"}, r.text
    return run


def nth(probe: SocketProbe, event: str, n: int) -> Any:
    """A predicate: the ``n``th (0-based) ``event`` the probe got, once it has."""
    def check() -> Any:
        found = probe.named(event)
        return found[n] if len(found) > n else None

    return check


def step_events(probe: SocketProbe) -> list[tuple[str, int]]:
    """(short event name, step execution pk) of the step events, in order."""
    return [(e.rsplit("_", 1)[1], d["user_workflow_step_execution_pk"]) for e, d in probe.events
            if e.startswith("workflow_step_execution_")]
