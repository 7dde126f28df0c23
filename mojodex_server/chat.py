"""Chat messages (``PUT /user_message``): storing them, then the assistant's answer in the background.

- ``mojodex-2024``: a message on a workflow execution reruns its rejected step (``user_message_reception``,
  ``workflow_step_execution_invalidated``, an acknowledged ``mojo_message`` "Ok", then the new step execution);
- ``mojodex-0.4``: on a workflow run the same with ``mojo_token``s instead of the "Ok" (or, when the assistant
  asks back, the tokens and an acknowledged ``mojo_message``, nothing rerun); on a finished workflow run, the
  result chat (:mod:`mojodex_server.result_chat`); on an instruct run, the next turn of the conversation
  (:mod:`mojodex_server.instruct`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .generators import DEMO_PREFIX
from .runner import step_payload
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
            if self.server.api == "mojodex-2024":
                await self._rerun_2024(session_id)
                return
            run = self.tasks.execution_by_session(session_id)
            if run is None:  # a chat session outside any task (0.4's home chat) that has started none yet
                from .home_chat import answer

                await answer(self.server, session_id)
                return
            task = self.tasks.user_task(run.user_task_fk)
            if task is not None and task.task_type == "instruct" and run.start_date is None:
                from .voice import start_by_message  # a message instead of the form starts it (surprise 15)

                await start_by_message(self.server, run, instructions(self.tasks.messages(session_id)))
            if task is not None and task.task_type == "instruct":
                await self.server.instruct.turn(run.pk)
            else:
                await self._review(run.pk, session_id)
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

    async def _rerun_2024(self, session_id: str) -> None:
        store, runner = self.server.store, self.server.runner
        execution = store.execution_by_session(session_id)
        assert execution is not None
        old = runner.rejected(execution.pk)
        instruction = instructions(self.tasks.messages(session_id))
        if old is not None:
            store.set_validated(old.pk, False)
            se = store.step_execution(old.pk)
            assert se is not None
            await self.server.emit_to_room("workflow_step_execution_invalidated", step_payload(se, session_id),
                                           session_id)
        await self.mojo_message(session_id, "Ok", None, question=False)
        if old is not None:
            runner.rerun(old, instruction)

    async def _review(self, run_pk: int, session_id: str) -> None:
        """0.4: the user's instruction on the step that waits: rerun it, unless the assistant asks back."""
        task_runner = self.server.task_runner
        old = task_runner.rejected(run_pk)
        if old is None:
            from .result_chat import ResultChat

            result_chat = ResultChat(self.server)
            run = self.tasks.execution(run_pk)
            if run is not None and result_chat.finished(run):
                await result_chat.answer(run, instructions(self.tasks.messages(session_id)))
                return
        if self.server.faults.take_clarify() or old is None:
            question = (f"{DEMO_PREFIX} What should I change in this step?" if old is not None
                        else f"{DEMO_PREFIX} There is no step waiting for your review right now.")
            await self.tokens(session_id, question)
            await self.mojo_message(session_id, question, run_pk, question=True)
            return
        instruction = instructions(self.tasks.messages(session_id))
        reply = f"{DEMO_PREFIX} Ok, I am doing this step again: {instruction}"
        await self.tokens(session_id, reply)
        self.tasks.add_message(session_id, "mojo", {"text": reply, "text_with_tags": reply, "question": False})
        await task_runner.rerun(old, instruction)
