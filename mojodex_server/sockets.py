"""Socket.IO handlers: token check at connect, ``start_session`` to join a run's room, connection drops."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import socketio
from socketio.exceptions import ConnectionRefusedError as SocketRefused

if TYPE_CHECKING:
    from .server import ReferenceServer

log = logging.getLogger(__name__)


class Sockets:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*",
                                        logger=False, engineio_logger=False)
        self.users: dict[str, int] = {}  # connected sid -> user pk
        self.rooms: dict[str, set[str]] = {}  # session_id -> sids that joined it
        self.sio.on("connect", self.connect)
        self.sio.on("disconnect", self.disconnect)
        self.sio.on("start_session", self.start_session)
        self.sio.on("*", self.any_event)

    def _note(self, kind: str, sid: str) -> None:
        self.server.recorder.connections.append((kind, sid))
        self.server.recorder.changed()

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        found = self.server.store.token_user(token) if isinstance(token, str) and token else None
        if found is None or found[1]:
            self._note("refused", sid)
            raise SocketRefused("Token expired." if found else "Invalid token.")
        self.users[sid] = found[0]
        self._note("connect", sid)

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        self.users.pop(sid, None)
        for members in self.rooms.values():
            members.discard(sid)
        self._note("disconnect", sid)

    def _log(self, event: str, data: Any) -> None:
        self.server.recorder.socket_log.append((event, data))
        self.server.recorder.changed()

    async def any_event(self, event: str, sid: str, *args: Any) -> None:
        self._log(event, args[0] if len(args) == 1 else list(args))

    async def start_session(self, sid: str, data: Any = None, *_: Any) -> None:
        self._log("start_session", data)
        session_id = data.get("session_id") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not data.get("version"):
            await self._error(sid, "Missing parameter : 'version'", session_id)
            return
        owner = self.server.store.session_owner(session_id) if isinstance(session_id, str) else None
        if owner is None or owner != self.users.get(sid):
            await self._send_error(sid, self.server.dialect.session_not_found(session_id))
            return
        assert isinstance(session_id, str)
        await self.sio.enter_room(sid, session_id)
        self.rooms.setdefault(session_id, set()).add(sid)
        self.server.recorder.changed()

    async def _error(self, sid: str, text: str, session_id: Any) -> None:
        await self._send_error(sid, {"error": text, "session_id": session_id})

    async def _send_error(self, sid: str, payload: Any) -> None:
        await self.sio.emit("error", payload, to=sid)
        self.server.recorder.emitted.append(("error", payload))
        self.server.recorder.changed()

    async def drain(self, room: str, most: int = 32, patience: float = 5.0) -> None:
        """Let the clients of ``room`` catch up: wait (up to ``patience`` s) while one has more than ``most``
        packets queued, so that a long stream of tokens does not pile up in memory."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        await asyncio.sleep(0)
        for sid in list(self.rooms.get(room, ())):
            eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
            eio_socket = self.sio.eio.sockets.get(eio_sid) if eio_sid else None
            while eio_socket is not None and not eio_socket.closed and eio_socket.queue.qsize() > most:
                if loop.time() > deadline:
                    return
                await asyncio.sleep(0.001)

    async def drop_all(self, mode: str = "transport") -> None:
        """Drop every connection: "transport" cuts it like a network failure, "disconnect" is a clean one."""
        for sid in list(self.users):
            if mode == "disconnect":
                await self.sio.disconnect(sid)
                continue
            eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
            eio_socket = self.sio.eio.sockets.get(eio_sid) if eio_sid else None
            if eio_socket is None:
                continue
            # close without a CLOSE packet, then let the transport's writer shut the connection
            await eio_socket.close(wait=False, abort=True)
            await eio_socket.queue.put(None)

    async def stop(self) -> None:
        """Disconnect every client cleanly, end every transport, stop the background tasks."""
        for sid in list(self.users):
            try:
                await self.sio.disconnect(sid)
            except Exception:  # pragma: no cover - best effort at shutdown
                log.debug("disconnect of %s failed", sid, exc_info=True)
        for eio_socket in list(self.sio.eio.sockets.values()):
            await eio_socket.close(wait=False, abort=False)
            await eio_socket.queue.put(None)
        await self.sio.shutdown()
