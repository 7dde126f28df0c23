"""The owner of one chat with the assistant outside any task: the task plugin's conversation (``you>``, streamed
answers, drafts, ``/audio``...) on a chat session, which becomes the owner of the run the assistant starts from it.

Until then its ``run`` is the chat itself (``kind="chat"``, the session id as pk), which the server's messages
send with ``origin=home_chat``; the first event that names a run (``user_task_execution_start`` on the reference
server, the run's ``draft_message`` at the latest on 0.4.12) makes that run the one followed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import RunInfo, ServerEvent
from mojodex_task.conversation import Conversation, Reply

if TYPE_CHECKING:
    from mojodex_core import Context

HINT = ("Talk with the assistant; ask for one of your tasks (\"write the minutes of the budget meeting\") and it "
        "starts it. An empty line, Ctrl-D or /done ends the chat; /help lists the commands.")


def short(session_id: str) -> str:
    """How the shell names a chat: the first 8 characters of its session id (``chat resume`` takes any prefix)."""
    return session_id[:8]


def chat_run(session_id: str) -> RunInfo:
    return RunInfo(pk=session_id, session_id=session_id, name="Chat", kind="chat")


def run_pk_of(data: dict[str, Any]) -> int | str | None:
    """The run an event (or a stored message) names, if it names one."""
    value = data.get("user_task_execution_pk")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class ChatConversation(Conversation):
    hint = HINT

    def __init__(self, ctx: Context, session_id: str, *, plain: bool = False, json_mode: bool = False) -> None:
        super().__init__(ctx, chat_run(session_id), plain=plain, json_mode=json_mode)
        self.session_id = session_id
        self.said = False  # something was said in it (the server does not list a chat without messages)

    @property
    def task_started(self) -> bool:
        return self.run.kind != "chat"

    @property
    def label(self) -> str:
        return f"run {self.pk}" if self.task_started else f"chat {short(self.session_id)}"

    def reopen(self) -> str:
        return f"`chat resume {short(self.session_id)}`"

    async def _handle(self, event: ServerEvent) -> Reply | None:
        self.said = True  # (a message, typed or spoken, brought it)
        if not self.task_started:
            pk = run_pk_of(event.data)
            if pk is not None:
                await self.follow_run(pk)
        return await super()._handle(event)

    async def follow_run(self, pk: int | str, announce: bool = True) -> None:
        """The assistant started run ``pk`` from the chat: from now on it is the run followed (versions, texts)."""
        run = await self.server.read_run(pk)
        run.kind = "instruct"
        if not run.title and self.run.title:
            run.title = self.run.title  # its title came first, while the chat was all there was
        self.end_stream()
        self.run = run
        if announce:
            run.produced = None  # started just now: its first draft is the one coming
        self.version = (run.produced.version or 1) if run.produced is not None else 0
        if self.show and announce:
            self.ctx.print(f"The assistant started run {run.pk}: {run.name or 'a task'}.")
        await self.ctx.call_hook("mojodex_run_started", run=run)

    def chat_document(self, reply: Reply | None) -> dict[str, Any]:
        """The chat's answer as one JSON document (``chat --message ... --json``)."""
        draft = reply.draft if reply is not None else None
        status = {"question": "message"}.get(reply.kind, reply.kind) if reply is not None else "none"
        return {
            "session_id": self.session_id, "status": status,
            "message": reply.text if reply is not None and reply.kind == "question" else None,
            "error": reply.text if reply is not None and reply.kind == "error" else None,
            "run_pk": self.run.pk if self.task_started else None,
            "task": self.run.name if self.task_started else None,
            "title": draft.title if draft else None, "body": draft.text if draft else None,
            "version": draft.version if draft else None,
            "produced_text_pk": draft.pk if draft else None,
            "produced_text_version_pk": draft.version_pk if draft else None,
        }
