"""Events sent with a Socket.IO acknowledgement (``mojo_message``, ``draft_message``), re-sent until answered.

As on the real backends: the event goes to every client in the run's room with an ack callback; a client
answers with ``{"session_id", <id key>: <the event's id>}``. Until some client does, the event is sent to the
room again every ``ack_resend_seconds``, at most ``ack_max_tries`` times, so a client that reconnected and
rejoined the room gets it at the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import TYPE_CHECKING, Any

from .background import Background

if TYPE_CHECKING:
    from .server import ReferenceServer

ID_KEYS = {"mojo_message": "message_pk", "draft_message": "produced_text_version_pk"}


def _same_id(answered: Any, sent: Any) -> bool:
    with contextlib.suppress(TypeError, ValueError):
        return int(answered) == int(sent) and not isinstance(answered, bool)
    return False


class Acks:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.pending: dict[tuple[str, int], dict[str, Any]] = {}
        self.resends = Background()  # its own: the server's idle() does not wait for re-sends

    def waiting(self, event: str | None = None) -> list[dict[str, Any]]:
        """The payloads still waiting for an answer."""
        return [p for (e, _), p in self.pending.items() if event is None or e == event]

    async def send(self, event: str, payload: dict[str, Any], room: str) -> None:
        key = (event, int(payload[ID_KEYS[event]]))
        self.pending[key] = payload
        await self._emit(event, payload, room)
        self.resends.spawn(self._resend(key, room))

    async def _emit(self, event: str, payload: dict[str, Any], room: str) -> None:
        sockets = self.server.sockets
        if sockets is None:
            return
        for sid in list(sockets.rooms.get(room, ())):
            callback = functools.partial(self._answered, event, payload)
            with contextlib.suppress(Exception):  # a client that left meanwhile
                await sockets.sio.emit(event, payload, to=sid, callback=callback)

    def _answered(self, event: str, payload: dict[str, Any], *args: Any) -> None:
        data = args[0] if len(args) == 1 else (list(args) if args else None)
        recorder = self.server.recorder
        recorder.acks.append((event, data))
        id_key = ID_KEYS[event]
        if (isinstance(data, dict) and data.get("session_id") == payload.get("session_id")
                and _same_id(data.get(id_key), payload[id_key])):
            self.pending.pop((event, int(payload[id_key])), None)
        recorder.changed()

    async def _resend(self, key: tuple[str, int], room: str) -> None:
        event = key[0]
        for _ in range(self.server.ack_max_tries):
            await asyncio.sleep(self.server.ack_resend_seconds)
            payload = self.pending.get(key)
            if payload is None:
                return
            await self._emit(event, payload, room)
            self.server.recorder.resent.append((event, payload))
            self.server.recorder.changed()
        self.pending.pop(key, None)

    async def stop(self) -> None:
        await self.resends.stop()
