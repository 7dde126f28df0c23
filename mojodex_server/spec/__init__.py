"""The ``spec`` dialect: the specification's workflows (POST creates an execution, PUT submits its inputs), the GET
of an execution showing the step that waits, and a ``workflow_execution_produced_text`` event at the end of a run.
No chat. :mod:`mojodex_server.mojodex_2024` is the same with the real backend's differences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .. import content
from ..dialect import Dialect
from ..steps import step_payload
from .routes import WorkflowRoutes
from .runner import Runner
from .views import execution_json, user_workflow_json

if TYPE_CHECKING:
    from aiohttp import web

    from ..server import ReferenceServer

DEFAULT_INPUTS = ["poem_topic", "n_stanzas"]
DEFAULT_STEPS = ["stanza_divider", "stanza_writer"]


class Spec(Dialect):
    name = "spec"
    creates_with: ClassVar[str] = "POST"
    """The method of ``/user_workflow_execution`` that creates an execution (the other one submits its inputs)."""
    prefills_inputs: ClassVar[bool] = False
    """An execution's inputs show their default values before the user submits any."""
    shows_current_step: ClassVar[bool] = True
    """``GET /user_workflow_execution`` has ``current_step_execution``: the step that ended and waits for validation
    (the specification reads "the status of the step and the results of the current step run" from it)."""

    def __init__(self, server: ReferenceServer) -> None:
        super().__init__(server)
        self.runner = Runner(self)

    def setup_routes(self, app: web.Application) -> None:
        WorkflowRoutes(self).setup(app)

    def install_demo(self) -> int:
        return self.server.add_workflow(*content.POEM)

    def execution_json(self, pk: int) -> dict[str, Any]:
        """The execution as ``GET /user_workflow_execution`` returns it (KeyError: no such execution)."""
        return execution_json(self, pk)

    def user_workflows(self, user_pk: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """The user's workflows as ``GET /user_workflow`` lists them."""
        tasks = self.server.store.tasks
        return [user_workflow_json(tasks, t) for t in tasks.enabled_user_tasks(user_pk, limit, offset, "workflow")]

    def stored_run(self, pk: int) -> dict[str, Any]:
        """The execution's JSON plus all ``step_executions``, ``json_inputs``, ``finished`` and ``error``."""
        data = self.execution_json(pk)
        tasks = self.server.store.tasks
        execution = tasks.known_execution(pk)
        data["step_executions"] = [step_payload(se, execution.session_id) for se in tasks.step_executions(pk)]
        data["json_inputs"] = execution.json_input_values
        data["finished"] = execution.finished
        data["error"] = execution.error
        return data

    def add_workflow(self, name: str, icon: str, description: str, inputs: list[Any] | None,
                     steps: list[str] | None, user_email: str) -> int:
        """A workflow task; its user_task_pk is the user_workflow_pk."""
        raw_inputs: list[Any] = list(inputs) if inputs is not None else DEFAULT_INPUTS
        inputs_spec = [{"input_name": i} if isinstance(i, str) else dict(i) for i in raw_inputs]
        step_names = list(steps) if steps is not None else DEFAULT_STEPS
        return self.server.add_task(name, icon, description, "workflow", inputs_spec, step_names, user_email)
