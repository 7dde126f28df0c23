"""The ``mojodex-0.4`` dialect: workflows and instruct tasks are *tasks* (``/user_task``, ``/user_task_execution``...),
with the chat, drafts, acknowledged messages, the reading routes and the routes around the runs (todos, account,
history, sign-up, home chat, resources, voice). See protocol.md and protocol-0.4-more.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import content
from ..chat import instructions
from ..chat_routes import ChatRoutes
from ..dialect import Dialect
from ..errors import ApiError
from ..generators import DEMO_PREFIX
from ..task_listing import TaskListing
from .account_routes import AccountRoutes
from .history_routes import HistoryRoutes
from .home_chat import HomeChatRoutes, answer_outside_runs
from .instruct import Instruct
from .reading_routes import ReadingRoutes
from .resources import ResourceRoutes, Resources
from .result_chat import ResultChat
from .signup_routes import SignupRoutes
from .task_routes import TaskRoutes
from .task_runner import TaskRunner
from .todo_routes import GENERIC, TodoRoutes
from .views import run_json
from .voice import Voice, start_by_message

if TYPE_CHECKING:
    from aiohttp import web

    from ..server import ReferenceServer
    from ..task_store import FormFile


class Mojodex04(Dialect):
    name = "mojodex-0.4"
    takes_voice = True

    def __init__(self, server: ReferenceServer) -> None:
        super().__init__(server)
        self.task_runner = TaskRunner(self)
        self.instruct = Instruct(server)
        self.voice = Voice()  # voice messages' canned transcriptions
        self.resources = Resources(server.first_pk)  # the users' documents and descriptions

    def setup_routes(self, app: web.Application) -> None:
        TaskListing(self.server).setup(app)
        for routes in (TaskRoutes(self), ReadingRoutes(self.server), TodoRoutes(self.server),
                       AccountRoutes(self.server), HistoryRoutes(self.server), SignupRoutes(self.server),
                       HomeChatRoutes(self.server), ResourceRoutes(self), ChatRoutes(self.server)):
            routes.setup(app)

    def install_demo(self) -> int:
        server = self.server
        ref = server.add_task(*content.POEM, task_type="workflow")  # first, so that a default server lists it as 1
        for name, icon, description, json_input in content.INSTRUCT_TASKS:
            server.add_task(name, icon, description, task_type="instruct", json_input=json_input)
        server.add_task(*content.DISABLED_TASK, task_type="instruct", json_input=content.DISABLED_TASK_INPUTS,
                        enabled=False)
        server.store.tasks.add_task(*content.TEASER_TASK, task_type="instruct", json_input=[], steps=[],
                                    visible_for_teasing=True)
        return ref

    def add_workflow(self, name: str, icon: str, description: str, inputs: list[Any] | None,
                     steps: list[str] | None, user_email: str) -> int:
        """A workflow task; its user_task_pk."""
        json_input = None if inputs is None else [content.task_input(i) for i in inputs]
        return self.server.add_task(name, icon, description, "workflow", json_input, steps, user_email)

    def stored_run(self, pk: int) -> dict[str, Any]:
        """The run's JSON plus ``all_step_executions`` (with their ``instruction``), ``uploads``, ``messages``
        (oldest first), ``versions`` and ``deleted``."""
        tasks = self.server.store.tasks
        run = tasks.execution(pk)
        if run is None:
            raise KeyError(pk)
        data = run_json(self.server, run)
        data["all_step_executions"] = [{**se.json(), "instruction": se.instruction} for se in tasks.step_executions(pk)]
        data["uploads"] = tasks.uploads(pk)
        data["messages"] = list(reversed(tasks.messages(run.session_id)))
        data["versions"] = tasks.versions_of_execution(pk)
        data["deleted"] = run.deleted
        return data

    def signup_language(self, body: dict[str, Any]) -> str | None:
        # 0.4 hides a missing field behind its generic error, and takes the language (default en) at once
        # (protocol-0.4-more.md, section 10); the account has no plan until it chooses a free one.
        if not all(isinstance(body.get(k), str) and body[k] for k in ("datetime", "email", "name", "password")):
            raise ApiError(400, GENERIC)
        code = body.get("language_code")
        return code if isinstance(code, str) and 0 < len(code) <= 5 else "en"

    def session_not_found(self, session_id: Any) -> Any:
        return f"Session {session_id} not found"  # a bare string, with no session id

    # ---- chat --------------------------------------------------------------------------------------------
    def message_run(self, session_id: str, fields: dict[str, str]) -> tuple[str, int]:
        run = self.server.store.tasks.execution_by_session(session_id)
        if run is None and fields.get("origin") != "home_chat":  # a chat session's message said origin=task
            raise ApiError(400, "_get_associated_user_task_execution:: cannot unpack non-iterable NoneType object")
        return "user_task_execution_pk", run.pk if run else 0

    async def transcribe(self, session_id: str, message_id: str, uploads: dict[str, FormFile]) -> tuple[str, float]:
        return await self.voice.transcription(self.server, session_id, message_id, uploads)

    async def answer_message(self, session_id: str) -> None:
        """On a workflow run: a rerun of the step that waits (or a question back); on a finished one, the result
        chat; on an instruct run, the conversation's next turn; outside any run, the home chat."""
        tasks = self.server.store.tasks
        run = tasks.execution_by_session(session_id)
        if run is None:  # a chat session outside any task (the home chat) that has started none yet
            await answer_outside_runs(self, session_id)
            return
        task = tasks.user_task(run.user_task_fk)
        if task is not None and task.task_type == "instruct":
            if run.start_date is None:  # a message instead of the form starts it (surprise 15)
                await start_by_message(self.server, run, instructions(tasks.messages(session_id)))
            await self.instruct.turn(run.pk)
        else:
            await self._review(run.pk, session_id)

    async def _review(self, run_pk: int, session_id: str) -> None:
        """The user's instruction on the step that waits: rerun it, unless the assistant asks back."""
        server, tasks, chat = self.server, self.server.store.tasks, self.server.chat
        old = self.task_runner.rejected(run_pk)
        if old is None:
            result_chat = ResultChat(self)
            run = tasks.execution(run_pk)
            if run is not None and result_chat.finished(run):
                await result_chat.answer(run, instructions(tasks.messages(session_id)))
                return
        if server.faults.take_clarify() or old is None:
            question = (f"{DEMO_PREFIX} What should I change in this step?" if old is not None
                        else f"{DEMO_PREFIX} There is no step waiting for your review right now.")
            await chat.tokens(session_id, question)
            await chat.mojo_message(session_id, question, run_pk, question=True)
            return
        instruction = instructions(tasks.messages(session_id))
        reply = f"{DEMO_PREFIX} Ok, I am doing this step again: {instruction}"
        await chat.tokens(session_id, reply)
        tasks.add_message(session_id, "mojo", {"text": reply, "text_with_tags": reply, "question": False})
        await self.task_runner.rerun(old, instruction)
