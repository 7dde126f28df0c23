"""ReferenceServer: a Mojodex-compatible server (aiohttp + Socket.IO + SQLite) to run in-process.

It speaks the protocol of /work/shared/protocol.md, in one of two route tables:
- ``api="spec"``: the specification's methods (POST creates an execution, PUT submits its inputs) and, by
  default, a ``workflow_execution_produced_text`` event at the end of a run;
- ``api="mojodex-2024"``: the backend of the specification's time (PUT creates, POST submits), no end event,
  and the very last validation of a run answered 200 but never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .faults import Faults
from .generators import Generator, offline_generator
from .middleware import make_middleware
from .records import RecordedRequest, Recorder
from .routes import Routes
from .runner import Runner, step_payload
from .sockets import Sockets
from .store import Store, User

APIS = ("spec", "mojodex-2024")
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"
DEMO_NAME = "Demo User"


class ReferenceServer:
    def __init__(
        self,
        api: str = "spec",
        host: str = "127.0.0.1",
        port: int = 0,
        step_delay: float = 0.0,
        end_event: bool | None = None,
        generator: Generator | None = None,
        db_path: str | None = None,
        first_pk: int = 1,
        join_grace: float = 0.0,
    ) -> None:
        if api not in APIS:
            raise ValueError(f"api must be one of {APIS}, not {api!r}")
        self.api = api
        self.host = host
        self.port = port
        self.step_delay = step_delay
        self.join_grace = join_grace
        self.end_event = (api == "spec") if end_event is None else end_event
        self.generator: Generator = generator or offline_generator
        self.store = Store(db_path, first_pk)
        self.faults = Faults()
        self.recorder = Recorder()
        self.runner = Runner(self)
        self._sockets: Sockets | None = None
        self._web_runner: web.AppRunner | None = None
        self._room_emits = 0
        self.add_user(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)
        self.add_workflow("Write poem", "🌸", "Write a poem stanza by stanza")

    # ---- lifecycle -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        if self._web_runner is not None:
            return
        self._sockets = Sockets(self)
        app = web.Application(middlewares=[make_middleware(self)])
        self._sockets.sio.attach(app)
        Routes(self).setup(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._web_runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        await self.runner.stop()
        if self._sockets is not None:
            await self._sockets.stop()
        if self._web_runner is not None:
            await self._web_runner.cleanup()
            self._web_runner = None

    async def __aenter__(self) -> ReferenceServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # ---- set-up ----------------------------------------------------------------------------------------
    def add_user(self, email: str, password: str, name: str) -> User:
        return self.store.add_user(email, password, name)

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
        """Give ``user_email`` a workflow; return its user_workflow_pk. ``inputs``: names or spec dicts."""
        user = self.store.user_by_email(user_email)
        if user is None:
            raise KeyError(user_email)
        raw_inputs: list[Any] = list(inputs) if inputs is not None else ["poem_topic", "n_stanzas"]
        inputs_spec = [{"input_name": i} if isinstance(i, str) else dict(i) for i in raw_inputs]
        step_names = list(steps) if steps is not None else ["stanza_divider", "stanza_writer"]
        return self.store.add_workflow(user.user_pk, name, icon, description, inputs_spec, step_names)

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
        """Wait until no step is running and no event is being emitted in the background."""
        await self.runner.idle(timeout)

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        return await self.recorder.wait_until(predicate, timeout)

    def execution_json(self, pk: int) -> dict[str, Any]:
        """The execution as ``GET /user_workflow_execution`` returns it."""
        execution = self.store.execution(pk)
        if execution is None:
            raise KeyError(pk)
        found = self.store.user_workflow(execution.user_workflow_fk)
        assert found is not None
        user_workflow = found[1]
        values = {e["input_name"]: e.get("value") for e in execution.json_inputs or []}
        inputs = [
            {**spec, "value": values.get(spec["input_name"]), "default_value": spec.get("default_value")}
            for spec in user_workflow["inputs_spec"]
        ]
        steps = self.store.step_executions(pk)
        validated = [step_payload(se, execution.session_id) for se in steps if se.validated]
        data = {
            "workflow_name": user_workflow["name"],
            "user_workflow_execution_pk": execution.pk,
            "user_workflow_fk": execution.user_workflow_fk,
            "steps": user_workflow["steps"],
            "validated_steps_executions": validated,
            "session_id": execution.session_id,
            "inputs": inputs,
        }
        if self.api == "spec":
            # The specification reads "the status of the step and the results of the current step run" from
            # this GET: the step execution that ended and waits for validation (null when there is none).
            # The backend of that time (api "mojodex-2024") lists validated steps only.
            waiting = [se for se in steps if not se.validated and se.result is not None]
            data["current_step_execution"] = step_payload(waiting[-1], execution.session_id) if waiting else None
        return data

    def execution(self, pk: int) -> dict[str, Any]:
        """The stored execution: its JSON plus all step_executions, json_inputs, finished and error."""
        data = self.execution_json(pk)
        execution = self.store.execution(pk)
        assert execution is not None
        data["step_executions"] = [step_payload(se, execution.session_id)
                                   for se in self.store.step_executions(pk)]
        data["json_inputs"] = execution.json_inputs
        data["finished"] = execution.finished
        data["error"] = execution.error
        return data

    # ---- sockets -------------------------------------------------------------------------------------
    async def emit_to_room(self, event: str, payload: dict[str, Any], room: str) -> None:
        if self._sockets is None:
            return
        await self._sockets.sio.emit(event, payload, to=room)
        self.recorder.emitted.append((event, payload))
        self.recorder.changed()
        self._room_emits += 1
        every = self.faults.drop_socket_every
        if every > 0 and self._room_emits % every == 0:
            await self.drop_sockets()

    async def drop_sockets(self, mode: str | None = None) -> None:
        """Drop every Socket.IO connection now (``mode`` defaults to ``faults.drop_mode``)."""
        if self._sockets is not None:
            await self._sockets.drop_all(mode or self.faults.drop_mode)
