"""The chat outside any task on ``mojodex-0.4`` (protocol-0.4-more.md section 7): chat sessions
(``PUT/GET/DELETE /session``), the scripted assistant's answers to ``PUT /user_message origin=home_chat``, and a
``GET /home_chat`` that fails as it does on 0.4.12.

The scripted assistant's rule (documented in docs/tasks.md): a message that names one of the user's instruct
tasks (its whole name, or a word of its name of five letters or more: "minutes", "assistance") starts a run of that
task in the chat's session, as the backend does when its model answers ``<task_pk>N</task_pk>``; the run's
first draft follows, and later messages of the chat are turns of that run. Any other message gets a streamed
``mojo_message``. Every text is labelled ``[offline demo]``.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from aiohttp import web

from ..errors import ApiError
from ..generators import DEMO_PREFIX
from ..params import authorized, json_body, json_response, page
from ..routes import Handler, Routes
from ..task_store import UserTask
from ..users import require_terms
from .task_runner import announce_title

if TYPE_CHECKING:
    from . import Mojodex04

HOME_CHAT_BUG = ("error_message: with_db_session :: __create_home_chat() got an unexpected keyword argument "
                 "'close_db'")
_WORD = re.compile(r"[^\W\d_]+")


def task_named(tasks: list[UserTask], text: str) -> UserTask | None:
    """The instruct task ``text`` asks for (the scripted assistant's rule above), or None."""
    words = {w.lower() for w in _WORD.findall(text)}
    lowered = text.lower()
    for task in tasks:
        if task.name.lower() in lowered:
            return task
    for task in tasks:
        if any(len(w) >= 5 and w.lower() in words for w in _WORD.findall(task.name)):
            return task
    return None


async def answer_outside_runs(dialect: Mojodex04, session_id: str) -> None:
    """The assistant's answer to the newest message of chat session ``session_id`` (which has no run yet)."""
    server = dialect.server
    tasks = server.store.tasks
    user_pk = server.store.chats.owner(session_id)
    messages = tasks.messages(session_id)
    last = next((str(m.message.get("text", "")) for m in messages if m.sender == "user"), "")
    instruct = [t for t in tasks.enabled_user_tasks(user_pk or 0, 50, 0, "instruct") if t.user_task_pk is not None]
    task = task_named(instruct, last)
    if task is None or user_pk is None:
        names = ", ".join(f'"{t.name}"' for t in instruct) or "none on this account"
        reply = (f"{DEMO_PREFIX} I am the assistant, outside any task. Ask me for one of your tasks by its name "
                 f"({names}) and I start it for you.")
        await server.chat.tokens(session_id, reply)
        await server.chat.mojo_message(session_id, reply, None, question=False)
        return
    await start_task(dialect, session_id, user_pk, task)


async def start_task(dialect: Mojodex04, session_id: str, user_pk: int, task: UserTask) -> None:
    """A run of ``task`` in the chat's session, started, titled, then its first draft (as the backend's
    ``<task_pk>`` does; its inputs stay empty: the conversation is what the assistant goes by)."""
    server = dialect.server
    tasks = server.store.tasks
    assert task.user_task_pk is not None
    run_pk = tasks.add_execution(task.user_task_pk, user_pk, [{**e, "value": None} for e in task.json_input])
    server.store.chats.attach_run(run_pk, session_id)
    tasks.set_started(run_pk)
    run = tasks.execution(run_pk)
    assert run is not None
    # 0.4.12 starts such a run with its start date set and sends no start event; this server sends
    # ``user_task_execution_start`` (as for a run a message starts, surprise 15) so that a client can tell at once.
    await server.emit_to_room("user_task_execution_start", {
        "start_date": run.start_date or datetime.datetime.now(datetime.UTC).isoformat(),
        "user_task_execution_pk": run_pk, "session_id": session_id}, session_id)
    await announce_title(server, run)
    await dialect.instruct.turn(run_pk)


class HomeChatRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("PUT", "/session", self.create),
            ("GET", "/session", self.list),
            ("DELETE", "/session", self.delete),
            ("GET", "/home_chat", self.home_chat),
            ("POST", "/home_chat", self.prepare_home_chat),
        ]

    async def create(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        if "platform" not in body:
            raise ApiError(400, "Missing field 'platform'")
        require_terms(self.server, user_pk)
        return json_response({"session_id": self.store.chats.add(user_pk), "intro_done": False})

    async def list(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        if "datetime" not in request.query:
            raise ApiError(400, "Missing field 400 Bad Request: The browser (or proxy) sent a request that this "
                                "server could not understand.")
        limit, offset = page(request.query, "n_sessions")
        sessions = self.store.chats.with_messages(user_pk, limit, offset)
        return json_response({"sessions": [{"title": None, "session_id": s} for s in sessions]})

    async def delete(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        session_id = request.query.get("session_id", "")
        if not session_id or self.store.chats.owner(session_id) != user_pk:
            raise ApiError(404, "Session not found for this user")
        self.store.chats.delete(session_id)
        return json_response({"session_id": session_id})

    async def home_chat(self, request: web.Request) -> web.Response:
        authorized(request, self.store)
        if "platform" not in request.query:
            raise ApiError(400, "Missing field: 400 Bad Request: The browser (or proxy) sent a request that this "
                                "server could not understand.")
        raise ApiError(500, HOME_CHAT_BUG)  # broken on 0.4.12: nothing may depend on it

    async def prepare_home_chat(self, request: web.Request) -> web.Response:
        authorized(request, self.store)
        return json_response({})  # 200, and its background preparation fails as on 0.4.12
