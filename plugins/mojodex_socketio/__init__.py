"""The Socket.IO plugin: one connection per shell, and the events of each followed run delivered to its owner.

It only transports: events are read by ``ctx.server.event`` and handed to the listener that follows their
session, acknowledged when the server asks for it; after a reconnection it joins its rooms again and asks each
listener to catch up (the run's owner re-reads the run and ignores what it has already seen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, NetworkError, hookimpl

if TYPE_CHECKING:
    import asyncio

    from mojodex_core import Context

JOIN_WAIT = 2.0  # seconds to wait for the server to acknowledge start_session


class SocketPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        # None until mojodex_startup, the first hook a shell calls; every method that may run before it checks.
        self.ctx: Context = None  # type: ignore[assignment]
        self.sio: Any = None
        self.listeners: dict[str, Any] = {}  # session_id -> the run's owner
        self.state = "off"
        self.connects = 0
        self._lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session: Any = None  # an aiohttp session of our own, for server.ca_bundle

    # -- hooks -------------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_startup(self, ctx: Context) -> None:
        self.ctx = ctx

    @hookimpl
    def mojodex_shutdown(self) -> Any:
        # Plain unless connected, so that a one-shot command needs no event loop.
        return self._disconnect() if self.sio is not None else None

    @hookimpl
    async def mojodex_auth_changed(self) -> None:
        # The connection was authenticated with the old token: open a new one for the runs still followed
        # (connecting again rejoins their rooms and catches up on what was missed).
        await self._disconnect()
        if self.ctx is not None and self.ctx.user is not None and self.listeners:
            try:
                await self._ensure_connected()
            except MojodexError as exc:
                self.ctx.warn(str(exc))

    @hookimpl
    def mojodex_toolbar(self) -> str | None:
        return None if self.state == "off" else f"socket: {self.state}"

    @hookimpl
    async def mojodex_follow_session(self, ctx: Context, session_id: str, listener: Any) -> bool:
        self.ctx = ctx
        await self._ensure_connected()
        known = session_id in self.listeners
        self.listeners[session_id] = listener
        if not known:
            await self._join(session_id)
        return True

    @hookimpl
    def mojodex_unfollow_session(self, session_id: str) -> None:
        self.listeners.pop(session_id, None)

    # -- connection --------------------------------------------------------------------------------------

    async def _ensure_connected(self) -> None:
        if self._lock is None:
            import asyncio

            self._lock = asyncio.Lock()
        async with self._lock:
            if self.sio is not None and self.sio.connected:
                return
            await self._connect()

    async def _connect(self) -> None:
        import socketio

        ctx = self.ctx
        await ctx.require_user()
        if self.sio is not None:
            await self._disconnect()
        # The first retry comes at once (a dropped connection is usually back at once); later ones back off to 2 s.
        sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.05, reconnection_delay_max=2.0,
                                   logger=False, engineio_logger=False, **self._tls())
        sio.on("connect", self._on_connect)
        sio.on("disconnect", self._on_disconnect)
        sio.on("*", self._on_event)
        self.sio = sio
        self.state = "connecting"
        try:
            # Default transports: long-polling first, then the upgrade to WebSocket, as every server allows.
            await sio.connect(ctx.server_url, auth=self._auth, wait_timeout=10)
        except socketio.exceptions.ConnectionError as exc:
            self.sio, self.state = None, "off"
            reason = str(exc).strip() or "connection refused"
            raise NetworkError(f"cannot open the event connection to {ctx.server_url}: {reason}") from None

    def _tls(self) -> dict[str, Any]:
        """TLS stays verified; with ``server.ca_bundle`` against the user's own CA, as for HTTP."""
        from mojodex_core import ca_context  # with the HTTP client it comes from: not at every start

        context = ca_context(str(self.ctx.config.get("server.ca_bundle", "") or ""))
        if context is None:
            return {}
        import aiohttp

        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
        return {"http_session": self._session}

    def _auth(self) -> dict[str, str]:
        # Called on every (re)connection, so a new login's token is used from then on.
        user = self.ctx.user if self.ctx is not None else None
        return {"token": user.token if user is not None else ""}

    async def _disconnect(self) -> None:
        sio, self.sio = self.sio, None
        self.state = "off"
        if sio is not None:
            try:
                await sio.disconnect()
            except Exception as exc:  # a broken connection is closed all the same
                if self.ctx is not None:
                    self.ctx.log_exception(exc, "socket disconnect")
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _join(self, session_id: str) -> None:
        """Join the run's room, waiting (a little) for the server to have handled it.

        Socket.IO servers acknowledge a message sent with a callback once its handler returned, so a run whose
        inputs are submitted next cannot emit its first events before the room is joined. A server that never
        acknowledges costs ``JOIN_WAIT`` seconds, once per run.
        """
        import socketio

        version = str(self.ctx.config.get("server.version", "0.0.0"))
        try:
            await self.sio.call("start_session", {"session_id": session_id, "version": version}, timeout=JOIN_WAIT)
        except socketio.exceptions.TimeoutError:
            self.ctx.log_exception(TimeoutError("start_session was not acknowledged"), "joining a run's room")

    async def _on_connect(self) -> None:
        self.connects += 1
        self.state = "connected"
        if self.connects > 1 and self.listeners:
            import asyncio

            task = asyncio.get_running_loop().create_task(self._rejoin())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _on_disconnect(self, *args: Any) -> None:
        if self.sio is not None:
            self.state = "reconnecting"
            # Nothing the server says reaches us until "back": runs must not take the silence for an end.
            for listener in list(self.listeners.values()):
                listener.connection("lost")
            await self.ctx.call_hook("mojodex_server_event", event="disconnected",
                                     data={"session_ids": list(self.listeners)})

    async def _rejoin(self) -> None:
        """After a reconnection: join every room again, then each run's owner catches up over HTTP."""
        sessions = dict(self.listeners)
        try:
            for session_id in sessions:
                await self._join(session_id)
            for listener in sessions.values():
                await listener.catch_up()
        except MojodexError as exc:
            self.ctx.warn(f"after reconnecting: {exc}")
        except Exception as exc:
            self.ctx.log_exception(exc, "socket rejoin")
            self.ctx.warn(f"after reconnecting: {type(exc).__name__}")
        for listener in sessions.values():
            listener.connection("back")
        await self.ctx.call_hook("mojodex_server_event", event="reconnected", data={"session_ids": list(sessions)})

    # -- events ------------------------------------------------------------------------------------------

    async def _on_event(self, name: str, data: Any = None, *rest: Any) -> Any:
        try:
            return await self._dispatch(str(name), data)
        except Exception as exc:  # nothing a server sends may break the shell
            self.ctx.log_exception(exc, f"socket event {name}")
            return None

    async def _dispatch(self, name: str, data: Any) -> Any:
        from mojodex_core import clean

        try:
            data = clean(data, f"a {name} event")
        except MojodexError as exc:
            self.ctx.warn(f"ignored a {name} event: {exc}")
            return None
        payload = data if isinstance(data, dict) else {"payload": data}
        session_id = payload.get("session_id")
        if not isinstance(session_id, str) and len(self.listeners) == 1:
            # Only a room this client joined sends it events: a server that leaves the session id out of a
            # payload still means the one run followed.
            session_id = next(iter(self.listeners))
            payload = {**payload, "session_id": session_id}
        listener = self.listeners.get(session_id) if isinstance(session_id, str) else None
        if listener is None:
            return None
        server = self.ctx.server
        event = server.event(name, payload)
        if event is None:
            self.ctx.warn(f"ignored a malformed {name} event from the server")
        else:
            listener.deliver(event)
        await self.ctx.call_hook("mojodex_server_event", event=name, data=payload)
        return server.ack(name, payload)
