"""JSON views of stored state: the workflow execution of ``spec``/``mojodex-2024``, the tasks and runs of 0.4."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .runner import step_payload
from .task_store import TaskExecution, TaskStepExecution, UserTask

if TYPE_CHECKING:
    from .server import ReferenceServer


def execution_json(server: ReferenceServer, pk: int) -> dict[str, Any]:
    """The execution as ``GET /user_workflow_execution`` returns it."""
    store = server.store
    execution = store.execution(pk)
    if execution is None:
        raise KeyError(pk)
    found = store.user_workflow(execution.user_workflow_fk)
    assert found is not None
    user_workflow = found[1]
    values = {e["input_name"]: e.get("value") for e in execution.json_inputs or []}
    prefill = server.api == "mojodex-2024" and execution.json_inputs is None  # that backend sets the defaults
    inputs = [
        {**spec, "value": spec.get("default_value") if prefill else values.get(spec["input_name"]),
         "default_value": spec.get("default_value")}
        for spec in user_workflow["inputs_spec"]
    ]
    steps = store.step_executions(pk)
    validated = [step_payload(se, execution.session_id) for se in steps if se.validated]
    data = {
        "workflow_name": user_workflow["name"],
        "user_workflow_execution_pk": execution.pk,
        "user_workflow_fk": execution.user_workflow_fk,
        "steps": user_workflow["steps"],
        "validated_steps_executions": validated,
        "session_id": execution.session_id,
        "inputs": inputs,
    }
    if server.api == "spec":
        # The specification reads "the status of the step and the results of the current step run" from
        # this GET: the step execution that ended and waits for validation (null when there is none).
        # The backend of that time (api "mojodex-2024") lists validated steps only.
        waiting = [se for se in steps if not se.validated and se.result is not None]
        data["current_step_execution"] = step_payload(waiting[-1], execution.session_id) if waiting else None
    return data


def task_json(server: ReferenceServer, task: UserTask, one: bool = False) -> dict[str, Any]:
    """A task as ``GET /user_task`` lists it (``one``: as it returns a single task, with the user_task_ keys)."""
    steps = server.store.tasks.task_steps(task.task_pk) if task.task_type == "workflow" else []
    data: dict[str, Any] = {
        "user_task_pk": task.user_task_pk, "task_pk": task.task_pk,
        "task_name": server.accounts.task_name(task.user_fk, task.name),
        "task_description": task.description, "task_icon": task.icon, "task_type": task.task_type,
        "steps": [s.json() for s in steps], "enabled": task.enabled,
    }
    if one:
        data.update(user_task_name=data["task_name"], user_task_description=task.description,
                    user_task_icon=task.icon)
    return data


def shown_step_executions(executions: list[TaskStepExecution]) -> list[TaskStepExecution]:
    """What a run's JSON lists: the validated step executions, plus the last one when it waits or failed."""
    shown = [se for se in executions if se.validated]
    last = executions[-1] if executions else None
    if last is not None and not last.validated and (last.result is not None or last.error_status is not None):
        shown.append(last)
    return shown


def run_json(server: ReferenceServer, run: TaskExecution) -> dict[str, Any]:
    """A 0.4 run as ``GET /user_task_execution`` returns it."""
    tasks = server.store.tasks
    task = tasks.user_task(run.user_task_fk)
    assert task is not None
    versions = tasks.versions_of_execution(run.pk)
    last = versions[-1] if versions else None
    data: dict[str, Any] = {
        "user_task_execution_pk": run.pk, "start_date": server.accounts.run_date(run.user_fk, run.start_date),
        "end_date": None, "title": run.title,
        "summary": run.summary, "session_id": run.session_id, "json_inputs_values": run.json_input_values,
        "icon": task.icon, "task_name": server.accounts.task_name(run.user_fk, task.name),
        "task_type": task.task_type, "user_task_pk": run.user_task_fk, "actions": [],
        "deleted_by_user": run.deleted,
        "produced_text_pk": last.produced_text_pk if last else None,
        "produced_text_title": last.title if last else None,
        "produced_text_production": last.production if last else None,
        "produced_text_version_pk": last.pk if last else None,
        "produced_text_version_index": last.index if last else None,
    }
    data["n_todos"], data["n_not_read_todos"] = server.accounts.run_counts(run.pk)
    if task.task_type == "workflow":
        data["steps"] = [s.json() for s in tasks.task_steps(task.task_pk)]
        data["step_executions"] = [se.json() for se in shown_step_executions(tasks.step_executions(run.pk))]
    return data


def find_run(server: ReferenceServer, user_pk: int, pk: int) -> TaskExecution | None:
    """The user's undeleted run ``pk``; None for an unknown one, or another user's (no one reads those)."""
    run = server.store.tasks.execution(pk)
    return None if run is None or run.user_fk != user_pk or run.deleted else run


def own_run(server: ReferenceServer, user_pk: int, pk: int, status: int = 404, message: str = "") -> TaskExecution:
    """The user's undeleted run ``pk``, or the route's refusal: 0.4 answers most routes with 400 and a sentence
    of its own (``message``; protocol.md), its delete with 404 "User task execution not found"."""
    run = find_run(server, user_pk, pk)
    if run is None:
        raise ApiError(status, message or "User task execution not found")
    return run


def run_not_found(pk: int) -> str:
    """What 0.4's run routes answer (400) for an unknown or another user's run."""
    return f"UserTaskExecution {pk} not found for this user"
