"""ReferenceServer: a Mojodex-compatible server (aiohttp + Socket.IO, storage in memory) to run in-process.

It speaks the protocol of /work/shared/protocol.md in one dialect, chosen at start-up by name (``api``) from the
registry of :mod:`mojodex_server.dialect`: ``spec``, ``mojodex-2024`` or ``mojodex-0.4``, each a package of its own.
This class holds what every dialect shares: accounts, storage, the chat, Socket.IO, fault switches and the
recorder of what happened (:mod:`mojodex_server.testing`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from . import content
from .account_store import AccountStore
from .acks import Acks
from .assistant import Assistant, offline_assistant
from .background import Background
from .chat import Chat
from .dialect import NAMES, Dialect, dialect_class
from .generators import Generator, offline_generator
from .middleware import make_middleware
from .sockets import Sockets
from .store import Store, User
from .testing import BINARY_ATTACHMENT, Faults, RecordedRequest, Recorder
from .users import setup_routes

APIS = NAMES
DEMO_EMAIL = content.DEMO_EMAIL
DEMO_PASSWORD = "demo"
DEMO_NAME = "Demo User"
TOKEN_EVENTS = ("mojo_token", "draft_token")


class ReferenceServer:
    def __init__(
        self,
        api: str = "spec",
        host: str = "127.0.0.1",
        port: int = 0,
        step_delay: float = 0.0,
        start_delay: float = 0.0,
        end_event: bool | None = None,
        generator: Generator | None = None,
        first_pk: int = 1,
        join_grace: float = 0.0,
        assistant: Assistant | None = None,
        draft_tokens: int = 60,
        token_delay: float = 0.0,
        ack_resend_seconds: float = 5.0,
        ack_max_tries: int = 120,
        record_token_limit: int = 1000,
    ) -> None:
        self.api = api
        self.first_pk = first_pk
        self.host = host
        self.port = port
        self.step_delay = step_delay
        self.start_delay = start_delay
        """Seconds between a validation and the next step's start, as a busy backend takes them."""
        self.join_grace = join_grace
        kind = dialect_class(api)
        self.end_event = kind.end_event if end_event is None else end_event
        self.generator: Generator = generator or offline_generator
        self.assistant: Assistant = assistant or offline_assistant
        self.draft_tokens = draft_tokens
        """How many tokens the offline assistant's drafts have (streamed as that many ``draft_token`` events)."""
        self.token_delay = token_delay
        """Seconds between two streamed tokens (0: no pause at all)."""
        self.ack_resend_seconds = ack_resend_seconds
        self.ack_max_tries = ack_max_tries
        self.record_token_limit = record_token_limit
        """Token events of one stream recorded in ``emitted`` (all are counted in ``recorder.tokens``)."""
        self.store = Store(first_pk=first_pk)
        self.accounts = AccountStore(self, first_pk)
        self.faults = Faults()
        self.recorder = Recorder()
        self.background = Background()
        self.chat = Chat(self)
        self.acks = Acks(self)
        self.dialect: Dialect = kind(self)
        self._sockets: Sockets | None = None
        self._web_runner: web.AppRunner | None = None
        self._room_emits = 0
        self.add_user(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)
        self._demo_ref = self.dialect.install_demo()

    # ---- lifecycle -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def sockets(self) -> Sockets | None:
        return self._sockets

    async def start(self) -> None:
        if self._web_runner is not None:
            return
        self._sockets = Sockets(self)
        app = web.Application(middlewares=[make_middleware(self)])
        self._sockets.sio.attach(app)
        setup_routes(self, app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._web_runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        await self.background.stop()
        await self.acks.stop()
        if self._sockets is not None:
            await self._sockets.stop()
        if self._web_runner is not None:
            await self._web_runner.cleanup()
            self._web_runner = None

    async def restart(self) -> None:
        """Restart as a backend does: every connection cut (without a goodbye, so clients reconnect), the port
        closed, then the same port served again with everything stored kept; steps in progress go on."""
        if self._sockets is not None:
            await self._sockets.drop_all("transport")
            await self._sockets.sio.shutdown()
        if self._web_runner is not None:
            await self._web_runner.cleanup()
            self._web_runner = None
        await self.start()

    async def __aenter__(self) -> ReferenceServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # ---- set-up ----------------------------------------------------------------------------------------
    def add_user(self, email: str, password: str, name: str, terms_accepted: bool = True) -> User:
        """An account; ``terms_accepted=False`` makes it one that must ``PUT /terms_and_conditions`` first."""
        user = self.store.add_user(email, password, name, terms_accepted=terms_accepted,
                                   language_code="en" if terms_accepted else None)
        self.accounts.give_default_plan(user.user_pk)  # (an account made by PUT /user has no plan: 402)
        return user

    def token_for(self, email: str) -> str:
        """Log ``email`` in directly and return a fresh token."""
        user = self.store.user_by_email(email)
        if user is None:
            raise KeyError(email)
        return self.store.new_token(user.user_pk)

    def add_workflow(
        self, name: str, icon: str, description: str,
        inputs: list[str] | list[dict[str, Any]] | None = None,
        steps: list[str] | None = None,
        user_email: str = DEMO_EMAIL,
    ) -> int:
        """Give ``user_email`` a workflow; return its user_workflow_pk (on 0.4: a workflow task, its
        user_task_pk). ``inputs``: names or spec dicts; ``steps``: system step names."""
        return self.dialect.add_workflow(name, icon, description, inputs, steps, user_email)

    def add_task(
        self, name: str, icon: str, description: str, task_type: str = "workflow",
        json_input: list[dict[str, Any]] | None = None, steps: list[str] | list[dict[str, Any]] | None = None,
        user_email: str = DEMO_EMAIL, enabled: bool = True,
    ) -> int:
        """0.4: give ``user_email`` a task; return its user_task_pk. ``steps`` (workflows): system names or
        dicts with step_name, name_for_user, definition_for_user, user_validation_required, review_chat_enabled;
        a workflow without ``json_input``/``steps`` gets Write poem's."""
        if task_type not in ("workflow", "instruct"):
            raise ValueError(f"task_type must be workflow or instruct, not {task_type!r}")
        user = self._user(user_email)
        if task_type == "workflow":
            json_input = content.POEM_INPUTS if json_input is None else json_input
            steps = content.POEM_STEPS if steps is None else steps
        step_dicts = [content.task_step(s) for s in steps or []] if task_type == "workflow" else []
        tasks = self.store.tasks
        task_pk = tasks.add_task(name, icon, description, task_type, list(json_input or []), step_dicts)
        return tasks.add_user_task(user.user_pk, task_pk, enabled)

    def demo_workflow_ref(self) -> str:
        """The Write poem workflow's ref in this dialect: its user_workflow_pk, or on 0.4 its user_task_pk."""
        return str(self._demo_ref)

    def _user(self, email: str) -> User:
        user = self.store.user_by_email(email)
        if user is None:
            raise KeyError(email)
        return user

    def expire_tokens(self) -> None:
        """Every token issued so far now gets 403 "Token expired." and is refused at socket connect."""
        self.store.expire_tokens()

    # ---- observation ---------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.requests

    @property
    def socket_log(self) -> list[tuple[str, Any]]:
        return self.recorder.socket_log

    @property
    def emitted(self) -> list[tuple[str, Any]]:
        return self.recorder.emitted

    @property
    def connections(self) -> list[tuple[str, str]]:
        """("connect" | "refused" | "disconnect", sid) in order."""
        return self.recorder.connections

    def room_size(self, session_id: str) -> int:
        """How many connected Socket.IO clients joined ``session_id``."""
        return len(self._sockets.rooms.get(session_id, ())) if self._sockets else 0

    async def idle(self, timeout: float = 5.0) -> None:
        """Wait until no step or chat turn is running in the background (ack re-sends do not count)."""
        await self.background.idle(timeout)

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        return await self.recorder.wait_until(predicate, timeout)

    def stored_run(self, pk: int) -> dict[str, Any]:
        """A run as its GET returns it, plus what is stored (the dialect says what: ``Dialect.stored_run``)."""
        return self.dialect.stored_run(pk)

    # ---- sockets -------------------------------------------------------------------------------------
    def _record(self, event: str, payload: Any, record: bool = True) -> None:
        if event in TOKEN_EVENTS:
            self.recorder.tokens[event] = self.recorder.tokens.get(event, 0) + 1
        if record:
            self.recorder.emitted.append((event, payload))
        self.recorder.changed()

    async def emit_to_room(self, event: str, payload: dict[str, Any], room: str, record: bool = True) -> None:
        if self._sockets is None:
            return
        if self.faults.binary_results and event.startswith("workflow_step_execution_"):
            payload = {**payload, "attachment": BINARY_ATTACHMENT}
        await self._sockets.sio.emit(event, payload, to=room)
        self._record(event, payload, record)
        await self._count_room_emit()

    async def emit_with_ack(self, event: str, payload: dict[str, Any], room: str) -> None:
        """``mojo_message`` / ``draft_message``: sent with an ack callback, re-sent until answered."""
        if self._sockets is None:
            return
        await self.acks.send(event, payload, room)
        self._record(event, payload)
        await self._count_room_emit()

    async def _count_room_emit(self) -> None:
        self._room_emits += 1
        every = self.faults.drop_socket_every
        if every > 0 and self._room_emits % every == 0:
            await self.drop_sockets()

    async def drop_sockets(self, mode: str | None = None) -> None:
        """Drop every Socket.IO connection now (``mode`` defaults to ``faults.drop_mode``)."""
        if self._sockets is not None:
            await self._sockets.drop_all(mode or self.faults.drop_mode)
