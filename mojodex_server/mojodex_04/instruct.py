"""Instruct task runs of ``mojodex-0.4``: the assistant's turns, streamed as a draft or as a question.

A turn starts when the run's form arrives (after ``user_task_execution_title``) and after every user message.
A draft is streamed as ``draft_token`` events and stored once, as a new version of the run's produced text,
then sent as an acknowledged ``draft_message``; a question as ``mojo_token`` events then an acknowledged
``mojo_message``. There is no end event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..assistant import Reply, Turn
from ..steps import inputs_parameter, wait_for_room
from ..streaming import draft_fields, stream
from ..task_store import TaskExecution
from .task_runner import announce_title

if TYPE_CHECKING:
    from ..server import ReferenceServer


def missing_inputs(run: TaskExecution) -> list[str]:
    """The descriptions of the run's required inputs (all but ``"required": false`` ones) left empty."""
    return [str(entry.get("description_for_user") or entry["input_name"]) for entry in run.json_input_values or []
            if entry.get("required", True) and entry.get("value") in (None, "")]


class Instruct:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.tasks = server.store.tasks

    def start(self, run_pk: int) -> None:
        self.server.background.spawn(self._first_turn(run_pk))

    async def _first_turn(self, run_pk: int) -> None:
        run = self.tasks.known_execution(run_pk)
        await wait_for_room(self.server, run.session_id)
        await announce_title(self.server, run)
        await self.turn(run_pk)

    def _turn(self, run: TaskExecution) -> Turn:
        task = self.tasks.user_task(run.user_task_fk)
        messages = list(reversed(self.tasks.messages(run.session_id)))
        versions = self.tasks.versions_of_execution(run.pk)
        missing = missing_inputs(run)
        answered = any(m.sender == "user" for m in messages)
        clarify = self.server.faults.take_clarify() or (bool(missing) and not answered)
        return Turn(
            task_name=task.name if task else "Task", inputs=inputs_parameter(run.json_input_values),
            missing=missing, messages=[{"sender": m.sender, "text": str(m.message.get("text", ""))}
                                       for m in messages],
            draft=(versions[-1].title or "", versions[-1].production) if versions else None,
            clarify=clarify, draft_tokens=self.server.draft_tokens,
        )

    async def turn(self, run_pk: int) -> None:
        """The assistant's next turn on the run: a question or a new version of the draft."""
        run = self.tasks.known_execution(run_pk)
        reply: Reply = await self.server.assistant(self._turn(run))
        if reply.kind == "question":
            await self.server.chat.tokens(run.session_id, reply.text)
            await self.server.chat.mojo_message(run.session_id, reply.text, run.pk, question=True)
        else:
            await self._draft(run, reply.title, reply.body)

    async def _draft(self, run: TaskExecution, title: str, body: str) -> None:
        room = run.session_id
        text = f"{title}\n{body}"
        await stream(self.server, "draft_token", text, lambda so_far: {**draft_fields(so_far), "session_id": room},
                     room)
        version = self.tasks.add_produced_text_version(run.pk, run.user_fk, title, body)
        self.server.accounts.run_ended(run.pk)  # its todos, and a task of the plan, at its first draft
        message: dict[str, Any] = {
            "produced_text": body, "produced_text_title": title, "produced_text_pk": version.produced_text_pk,
            "produced_text_version_pk": version.pk, "user_task_execution_pk": run.pk, "text_type": "document",
            "text": text, "text_with_tags": f"<title>{title}</title>\n<draft>{body}</draft>",
        }
        pk = self.tasks.add_message(room, "mojo", {**message, "question": False})
        await self.server.emit_with_ack("draft_message", {**message, "session_id": room, "message_pk": pk,
                                                          "audio": False}, room)
