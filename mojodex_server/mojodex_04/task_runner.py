"""Workflow runs of ``mojodex-0.4``: steps in the background with 0.4's payloads, automatic steps, failures
and relaunch, edited results, rejection reruns, restart with new inputs, the produced text at the end."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..assistant import run_title
from ..steps import Crashed, final_text, generate, inputs_parameter, plan_next, under_review, wait_for_room
from ..task_store import TaskExecution, TaskStepExecution

if TYPE_CHECKING:
    from ..server import ReferenceServer

log = logging.getLogger(__name__)


async def announce_title(server: ReferenceServer, run: TaskExecution) -> None:
    """Title the run (as the backend does in the background) and send ``user_task_execution_title``."""
    task = server.store.tasks.user_task(run.user_task_fk)
    title = run_title(task.name if task else "Task", inputs_parameter(run.json_input_values))
    server.store.tasks.set_title(run.pk, title)
    await server.emit_to_room("user_task_execution_title", {"title": title, "session_id": run.session_id},
                              run.session_id)


class TaskRunner:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.tasks = server.store.tasks

    def payload(self, se: TaskStepExecution, session_id: str) -> dict[str, Any]:
        return {**se.json(), "session_id": session_id}

    # ---- actions (called by the routes and the chat) -----------------------------------------------------
    def start(self, run_pk: int) -> None:
        self._advance(run_pk)

    def validate(self, step_execution_pk: int, validated: bool) -> None:
        """Store a validation; a true one on the latest step execution starts the next one or ends the run."""
        se = self.tasks.known_step_execution(step_execution_pk)
        latest = self.tasks.step_executions(se.execution_fk)[-1]
        self.tasks.set_validated(se.pk, validated)
        if validated and not se.validated and latest.pk == se.pk:
            self._advance(se.execution_fk)

    def relaunch(self, old: TaskStepExecution) -> int:
        pk = self.tasks.add_step_execution(old.execution_fk, old.workflow_step_pk, old.parameter)
        self.server.background.spawn(self._run_step(pk))
        return pk

    def rejected(self, run_pk: int) -> TaskStepExecution | None:
        return under_review(self.tasks.step_executions(run_pk))

    async def _invalidate(self, old: TaskStepExecution) -> TaskExecution:
        self.tasks.set_validated(old.pk, False)
        run = self.tasks.known_execution(old.execution_fk)
        payload = self.payload(self.tasks.known_step_execution(old.pk), run.session_id)
        await self.server.emit_to_room("workflow_step_execution_invalidated", payload, run.session_id)
        return run

    async def rerun(self, old: TaskStepExecution, instruction: str) -> None:
        """Invalidate ``old``, then run its step again on the same parameter with the user's instruction."""
        run = await self._invalidate(old)
        pk = self.tasks.add_step_execution(run.pk, old.workflow_step_pk, old.parameter, instruction)
        await self._run_step(pk)

    def restart(self, run_pk: int, values: list[dict[str, Any]]) -> bool:
        """New inputs while the first step waits for validation; later (as on 0.4) nothing happens."""
        run = self.tasks.known_execution(run_pk)
        task = self.tasks.user_task(run.user_task_fk)
        executions = self.tasks.step_executions(run_pk)
        steps = self.tasks.task_steps(task.task_pk) if task else []
        last = executions[-1] if executions else None
        if (last is None or not steps or last.workflow_step_pk != steps[0].workflow_step_pk
                or any(se.validated for se in executions) or last.result is None):
            return False
        self.tasks.set_inputs(run_pk, values)
        self.server.background.spawn(self._restart(last, values))
        return True

    async def _restart(self, old: TaskStepExecution, values: list[dict[str, Any]]) -> None:
        run = await self._invalidate(old)
        pk = self.tasks.add_step_execution(run.pk, old.workflow_step_pk, inputs_parameter(values))
        await self._run_step(pk)

    # ---- the run loop ------------------------------------------------------------------------------------
    def _advance(self, run_pk: int) -> None:
        run = self.tasks.known_execution(run_pk)
        broken = self.server.faults.take_run_error()
        if broken is not None:
            payload = {"error": f"Error during workflow run: {broken}", "session_id": run.session_id,
                       "user_task_execution_pk": run.pk}
            self.server.background.spawn(self.server.emit_to_room("error", payload, run.session_id))
            return
        task = self.tasks.user_task(run.user_task_fk)
        assert task is not None
        executions = self.tasks.step_executions(run_pk)
        planned = plan_next(self.tasks.task_steps(task.task_pk), run.json_input_values, executions)
        if planned is None:
            self.server.background.spawn(self._end(run))
            return
        step, parameter = planned
        pk = self.tasks.add_step_execution(run_pk, step.workflow_step_pk, parameter)
        self.server.background.spawn(self._run_step(pk, first=not executions))

    async def _run_step(self, pk: int, first: bool = False) -> None:
        server = self.server
        se = self.tasks.known_step_execution(pk)
        run = self.tasks.known_execution(se.execution_fk)
        room = run.session_id
        if first:
            await wait_for_room(server, room)
        await server.emit_to_room("workflow_step_execution_started", self.payload(se, room), room)
        if not run.title:  # as the backend: a run without a title (never titled, or cleared before a restart)
            await announce_title(server, run)
        try:
            result = await generate(server, se.step_name, dict(se.parameter), se.instruction)
            self.tasks.set_step_result(pk, result)
        except Crashed:
            return  # started, then nothing at all
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # 0.4 sends no error event: the ended step carries error_status
            log.warning("reference server: step %s failed: %s", se.step_name, exc)
            self.tasks.set_step_error(pk, str(exc) or type(exc).__name__)
        se = self.tasks.known_step_execution(pk)
        await server.emit_to_room("workflow_step_execution_ended", self.payload(se, room), room)
        if se.error_status is None and not se.step.user_validation_required:
            self.validate(pk, True)

    async def _end(self, run: TaskExecution) -> None:
        text = final_text(self.tasks.step_executions(run.pk))
        version = self.tasks.add_produced_text_version(run.pk, run.user_fk, "", text)
        payload = {"user_task_execution_pk": run.pk, "produced_text": text, "produced_text_title": "",
                   "produced_text_pk": version.produced_text_pk, "produced_text_version_pk": version.pk,
                   "session_id": run.session_id}
        self.server.accounts.run_ended(run.pk, consume=False)  # 0.4 counts a workflow run for its result chat only
        await self.server.emit_to_room("workflow_execution_produced_text", payload, run.session_id)
