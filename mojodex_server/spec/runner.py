"""Step execution of the ``spec`` and ``mojodex-2024`` dialects: the shared runner with their payloads, an
``error`` event for a failed step, and the end event with a title made from the first input."""

from __future__ import annotations

from typing import Any

from ..step_runner import StepRunner
from ..steps import final_text, inputs_parameter, step_payload
from ..task_store import TaskExecution, TaskStepExecution


class Runner(StepRunner):
    def payload(self, se: TaskStepExecution, session_id: str) -> dict[str, Any]:
        return step_payload(se, session_id)

    def submit_inputs(self, execution_pk: int, json_inputs: list[dict[str, Any]]) -> None:
        self.tasks.set_inputs(execution_pk, json_inputs)
        self._advance(execution_pk)

    def rerun(self, old: TaskStepExecution, instruction: str | None) -> int:
        """A new step execution of ``old``'s step with its parameter, run with the user's instruction."""
        pk = self.tasks.add_step_execution(old.execution_fk, old.workflow_step_pk, old.parameter, instruction)
        self.server.background.spawn(self._run_step(pk))
        return pk

    async def _failed(self, run: TaskExecution, error: str) -> bool:
        self.tasks.set_error(run.pk, error)
        await self.server.emit_to_room("error", {"error": error, "session_id": run.session_id}, run.session_id)
        return True

    async def _end(self, run: TaskExecution) -> None:
        found = self.tasks.user_task(run.user_task_fk)
        name = found.name if found else "Workflow"
        first_input = next(iter(inputs_parameter(run.json_input_values).values()), None)
        title = f"{name}: {first_input}" if first_input not in (None, "") else name
        payload = {"produced_text": final_text(self.tasks.step_executions(run.pk)), "produced_text_title": title,
                   "user_workflow_execution_pk": run.pk, "session_id": run.session_id}
        await self.server.emit_to_room("workflow_execution_produced_text", payload, run.session_id)
