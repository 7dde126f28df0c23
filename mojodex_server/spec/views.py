"""The workflow execution of ``spec`` and ``mojodex-2024`` as ``GET /user_workflow_execution`` returns it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..steps import step_payload

if TYPE_CHECKING:
    from . import Spec


def execution_json(dialect: Spec, pk: int) -> dict[str, Any]:
    """The execution as ``GET /user_workflow_execution`` returns it."""
    store = dialect.server.store
    execution = store.execution(pk)
    if execution is None:
        raise KeyError(pk)
    found = store.user_workflow(execution.user_workflow_fk)
    assert found is not None
    user_workflow = found[1]
    values = {e["input_name"]: e.get("value") for e in execution.json_inputs or []}
    prefill = dialect.prefills_inputs and execution.json_inputs is None
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
    if dialect.shows_current_step:
        waiting = [se for se in steps if not se.validated and se.result is not None]
        data["current_step_execution"] = step_payload(waiting[-1], execution.session_id) if waiting else None
    return data
