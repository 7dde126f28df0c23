"""Step execution of the ``spec`` and ``mojodex-2024`` dialects: which step runs next, running it in the
background, emitting its events."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..steps import (
    Crashed,
    final_text,
    generate,
    inputs_parameter,
    plan_next,
    step_payload,
    under_review,
    wait_for_room,
)
from ..task_store import TaskExecution, TaskStep, TaskStepExecution

if TYPE_CHECKING:
    from . import Spec

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, dialect: Spec) -> None:
        self.dialect = dialect
        self.server = dialect.server
        self.tasks = dialect.server.store.tasks

    def _steps(self, execution: TaskExecution) -> list[TaskStep]:
        found = self.tasks.user_task(execution.user_task_fk)
        assert found is not None
        return self.tasks.task_steps(found.task_pk)

    def submit_inputs(self, execution_pk: int, json_inputs: list[dict[str, Any]]) -> None:
        self.tasks.set_inputs(execution_pk, json_inputs)
        self._advance(execution_pk)

    def validate(self, step_execution_pk: int, validated: bool) -> None:
        """Store a validation; a true one on the latest step execution starts the next one or ends the run."""
        se = self.tasks.known_step_execution(step_execution_pk)
        execution_pk = se.execution_fk
        latest = self.tasks.step_executions(execution_pk)[-1]
        self.tasks.set_validated(se.pk, validated)
        if not validated or se.validated or latest.pk != se.pk:
            return
        if self._advance(execution_pk) is None and self.dialect.loses_last_validation:
            self.tasks.set_validated(se.pk, se.validated)  # that backend loses the very last validation

    def rejected(self, execution_pk: int) -> TaskStepExecution | None:
        return under_review(self.tasks.step_executions(execution_pk))

    def rerun(self, old: TaskStepExecution, instruction: str | None) -> int:
        """A new step execution of ``old``'s step with its parameter, run with the user's instruction."""
        execution = self.tasks.known_execution(old.execution_fk)
        pk = self.tasks.add_step_execution(execution.pk, old.workflow_step_pk, old.parameter)
        self.server.background.spawn(self._run_step(execution, pk, instruction=instruction))
        return pk

    def _advance(self, execution_pk: int) -> int | None:
        """Create and start the next step execution; None when the run is over."""
        execution = self.tasks.known_execution(execution_pk)
        planned = plan_next(self._steps(execution), execution.json_input_values,
                            self.tasks.step_executions(execution_pk))
        if planned is None:
            self.tasks.set_finished(execution_pk)
            if self.server.end_event:
                self.server.background.spawn(self._end(execution))
            return None
        step, parameter = planned
        first = not self.tasks.step_executions(execution_pk)
        pk = self.tasks.add_step_execution(execution_pk, step.workflow_step_pk, parameter)
        self.server.background.spawn(self._run_step(execution, pk, first))
        return pk

    async def _run_step(self, execution: TaskExecution, pk: int, first: bool = False,
                        instruction: str | None = None) -> None:
        session_id = execution.session_id
        se = self.tasks.known_step_execution(pk)
        server = self.server
        if first:
            await wait_for_room(server, session_id)
        elif server.start_delay > 0:
            await asyncio.sleep(server.start_delay)
        emit = server.emit_to_room
        await emit("workflow_step_execution_started", step_payload(se, session_id), session_id)
        try:
            result = await generate(server, se.step_name, dict(se.parameter), instruction)
            self.tasks.set_step_result(pk, result)
        except Crashed:
            return  # as on the 2024 backend: nothing at all, ever
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            text = str(exc) or type(exc).__name__
            log.warning("reference server: step %s failed: %s", se.step_name, text)
            self.tasks.set_step_error(pk, text)
            self.tasks.set_error(execution.pk, text)
            await emit("error", {"error": text, "session_id": session_id}, session_id)
            return
        se = self.tasks.known_step_execution(pk)
        await emit("workflow_step_execution_ended", step_payload(se, session_id), session_id)

    async def _end(self, execution: TaskExecution) -> None:
        executions = self.tasks.step_executions(execution.pk)
        found = self.tasks.user_task(execution.user_task_fk)
        name = found.name if found else "Workflow"
        first_input = next(iter(inputs_parameter(execution.json_input_values).values()), None)
        title = f"{name}: {first_input}" if first_input not in (None, "") else name
        payload = {"produced_text": final_text(executions), "produced_text_title": title,
                   "user_workflow_execution_pk": execution.pk, "session_id": execution.session_id}
        await self.server.emit_to_room("workflow_execution_produced_text", payload, execution.session_id)
