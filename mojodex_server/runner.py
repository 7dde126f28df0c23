"""Step execution: which step runs next, running it in the background, emitting its events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from .store import Execution, Step, StepExecution

if TYPE_CHECKING:
    from .server import ReferenceServer

log = logging.getLogger(__name__)


def step_payload(se: StepExecution, session_id: str) -> dict[str, Any]:
    return {
        "user_workflow_step_execution_pk": se.pk,
        "workflow_step_pk": se.workflow_step_pk,
        "step_name": se.step_name,
        "validated": bool(se.validated),
        "parameter": se.parameter,
        "result": se.result,
        "session_id": session_id,
    }


def inputs_parameter(json_inputs: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {entry["input_name"]: entry.get("value") for entry in json_inputs or []}


def plan_next(
    steps: list[Step], json_inputs: list[dict[str, Any]] | None, executions: list[StepExecution]
) -> tuple[Step, dict[str, Any]] | None:
    """The next (step, parameter) to run, or None when the run is over.

    The first step runs once on the inputs; every later step runs once per entry of the results of the
    previous step's validated executions, in order.
    """
    parameters: list[dict[str, Any]] = [inputs_parameter(json_inputs)]
    for step in steps:
        done = [se for se in executions if se.workflow_step_pk == step.workflow_step_pk and se.validated]
        if len(done) < len(parameters):
            return step, parameters[len(done)]
        parameters = [
            entry if isinstance(entry, dict) else {"value": entry}
            for se in done for entry in (se.result or [])
        ]
        if not parameters:
            return None
    return None


class Runner:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store
        self.tasks: set[asyncio.Task[None]] = set()

    def _steps(self, execution: Execution) -> list[Step]:
        found = self.store.user_workflow(execution.user_workflow_fk)
        assert found is not None
        return self.store.steps(found[1]["workflow_pk"])

    def submit_inputs(self, execution_pk: int, json_inputs: list[dict[str, Any]]) -> None:
        self.store.set_inputs(execution_pk, json_inputs)
        self._advance(execution_pk)

    def validate(self, step_execution_pk: int, validated: bool) -> None:
        """Store a validation; a true one on the latest step execution starts the next one or ends the run."""
        se = self.store.step_execution(step_execution_pk)
        assert se is not None
        execution_pk = se.execution_fk
        latest = self.store.step_executions(execution_pk)[-1]
        self.store.set_validated(se.pk, validated)
        if not validated or se.validated or latest.pk != se.pk:
            return
        if self._advance(execution_pk) is None and self.server.api == "mojodex-2024":
            self.store.set_validated(se.pk, se.validated)  # that backend loses the very last validation

    def _advance(self, execution_pk: int) -> int | None:
        """Create and start the next step execution; None when the run is over."""
        execution = self.store.execution(execution_pk)
        assert execution is not None
        planned = plan_next(self._steps(execution), execution.json_inputs,
                            self.store.step_executions(execution_pk))
        if planned is None:
            self.store.set_finished(execution_pk)
            if self.server.end_event:
                self._spawn(self._end(execution))
            return None
        step, parameter = planned
        first = not self.store.step_executions(execution_pk)
        pk = self.store.add_step_execution(execution_pk, step.workflow_step_pk, parameter)
        self._spawn(self._run_step(execution, pk, first))
        return pk

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run_step(self, execution: Execution, pk: int, first: bool = False) -> None:
        session_id = execution.session_id
        se = self.store.step_execution(pk)
        assert se is not None
        server = self.server
        if first and server.join_grace > 0:
            # a client joins the room just before submitting the inputs: let its start_session land first
            with contextlib.suppress(TimeoutError):
                await server.wait_until(lambda: server.room_size(session_id), server.join_grace)
        emit = self.server.emit_to_room
        await emit("workflow_step_execution_started", step_payload(se, session_id), session_id)
        if self.server.step_delay > 0:
            await asyncio.sleep(self.server.step_delay)
        try:
            result = await self.server.generator(se.step_name, dict(se.parameter))
            if not isinstance(result, list):
                raise TypeError(f"the generator returned {type(result).__name__}, not a list")
            self.store.set_step_result(pk, result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            text = str(exc) or type(exc).__name__
            log.warning("reference server: step %s failed: %s", se.step_name, text)
            self.store.set_step_error(pk, text)
            self.store.set_execution_error(execution.pk, text)
            await emit("error", {"error": text, "session_id": session_id}, session_id)
            return
        se = self.store.step_execution(pk)
        assert se is not None
        await emit("workflow_step_execution_ended", step_payload(se, session_id), session_id)

    async def _end(self, execution: Execution) -> None:
        executions = [se for se in self.store.step_executions(execution.pk) if se.validated]
        last_step = executions[-1].workflow_step_pk if executions else None
        texts = [
            "\n".join(str(v) for v in entry.values()) if isinstance(entry, dict) else str(entry)
            for se in executions if se.workflow_step_pk == last_step
            for entry in se.result or []
        ]
        found = self.store.user_workflow(execution.user_workflow_fk)
        name = found[1]["name"] if found else "Workflow"
        first_input = next(iter(inputs_parameter(execution.json_inputs).values()), None)
        title = f"{name}: {first_input}" if first_input not in (None, "") else name
        payload = {"produced_text": "\n\n".join(texts), "produced_text_title": title,
                   "user_workflow_execution_pk": execution.pk, "session_id": execution.session_id}
        await self.server.emit_to_room("workflow_execution_produced_text", payload, execution.session_id)

    async def idle(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while self.tasks:
                await asyncio.gather(*self.tasks, return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
