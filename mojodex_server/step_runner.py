"""The step runner every dialect shares: a run's next step planned and run in the background with its events, a
validation, an invalidation. A dialect's runner says what differs: its events' payload, what a failed step
sends, what a step's start and a run's end do."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from .steps import Crashed, generate, plan_next, under_review, wait_for_room
from .task_store import TaskExecution, TaskStepExecution

if TYPE_CHECKING:
    from .dialect import Dialect

log = logging.getLogger(__name__)


class StepRunner:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.server = dialect.server
        self.tasks = dialect.server.store.tasks

    # ---- what a dialect says ---------------------------------------------------------------------------
    def payload(self, se: TaskStepExecution, session_id: str) -> dict[str, Any]:
        """A step event's payload."""
        raise NotImplementedError

    async def _started(self, run: TaskExecution) -> None:
        """After a step's ``workflow_step_execution_started``."""

    async def _failed(self, run: TaskExecution, error: str) -> bool:
        """A step failed with ``error`` (stored on the step execution): True when nothing more is sent for it
        (no ``workflow_step_execution_ended``)."""
        return False

    def _finish(self, run: TaskExecution) -> None:
        """The run's last step was validated."""
        self.tasks.set_finished(run.pk)
        if self.server.end_event:
            self.server.background.spawn(self._end(run))

    async def _end(self, run: TaskExecution) -> None:
        """The event that ends a run."""
        raise NotImplementedError

    # ---- actions ---------------------------------------------------------------------------------------
    def validate(self, step_execution_pk: int, validated: bool) -> None:
        """Store a validation; a true one on the latest step execution starts the next one or ends the run."""
        se = self.tasks.known_step_execution(step_execution_pk)
        latest = self.tasks.step_executions(se.execution_fk)[-1]
        self.tasks.set_validated(se.pk, validated)
        if not validated or se.validated or latest.pk != se.pk:
            return
        if self._advance(se.execution_fk) is None and self.dialect.loses_last_validation:
            self.tasks.set_validated(se.pk, se.validated)

    def rejected(self, run_pk: int) -> TaskStepExecution | None:
        return under_review(self.tasks.step_executions(run_pk))

    async def invalidate(self, old: TaskStepExecution) -> TaskExecution:
        """Unvalidate ``old`` and send ``workflow_step_execution_invalidated``; its run."""
        self.tasks.set_validated(old.pk, False)
        run = self.tasks.known_execution(old.execution_fk)
        payload = self.payload(self.tasks.known_step_execution(old.pk), run.session_id)
        await self.server.emit_to_room("workflow_step_execution_invalidated", payload, run.session_id)
        return run

    # ---- the run loop ----------------------------------------------------------------------------------
    def _advance(self, run_pk: int) -> int | None:
        """Create and start the next step execution; None when the run is over."""
        run = self.tasks.known_execution(run_pk)
        task = self.tasks.user_task(run.user_task_fk)
        assert task is not None
        executions = self.tasks.step_executions(run_pk)
        planned = plan_next(self.tasks.task_steps(task.task_pk), run.json_input_values, executions)
        if planned is None:
            self._finish(run)
            return None
        step, parameter = planned
        pk = self.tasks.add_step_execution(run_pk, step.workflow_step_pk, parameter)
        self.server.background.spawn(self._run_step(pk, first=not executions))
        return pk

    async def _run_step(self, pk: int, first: bool = False) -> None:
        server = self.server
        se = self.tasks.known_step_execution(pk)
        run = self.tasks.known_execution(se.execution_fk)
        room = run.session_id
        if first:
            await wait_for_room(server, room)
        elif server.start_delay > 0:
            await asyncio.sleep(server.start_delay)
        await server.emit_to_room("workflow_step_execution_started", self.payload(se, room), room)
        await self._started(run)
        try:
            result = await generate(server, se.step_name, dict(se.parameter), se.instruction)
            self.tasks.set_step_result(pk, result)
        except Crashed:
            return  # started, then nothing at all, ever
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = str(exc) or type(exc).__name__
            log.warning("reference server: step %s failed: %s", se.step_name, error)
            self.tasks.set_step_error(pk, error)
            if await self._failed(run, error):
                return
        se = self.tasks.known_step_execution(pk)
        await server.emit_to_room("workflow_step_execution_ended", self.payload(se, room), room)
        if se.error_status is None and not se.step.user_validation_required:
            self.validate(pk, True)
