"""HTTP handlers of workflows, in the ``spec`` and ``mojodex-2024`` dialects (see /work/shared/protocol.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import ApiError
from ..params import as_int, authorized, json_body, json_response, page, require
from ..routes import Handler, Routes
from ..users import require_terms
from .views import user_workflow

if TYPE_CHECKING:
    from . import Spec


class WorkflowRoutes(Routes):
    def __init__(self, dialect: Spec) -> None:
        super().__init__(dialect.server)
        self.dialect = dialect

    def table(self) -> list[tuple[str, str, Handler]]:
        """``/user_workflow_execution``: the dialect's ``creates_with`` method creates, the other one submits."""
        create, submit = self.create_execution, self.submit_inputs
        post_creates = self.dialect.creates_with == "POST"
        return [
            ("GET", "/user_workflow", self.list_workflows),
            ("GET", "/user_workflow_execution", self.get_execution),
            ("POST", "/user_workflow_execution", create if post_creates else submit),
            ("PUT", "/user_workflow_execution", submit if post_creates else create),
            ("POST", "/user_workflow_step_execution", self.validate_step),
        ]

    # ---- /user_workflow ----------------------------------------------------------------------------
    async def list_workflows(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require(query, "datetime", "platform", "version")
        limit, offset = page(query, "n_user_workflows")
        return json_response({"user_workflows": self.dialect.user_workflows(user_pk, limit, offset)})

    # ---- /user_workflow_execution -----------------------------------------------------------------
    async def create_execution(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require(body, "datetime", "platform", "user_workflow_pk")
        user_workflow_pk = as_int(body["user_workflow_pk"], "user_workflow_pk")
        found = user_workflow(self.tasks, user_workflow_pk)
        if found is None or found.user_fk != user_pk:
            raise ApiError(404, "Workflow not found for this user")
        require_terms(self.server, user_pk)
        pk = self.tasks.add_execution(user_workflow_pk, user_pk, None)
        return json_response(self.dialect.execution_json(pk))

    def _own_execution(self, user_pk: int, value: Any) -> int:
        pk = as_int(value, "user_workflow_execution_pk")
        execution = self.tasks.execution(pk)
        if execution is None or execution.user_fk != user_pk:
            raise ApiError(404, "Workflow execution not found for this user")
        return pk

    async def submit_inputs(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require(body, "datetime", "platform", "user_workflow_execution_pk", "json_inputs")
        pk = self._own_execution(user_pk, body["user_workflow_execution_pk"])
        json_inputs = body["json_inputs"]
        if not isinstance(json_inputs, list):
            raise ApiError(400, "json_inputs must be a list.")
        for entry in json_inputs:
            if not isinstance(entry, dict) or not isinstance(entry.get("input_name"), str):
                raise ApiError(400, "Each json_inputs entry must be an object with an input_name.")
        if self.tasks.known_execution(pk).json_input_values is not None:
            raise ApiError(400, "Inputs already submitted for this execution.")
        self.dialect.runner.submit_inputs(pk, json_inputs)
        return json_response({"user_workflow_execution_pk": pk})

    async def get_execution(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require(query, "datetime", "platform", "user_workflow_execution_pk")
        pk = self._own_execution(user_pk, query["user_workflow_execution_pk"])
        return json_response(self.dialect.execution_json(pk))

    # ---- /user_workflow_step_execution ------------------------------------------------------------
    async def validate_step(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require(body, "datetime", "platform", "user_workflow_step_execution_pk", "validated")
        pk = as_int(body["user_workflow_step_execution_pk"], "user_workflow_step_execution_pk")
        validated = body["validated"]
        if not isinstance(validated, bool):
            raise ApiError(400, "Bad parameter : 'validated' must be a boolean")
        step_execution = self.tasks.step_execution(pk)
        if step_execution is None:
            raise ApiError(404, "Step execution not found.")
        execution = self.tasks.execution(step_execution.execution_fk)
        if execution is None or execution.user_fk != user_pk:
            raise ApiError(404, "Step execution not found.")
        if step_execution.result is None:
            raise ApiError(400, "Step execution has not ended yet.")
        self.dialect.runner.validate(pk, validated)
        return json_response({"message": "Step validated"})
