"""HTTP handlers of 0.4 tasks: listing them, creating and starting runs, acting on their steps."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..account_store import task_inputs
from ..errors import ApiError
from ..params import as_int, authorized, files, form, json_body, json_response, require_field
from ..routes import Handler, Routes
from ..task_listing import check_platform
from ..task_store import TaskExecution, TaskStepExecution, Upload
from ..users import require_terms
from .views import own_run, run_not_found

if TYPE_CHECKING:
    from . import Mojodex04

FILE_TYPES = ("image", "multiple_images", "audio_file", "video")
FORM_ONLY = "This route takes a form, not JSON"


def input_values(run: TaskExecution, raw: str, uploads: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's inputs with the values of a run form's ``inputs`` (a JSON string), stored as given."""
    try:
        entries = json.loads(raw)
    except ValueError:
        raise ApiError(400, "inputs must be a JSON list") from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ApiError(400, "inputs must be a JSON list")
    given: dict[str, Any] = {}
    for entry in entries:
        if "input_value" not in entry:  # the backend reads entry["input_value"]: a KeyError, a 500
            raise ApiError(500, "'input_value'")
        given[str(entry.get("input_name"))] = entry["input_value"]
    values = []
    for spec in run.json_input_values or []:
        name = spec["input_name"]
        value = given.get(name, spec.get("value"))
        if value in (None, "") and name in uploads:
            value = uploads[name].filename
        values.append({**spec, "value": value})
    return values


class TaskRoutes(Routes):
    def __init__(self, dialect: Mojodex04) -> None:
        super().__init__(dialect.server)
        self.dialect = dialect

    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("PUT", "/user_task_execution", self.create_run),
            ("POST", "/user_task_execution_run", self.start_run),
            ("POST", "/user_workflow_step_execution", self.validate_step),
            ("PUT", "/user_workflow_step_execution", self.relaunch_step),
            ("PUT", "/user_workflow_step_execution_result", self.edit_result),
            ("POST", "/restart_user_workflow_execution", self.restart),
        ]

    # ---- runs ----------------------------------------------------------------------------------------
    async def create_run(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require_field(body, "datetime", "user_task_pk")
        check_platform(body)
        if not self.server.accounts.has_purchase(user_pk):
            raise ApiError(402, "no_purchase")  # before the terms and the pk, as on the backend
        pk = as_int(body["user_task_pk"], "user_task_pk")
        task = self.tasks.user_task(pk)
        if task is None or task.user_fk != user_pk:
            # (The backend finds any user's task here; no one runs another user's task on this server.)
            raise ApiError(400, f"UserTask {pk} not found")
        require_terms(self.server, user_pk)
        user = self.store.user_by_pk(user_pk)
        faults = self.server.faults
        if not task.enabled or faults.no_purchase or (user is not None and user.email in faults.no_purchase_users):
            raise ApiError(402, "no_purchase")  # a task the user's plan does not include: no purchase covers it
        json_input = [{**entry, "value": None} for entry in task.json_input]
        pk = self.tasks.add_execution(task.user_task_pk or 0, user_pk, json_input)
        run = self.tasks.execution(pk)
        assert run is not None
        json_input = task_inputs(task.json_input, self.server.accounts.language(user_pk))
        return json_response({"user_task_execution_pk": pk, "json_input": json_input, "actions": [],
                              "text_edit_actions": [], "session_id": run.session_id, "intro_done": False})

    async def start_run(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        fields = form(request, FORM_ONLY)
        require_field(fields, "datetime", "user_task_execution_pk", "inputs")
        check_platform(fields)
        pk = as_int(fields["user_task_execution_pk"], "user_task_execution_pk")
        run = own_run(self.server, user_pk, pk, 400, run_not_found(pk))
        if run.start_date is not None:
            raise ApiError(400, "User task execution already started")
        uploads = files(request)
        values = input_values(run, fields["inputs"], uploads)
        for name, upload in uploads.items():
            self.tasks.add_upload(run.pk, Upload(name, upload.filename, upload.content_type, upload.content))
        self.tasks.set_inputs(run.pk, values)
        self.tasks.set_started(run.pk)
        task = self.tasks.user_task(run.user_task_fk)
        if task is not None and task.task_type == "instruct":
            self.dialect.instruct.start(run.pk)
        else:
            self.dialect.task_runner.start(run.pk)
        return json_response({"success": "ok"})

    async def restart(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        fields = form(request, FORM_ONLY)
        require_field(fields, "datetime", "user_task_execution_pk", "inputs")
        pk = as_int(fields["user_task_execution_pk"], "user_task_execution_pk")
        run = own_run(self.server, user_pk, pk, 400, run_not_found(pk))
        values = input_values(run, fields["inputs"], files(request))
        self.dialect.task_runner.restart(run.pk, values)  # too late in the run: 200 all the same, nothing done
        return json_response({"message": "Workflow restarted"})

    # ---- step executions -----------------------------------------------------------------------------
    def _own_step(self, user_pk: int, body: dict[str, Any]) -> TaskStepExecution:
        require_field(body, "datetime", "user_workflow_step_execution_pk")
        pk = as_int(body["user_workflow_step_execution_pk"], "user_workflow_step_execution_pk")
        se = self.tasks.step_execution(pk)
        run = self.tasks.execution(se.execution_fk) if se is not None else None
        if se is None or run is None or run.user_fk != user_pk or run.deleted:
            raise ApiError(404, "Step execution not found")
        return se

    async def validate_step(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        se = self._own_step(user_pk, body)
        require_field(body, "validated")
        if not isinstance(body["validated"], bool):
            raise ApiError(400, "Bad parameter : 'validated' must be a boolean")
        if se.result is None:
            raise ApiError(400, "Step execution has not ended yet")
        self.dialect.task_runner.validate(se.pk, body["validated"])
        return json_response({"message": "Step validated"})

    async def relaunch_step(self, request: web.Request) -> web.Response:
        se = self._own_step(authorized(request, self.store), json_body(request))
        if se.error_status is None:
            raise ApiError(400, "Step execution is not in error")
        self.dialect.task_runner.relaunch(se)
        return json_response({"message": "Workflow relaunched"})

    async def edit_result(self, request: web.Request) -> web.Response:
        body = json_body(request)
        se = self._own_step(authorized(request, self.store), body)
        require_field(body, "result")
        result = body["result"]
        if se.result is None or se.validated:
            raise ApiError(400, "Only an ended step execution waiting for validation can be edited")
        keys = {key for entry in se.result if isinstance(entry, dict) for key in entry}
        if not isinstance(result, list) or not all(isinstance(e, dict) and (not keys or set(e) == keys)
                                                   for e in result):
            raise ApiError(400, f"result must be a list of objects with the keys {sorted(keys)}")
        self.tasks.set_step_result(se.pk, result)
        return json_response({"new_result": result})
