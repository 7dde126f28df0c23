"""The Socket.IO plugin: one connection per shell, the rooms of followed runs, server events as step hooks.

After every reconnection it joins its rooms again and re-reads each run over HTTP, so that steps that
started or ended while it was away are still reported, and none twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl
from mojodex_core._errors import MojodexError, NetworkError
from mojodex_core._events import StepEvent, steps_in_execution

if TYPE_CHECKING:
    import asyncio

JOIN_WAIT = 2.0  # seconds to wait for the server to acknowledge start_session
STEP_EVENTS = {
    "workflow_step_execution_started": ("started", "mojodex_step_started"),
    "workflow_step_execution_ended": ("ended", "mojodex_step_ended"),
}
class SocketPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.ctx: Any = None
        self.sio: Any = None
        self.sessions: dict[str, int | str] = {}  # session_id -> execution pk
        self.seen: set[tuple[str, str, str]] = set()  # (session_id, kind, step execution pk)
        self.state = "off"
        self.connects = 0
        self._lock: asyncio.Lock | None = None

    # -- hooks -------------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_startup(self, ctx: Any) -> None:
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
        if self.ctx is not None and self.ctx.user is not None and self.sessions:
            try:
                await self._ensure_connected()
            except MojodexError as exc:
                self.ctx.warn(str(exc))

    @hookimpl
    def mojodex_toolbar(self) -> str | None:
        return None if self.state == "off" else f"socket: {self.state}"

    @hookimpl
    async def mojodex_follow_session(self, ctx: Any, session_id: str, execution_pk: int | str) -> bool:
        self.ctx = ctx
        await self._ensure_connected()
        self.sessions[session_id] = execution_pk
        await self._join(session_id)
        return True

    @hookimpl
    def mojodex_unfollow_session(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

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
        sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=2.0,
                                   logger=False, engineio_logger=False)
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

    async def _join(self, session_id: str) -> None:
        """Join the run's room, waiting (a little) for the server to have handled it.

        Socket.IO servers acknowledge a message sent with a callback once its handler returned, so a run whose
        inputs are submitted next cannot emit its first events before the room is joined. A server that never
        acknowledges costs ``JOIN_WAIT`` seconds, once per run.
        """
        import socketio

        version = str(self.ctx.config.get("server.version", "0.0.0"))
        payload = {"session_id": session_id, "version": version}
        try:
            await self.sio.call("start_session", payload, timeout=JOIN_WAIT)
        except socketio.exceptions.TimeoutError:
            self.ctx.log_exception(TimeoutError("start_session was not acknowledged"), "joining a run's room")

    async def _on_connect(self) -> None:
        self.connects += 1
        self.state = "connected"
        if self.connects > 1 and self.sessions:
            import asyncio

            asyncio.get_running_loop().create_task(self._rejoin())

    async def _on_disconnect(self, *args: Any) -> None:
        if self.sio is not None:
            self.state = "reconnecting"
            # Nothing the server says reaches us until "reconnected": runs must not take the silence for an end.
            await self.ctx.fire("mojodex_server_event", event="disconnected",
                                data={"session_ids": list(self.sessions)})

    async def _rejoin(self) -> None:
        """After a reconnection: join every room again, then catch up over HTTP on what was missed."""
        from mojodex_core._routes import call

        sessions = dict(self.sessions)
        try:
            for session_id in sessions:
                await self._join(session_id)
            for session_id, pk in sessions.items():
                execution = await call(self.ctx, "get_execution", params={"user_workflow_execution_pk": pk},
                                       what="an execution")
                for step in steps_in_execution(execution, session_id):
                    if step.data.get("validated") is True:
                        continue  # validated by this user already: nothing to catch up on
                    await self._fire_step("started", step)
                    if step.result is not None:
                        await self._fire_step("ended", step)
        except MojodexError as exc:
            self.ctx.warn(f"after reconnecting: {exc}")
        except Exception as exc:
            self.ctx.log_exception(exc, "socket rejoin")
            self.ctx.warn(f"after reconnecting: {type(exc).__name__}")
        await self.ctx.fire("mojodex_server_event", event="reconnected", data={"session_ids": list(sessions)})

    # -- events ------------------------------------------------------------------------------------------

    async def _on_event(self, event: str, data: Any = None, *rest: Any) -> None:
        try:
            await self._dispatch(event, data)
        except Exception as exc:  # nothing a server sends may break the shell
            self.ctx.log_exception(exc, f"socket event {event}")

    async def _dispatch(self, event: str, data: Any) -> None:
        payload = data if isinstance(data, dict) else {"payload": data}
        session_id = payload.get("session_id")
        if session_id is None and len(self.sessions) == 1:
            # Only a room this client joined sends it events: a server that leaves the session id out of a
            # payload still means the one run followed.
            session_id = next(iter(self.sessions))
            payload = {**payload, "session_id": session_id}
        if not isinstance(session_id, str) or session_id not in self.sessions:
            return
        if event in STEP_EVENTS:
            kind, _ = STEP_EVENTS[event]
            step = StepEvent.from_server(payload)
            if step is None or step.step_execution_pk is None:  # without its pk a step can be neither told
                self.ctx.warn(f"ignored a malformed {event} event from the server")  # apart nor validated
                return
            await self._fire_step(kind, step)
            return
        await self.ctx.fire("mojodex_server_event", event=event, data=payload)

    async def _fire_step(self, kind: str, step: StepEvent) -> None:
        key = (step.session_id, kind, str(step.step_execution_pk))
        if step.step_execution_pk is not None:
            if key in self.seen:
                return
            self.seen.add(key)
        if kind == "ended" and step.step_execution_pk is not None:
            # An end implies the start: report a start missed while away first.
            start = (step.session_id, "started", str(step.step_execution_pk))
            if start not in self.seen:
                self.seen.add(start)
                await self.ctx.fire("mojodex_step_started", step=_started(step))
        hook = "mojodex_step_started" if kind == "started" else "mojodex_step_ended"
        await self.ctx.fire(hook, step=step)


def _started(step: StepEvent) -> StepEvent:
    return StepEvent(step.session_id, step.step_name, step.step_execution_pk, None, "server", step.data)
