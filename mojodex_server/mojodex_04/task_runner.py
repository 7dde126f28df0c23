"""Workflow runs of ``mojodex-0.4``: steps in the background with 0.4's payloads, automatic steps, failures
and relaunch, edited results, rejection reruns, restart with new inputs, the produced text at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..assistant import run_title
from ..step_runner import StepRunner
from ..steps import final_text, inputs_parameter
from ..task_store import TaskExecution, TaskStepExecution

if TYPE_CHECKING:
    from ..server import ReferenceServer


async def announce_title(server: ReferenceServer, run: TaskExecution) -> None:
    """Title the run (as the backend does in the background) and send ``user_task_execution_title``."""
    task = server.store.tasks.user_task(run.user_task_fk)
    title = run_title(task.name if task else "Task", inputs_parameter(run.json_input_values))
    server.store.tasks.set_title(run.pk, title)
    await server.emit_to_room("user_task_execution_title", {"title": title, "session_id": run.session_id},
                              run.session_id)


class TaskRunner(StepRunner):
    def payload(self, se: TaskStepExecution, session_id: str) -> dict[str, Any]:
        return {**se.json(), "session_id": session_id}

    # ---- actions (called by the routes and the chat) -----------------------------------------------------
    def start(self, run_pk: int) -> None:
        self._advance(run_pk)

    def relaunch(self, old: TaskStepExecution) -> int:
        pk = self.tasks.add_step_execution(old.execution_fk, old.workflow_step_pk, old.parameter)
        self.server.background.spawn(self._run_step(pk))
        return pk

    async def rerun(self, old: TaskStepExecution, instruction: str) -> None:
        """Invalidate ``old``, then run its step again on the same parameter with the user's instruction."""
        run = await self.invalidate(old)
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
        run = await self.invalidate(old)
        pk = self.tasks.add_step_execution(run.pk, old.workflow_step_pk, inputs_parameter(values))
        await self._run_step(pk)

    # ---- what 0.4 does its own way -------------------------------------------------------------------------
    def _advance(self, run_pk: int) -> int | None:
        broken = self.server.faults.take_run_error()
        if broken is None:
            return super()._advance(run_pk)
        run = self.tasks.known_execution(run_pk)
        payload = {"error": f"Error during workflow run: {broken}", "session_id": run.session_id,
                   "user_task_execution_pk": run.pk}
        self.server.background.spawn(self.server.emit_to_room("error", payload, run.session_id))
        return None

    async def _started(self, run: TaskExecution) -> None:
        if not run.title:  # as the backend: a run without a title (never titled, or cleared before a restart)
            await announce_title(self.server, run)

    # (a failed step sends no error event: its ended carries error_status)

    def _finish(self, run: TaskExecution) -> None:
        self.server.background.spawn(self._end(run))  # a 0.4 run always ends with its produced text

    async def _end(self, run: TaskExecution) -> None:
        text = final_text(self.tasks.step_executions(run.pk))
        version = self.tasks.add_produced_text_version(run.pk, run.user_fk, "", text)
        payload = {"user_task_execution_pk": run.pk, "produced_text": text, "produced_text_title": "",
                   "produced_text_pk": version.produced_text_pk, "produced_text_version_pk": version.pk,
                   "session_id": run.session_id}
        self.server.accounts.run_ended(run.pk, consume=False)  # 0.4 counts a workflow run for its result chat only
        await self.server.emit_to_room("workflow_execution_produced_text", payload, run.session_id)
