"""The workflows and executions of ``spec`` and ``mojodex-2024`` as their GETs return them: a workflow is a stored
task of type ``"workflow"`` (its user workflow a user task), an execution a stored run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..steps import step_payload
from ..task_store import TaskStore, UserTask

if TYPE_CHECKING:
    from . import Spec


def user_workflow_json(tasks: TaskStore, user_task: UserTask) -> dict[str, Any]:
    """A user workflow as ``GET /user_workflow`` lists it."""
    return {
        "user_workflow_pk": user_task.user_task_pk,
        "workflow_pk": user_task.task_pk,
        "name": user_task.name,
        "icon": user_task.icon,
        "description": user_task.description,
        "inputs_spec": user_task.json_input,
        "steps": [{"workflow_step_pk": s.workflow_step_pk, "step_name": s.step_name}
                  for s in tasks.task_steps(user_task.task_pk)],
    }


def user_workflow(tasks: TaskStore, user_workflow_pk: int) -> UserTask | None:
    """User workflow ``user_workflow_pk`` (None: no such one; a user task of another type is none)."""
    found = tasks.user_task(user_workflow_pk)
    return found if found is not None and found.task_type == "workflow" else None


def execution_json(dialect: Spec, pk: int) -> dict[str, Any]:
    """The execution as ``GET /user_workflow_execution`` returns it."""
    tasks = dialect.server.store.tasks
    execution = tasks.execution(pk)
    if execution is None:
        raise KeyError(pk)
    found = user_workflow(tasks, execution.user_task_fk)
    assert found is not None
    workflow = user_workflow_json(tasks, found)
    values = {e["input_name"]: e.get("value") for e in execution.json_input_values or []}
    prefill = dialect.prefills_inputs and execution.json_input_values is None
    inputs = [
        {**spec, "value": spec.get("default_value") if prefill else values.get(spec["input_name"]),
         "default_value": spec.get("default_value")}
        for spec in workflow["inputs_spec"]
    ]
    steps = tasks.step_executions(pk)
    validated = [step_payload(se, execution.session_id) for se in steps if se.validated]
    data = {
        "workflow_name": workflow["name"],
        "user_workflow_execution_pk": execution.pk,
        "user_workflow_fk": execution.user_task_fk,
        "steps": workflow["steps"],
        "validated_steps_executions": validated,
        "session_id": execution.session_id,
        "inputs": inputs,
    }
    if dialect.shows_current_step:
        waiting = [se for se in steps if not se.validated and se.result is not None]
        data["current_step_execution"] = step_payload(waiting[-1], execution.session_id) if waiting else None
    return data
