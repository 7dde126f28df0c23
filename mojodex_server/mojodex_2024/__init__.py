"""The ``mojodex-2024`` dialect: the backend of the specification's time. Its workflows are the specification's
with the methods swapped (PUT creates, POST submits), inputs prefilled with their defaults, the GET of an execution
listing validated steps only, no end event, and the very last validation of a run answered 200 but never stored.
A rejected step is rerun by a chat message (``PUT /user_message``): ``user_message_reception``,
``workflow_step_execution_invalidated``, an acknowledged ``mojo_message`` "Ok", then the new step execution.
``GET /user_task`` lists its older instruct tasks (not run here), and only those: that backend kept its workflows
apart from its tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import content
from ..chat import instructions
from ..chat_routes import ChatRoutes
from ..spec import Spec
from ..task_listing import TaskListing

if TYPE_CHECKING:
    from aiohttp import web


class InstructTaskListing(TaskListing):
    task_type = "instruct"


class Mojodex2024(Spec):
    name = "mojodex-2024"
    end_event = False
    creates_with = "PUT"
    prefills_inputs = True
    shows_current_step = False
    loses_last_validation = True

    def setup_routes(self, app: web.Application) -> None:
        super().setup_routes(app)
        InstructTaskListing(self.server).setup(app)
        ChatRoutes(self.server).setup(app)

    def install_demo(self) -> int:
        ref = self.server.add_workflow(*content.POEM, inputs=content.POEM_DEFAULTS_2024)
        for name, icon, description, json_input in content.INSTRUCT_TASKS:  # listed by GET /user_task only
            self.server.add_task(name, icon, description, task_type="instruct", json_input=json_input)
        return ref

    def message_run(self, session_id: str, fields: dict[str, str]) -> tuple[str, int]:
        execution = self.server.store.tasks.execution_by_session(session_id)
        return "user_workflow_execution_pk", execution.pk if execution else 0

    async def answer_message(self, session_id: str) -> None:
        """Rerun the rejected step with the user's words since the assistant last spoke."""
        server, tasks = self.server, self.server.store.tasks
        execution = tasks.execution_by_session(session_id)
        assert execution is not None
        old = self.runner.rejected(execution.pk)
        instruction = instructions(tasks.messages(session_id))
        if old is not None:
            await self.runner.invalidate(old)
        await server.chat.mojo_message(session_id, "Ok", None, question=False)
        if old is not None:
            self.runner.rerun(old, instruction)
