"""Chat messages (``PUT /user_message``): storing them, then the assistant's answer in the background (what it
answers is the dialect's: :meth:`mojodex_server.dialect.Dialect.answer_message`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .streaming import stream
from .task_store import Message

if TYPE_CHECKING:
    from .server import ReferenceServer


def instructions(messages: list[Message]) -> str:
    """The user's words since the assistant last acted (newest-first ``messages``), oldest first."""
    texts: list[str] = []
    for message in messages:
        if message.sender == "mojo" and not message.message.get("question"):
            break
        if message.sender == "user":
            texts.append(str(message.message.get("text", "")))
    return "; ".join(reversed(texts))


class Chat:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.tasks = server.store.tasks
        self.processing: set[int] = set()  # user messages whose answer is still being made

    def answer_json(self, message: Message, run_key: str, run_pk: int) -> dict[str, Any]:
        return {"text": message.message.get("text"), "message_pk": message.pk,
                "message_id": message.message_id, run_key: run_pk}

    def receive(self, session_id: str, message_id: str, text: str, message_date: str | None) -> Message:
        """Store the user's message and start answering it."""
        pk = self.tasks.add_message(session_id, "user", {"text": text, "message_date": message_date,
                                                         "message_id": message_id}, message_id)
        message = self.tasks.message_by_id(session_id, message_id)
        assert message is not None
        self.processing.add(pk)
        self.server.background.spawn(self._answer(session_id, pk))
        return message

    async def _answer(self, session_id: str, message_pk: int) -> None:
        try:
            await self.server.emit_to_room("user_message_reception", {"success": True, "session_id": session_id},
                                           session_id)
            await self.server.dialect.answer_message(session_id)
        finally:
            self.processing.discard(message_pk)

    async def mojo_message(self, session_id: str, text: str, run_pk: int | None, question: bool) -> None:
        """Store an assistant message and send it as an acknowledged ``mojo_message``."""
        pk = self.tasks.add_message(session_id, "mojo", {"text": text, "text_with_tags": text,
                                                         "question": question})
        payload: dict[str, Any] = {"text": text, "text_with_tags": text, "session_id": session_id, "message_pk": pk,
                                   "audio": False}
        if run_pk is not None:
            payload["user_task_execution_pk"] = run_pk
        await self.server.emit_with_ack("mojo_message", payload, session_id)

    async def tokens(self, session_id: str, text: str) -> None:
        await stream(self.server, "mojo_token", text, lambda so_far: {"text": so_far, "session_id": session_id},
                     session_id)
