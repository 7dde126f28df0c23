"""Helpers shared by the reference server's tests (a uniquely named module, importable without packages)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import socketio

DEMO = "demo@example.com"
NOW = {"datetime": "now", "platform": "webapp"}
LIST_PARAMS = {**NOW, "version": "0.0.0"}
ACK_KEYS = {"mojo_message": "message_pk", "draft_message": "produced_text_version_pk"}
POEM_INPUTS = [{"input_name": "poem_topic", "value": "Spring"}, {"input_name": "n_stanzas", "value": 3}]


class SocketProbe:
    """A Socket.IO client that records every event it gets and lets a test wait on them."""

    def __init__(self, url: str, token: str | None, reconnection: bool = False, answer_acks: bool = True) -> None:
        self.url = url
        self.token = token
        self.answer_acks = answer_acks  # answer mojo_message / draft_message acks as a client must
        self.events: list[tuple[str, Any]] = []
        self.sessions: list[str] = []  # rejoined on every (re)connection
        self._changed = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=reconnection, reconnection_delay=0.01,
                                        reconnection_delay_max=0.05, randomization_factor=0)
        self.sio.on("*", self._any)
        for event, key in ACK_KEYS.items():
            self.sio.on(event, self._acked(event, key))
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)

    def _note(self, event: str, data: Any) -> None:
        self.events.append((event, data))
        self._changed.set()

    async def _any(self, event: str, data: Any = None) -> None:
        self._note(event, data)

    def _acked(self, event: str, key: str) -> Callable[[Any], Any]:
        async def handler(data: Any = None) -> Any:
            self._note(event, data)
            if self.answer_acks and isinstance(data, dict):
                return {"session_id": data.get("session_id"), key: data.get(key)}
            return None

        return handler

    async def _connect(self) -> None:
        self._note("connect", None)
        for session_id in self.sessions:
            await self.sio.emit("start_session", {"session_id": session_id, "version": "0.0.0"})

    async def _disconnect(self, reason: Any = None) -> None:
        self._note("disconnect", reason)

    async def connect(self) -> None:
        auth = {"token": self.token} if self.token is not None else None
        await self.sio.connect(self.url, auth=auth, wait_timeout=5)

    async def join(self, session_id: str, version: str | None = "0.0.0") -> None:
        payload = {"session_id": session_id}
        if version is not None:
            payload["version"] = version
            self.sessions.append(session_id)
        await self.sio.call("start_session", payload, timeout=5)  # the ack comes once the server handled it

    def named(self, name: str) -> list[Any]:
        return [data for event, data in self.events if event == name]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        async def loop() -> Any:
            while True:
                value = predicate()
                if value:
                    return value
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(loop(), timeout)

    async def close(self) -> None:
        self.sio.reconnection = False
        await self.sio.disconnect()


async def create(client: httpx.AsyncClient, token: str, user_workflow_pk: int, method: str = "POST") -> Any:
    r = await client.request(method, "/user_workflow_execution", headers={"Authorization": token},
                             json={**NOW, "user_workflow_pk": user_workflow_pk})
    assert r.status_code == 200, r.text
    return r.json()


async def submit(client: httpx.AsyncClient, token: str, pk: int, inputs: Any = None,
                 method: str = "PUT") -> httpx.Response:
    body = {**NOW, "user_workflow_execution_pk": pk, "json_inputs": POEM_INPUTS if inputs is None else inputs}
    headers = {"Authorization": token}
    return await client.request(method, "/user_workflow_execution", headers=headers, json=body)


async def validate(client: httpx.AsyncClient, token: str, pk: int, validated: bool = True) -> httpx.Response:
    body = {**NOW, "user_workflow_step_execution_pk": pk, "validated": validated}
    return await client.post("/user_workflow_step_execution", headers={"Authorization": token}, json=body)


async def get_execution(client: httpx.AsyncClient, token: str, pk: int) -> Any:
    r = await client.get("/user_workflow_execution", headers={"Authorization": token},
                         params={**NOW, "user_workflow_execution_pk": pk})
    assert r.status_code == 200, r.text
    return r.json()
