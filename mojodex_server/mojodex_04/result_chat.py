"""The result chat of ``mojodex-0.4``: a chat message on a workflow run that has finished (protocol-0.4-more.md,
section 4; the backend accepts it even when the task's ``result_chat_enabled`` is false).

The scripted assistant's rule, as the real backend's canned model: a message that contains ``[edit]`` (any case)
is an edit of the result, anything else an instruction for the last step.

- an edit: ``draft_token``s, then an acknowledged ``draft_message``: a new version of the same produced text,
  titled with the run's title;
- an instruction: ``mojo_token``s, then the **last** step execution is invalidated
  (``workflow_step_execution_invalidated``) and runs again on the same parameter (``started``, ``ended``); once
  the user validates it, ``workflow_execution_produced_text`` again: a new version of the same text, titled ``""``.

Before answering, the backend's internal state is stored as a ``sender: "system"`` message (the state text that
``GET /message`` returns and the web app never shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..generators import DEMO_PREFIX
from ..steps import plan_next
from ..streaming import draft_fields, stream
from ..task_store import TaskExecution, TaskStepExecution

if TYPE_CHECKING:
    from . import Mojodex04

EDIT_MARK = "[edit]"
STATE_EVENT = "worflow_step_execution_rejection"  # sic, the backend's name


def wants_edit(text: str) -> bool:
    return EDIT_MARK in text.lower()


def state_text(executions: list[TaskStepExecution]) -> str:
    """The backend's state message: every validated step, by its system name, and its result."""
    lines = ["You have achieved every steps of the workflow.", "ACHIEVED WORKFLOW STEPS", "---"]
    for se in executions:
        if se.validated:
            lines.append(f"Step: {se.step_name} - parameter: {se.parameter} - result: {se.result}")
    return "\n".join(lines)


class ResultChat:
    def __init__(self, dialect: Mojodex04) -> None:
        self.dialect = dialect
        self.server = dialect.server
        self.tasks = dialect.server.store.tasks

    def finished(self, run: TaskExecution) -> bool:
        """Whether the workflow run is over: every step validated as planned, and a produced text made."""
        task = self.tasks.user_task(run.user_task_fk)
        executions = self.tasks.step_executions(run.pk)
        if task is None or not executions or not executions[-1].validated:
            return False
        steps = self.tasks.task_steps(task.task_pk)
        return (plan_next(steps, run.json_input_values, executions) is None
                and bool(self.tasks.versions_of_execution(run.pk)))

    async def answer(self, run: TaskExecution, text: str) -> None:
        """Answer the user's message ``text`` on the finished run."""
        executions = self.tasks.step_executions(run.pk)
        self.tasks.add_message(run.session_id, "system", {"text": state_text(executions),
                                                          "event_name": STATE_EVENT})
        instruction = " ".join(text.replace(EDIT_MARK, " ").split())
        if wants_edit(text):
            await self._edit(run, instruction)
        else:
            await self._rerun_last(run, executions[-1], instruction)

    async def _edit(self, run: TaskExecution, instruction: str) -> None:
        room = run.session_id
        last = self.tasks.versions_of_execution(run.pk)[-1]
        title = run.title or "Result"
        asked = instruction or "no instruction"
        body = f"{DEMO_PREFIX} The result, edited as you asked ({asked}):\n\n{last.production}"
        text = f"{title}\n{body}"
        await stream(self.server, "draft_token", text, lambda so_far: {**draft_fields(so_far), "session_id": room},
                     room)
        version = self.tasks.add_produced_text_version(run.pk, run.user_fk, title, body, last.text_type)
        message: dict[str, Any] = {
            "produced_text": body, "produced_text_title": title, "produced_text_pk": version.produced_text_pk,
            "produced_text_version_pk": version.pk, "user_task_execution_pk": run.pk, "text_type": last.text_type,
            "text": text, "text_with_tags": f"<execution><title>{title}</title>\n<draft>{body}</draft></execution>",
        }
        pk = self.tasks.add_message(room, "mojo", {**message, "question": False})
        await self.server.emit_with_ack("draft_message", {**message, "session_id": room, "message_pk": pk,
                                                          "audio": False}, room)
        self.server.accounts.count(run.pk, run.user_fk)  # the first time a workflow run uses a task of the plan

    async def _rerun_last(self, run: TaskExecution, last: TaskStepExecution, instruction: str) -> None:
        reply = f"{DEMO_PREFIX} Ok, I am doing the last step again: {instruction}"
        chat = self.server.chat
        await chat.tokens(run.session_id, reply)
        self.tasks.add_message(run.session_id, "mojo", {"text": reply, "text_with_tags": reply, "question": False})
        await self.dialect.task_runner.rerun(last, instruction)
