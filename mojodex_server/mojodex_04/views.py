"""JSON views of 0.4's stored state: tasks and runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ApiError
from ..task_store import TaskExecution, TaskStepExecution

if TYPE_CHECKING:
    from ..server import ReferenceServer


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
