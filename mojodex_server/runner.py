"""Step execution of the ``spec`` and ``mojodex-2024`` dialects: which step runs next, running it in the
background, emitting its events; plus what every dialect's runner shares (planning, the generator call,
the final text)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .generators import call_generator
from .records import GeneratorCall
from .store import Execution, Step, StepExecution

if TYPE_CHECKING:
    from .server import ReferenceServer

log = logging.getLogger(__name__)


class StepLike(Protocol):
    @property
    def workflow_step_pk(self) -> int: ...


class StepExecutionLike(StepLike, Protocol):
    @property
    def validated(self) -> bool | None: ...

    @property
    def result(self) -> list[Any] | None: ...


S = TypeVar("S", bound=StepLike)
E = TypeVar("E", bound=StepExecutionLike)


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
    steps: Sequence[S], json_inputs: list[dict[str, Any]] | None, executions: Sequence[StepExecutionLike]
) -> tuple[S, dict[str, Any]] | None:
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


def final_text(executions: Sequence[StepExecutionLike]) -> str:
    """The produced text of a finished run: the last step's validated results, joined by blank lines."""
    done = [se for se in executions if se.validated]
    last_step = done[-1].workflow_step_pk if done else None
    texts = [
        "\n".join(str(v) for v in entry.values()) if isinstance(entry, dict) else str(entry)
        for se in done if se.workflow_step_pk == last_step
        for entry in se.result or []
    ]
    return "\n\n".join(texts)


def under_review(executions: Sequence[E]) -> E | None:
    """The step execution a chat message reruns: the latest one, ended and not validated."""
    latest = executions[-1] if executions else None
    return latest if latest is not None and latest.result is not None and not latest.validated else None


class Crashed(Exception):
    """A step crashed silently (``faults.crash_silently``): nothing more is sent for it."""


async def generate(server: ReferenceServer, step_name: str, parameter: dict[str, Any],
                   instruction: str | None = None) -> list[Any]:
    """The step's result from the server's generator (the call recorded); raises when it fails (or a fault
    switch fails it), :class:`Crashed` when it crashes silently."""
    fault = server.faults.take_step(step_name)
    if fault is not None:
        raise Crashed() if fault.kind == "crash" else RuntimeError(fault.error)
    server.recorder.generator_calls.append(GeneratorCall(step_name, dict(parameter), instruction))
    if server.step_delay > 0:
        await asyncio.sleep(server.step_delay)
    result = await call_generator(server.generator, step_name, parameter, instruction)
    if not isinstance(result, list):
        raise TypeError(f"the generator returned {type(result).__name__}, not a list")
    return result


async def wait_for_room(server: ReferenceServer, session_id: str) -> None:
    """A client joins the room just before starting the run: let its start_session land first."""
    if server.join_grace > 0:
        with contextlib.suppress(TimeoutError):
            await server.wait_until(lambda: server.room_size(session_id), server.join_grace)


class Runner:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store

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

    def rejected(self, execution_pk: int) -> StepExecution | None:
        return under_review(self.store.step_executions(execution_pk))

    def rerun(self, old: StepExecution, instruction: str | None) -> int:
        """A new step execution of ``old``'s step with its parameter, run with the user's instruction."""
        execution = self.store.execution(old.execution_fk)
        assert execution is not None
        pk = self.store.add_step_execution(execution.pk, old.workflow_step_pk, old.parameter)
        self.server.background.spawn(self._run_step(execution, pk, instruction=instruction))
        return pk

    def _advance(self, execution_pk: int) -> int | None:
        """Create and start the next step execution; None when the run is over."""
        execution = self.store.execution(execution_pk)
        assert execution is not None
        planned = plan_next(self._steps(execution), execution.json_inputs,
                            self.store.step_executions(execution_pk))
        if planned is None:
            self.store.set_finished(execution_pk)
            if self.server.end_event:
                self.server.background.spawn(self._end(execution))
            return None
        step, parameter = planned
        first = not self.store.step_executions(execution_pk)
        pk = self.store.add_step_execution(execution_pk, step.workflow_step_pk, parameter)
        self.server.background.spawn(self._run_step(execution, pk, first))
        return pk

    async def _run_step(self, execution: Execution, pk: int, first: bool = False,
                        instruction: str | None = None) -> None:
        session_id = execution.session_id
        se = self.store.step_execution(pk)
        assert se is not None
        server = self.server
        if first:
            await wait_for_room(server, session_id)
        elif server.start_delay > 0:
            await asyncio.sleep(server.start_delay)
        emit = server.emit_to_room
        await emit("workflow_step_execution_started", step_payload(se, session_id), session_id)
        try:
            result = await generate(server, se.step_name, dict(se.parameter), instruction)
            self.store.set_step_result(pk, result)
        except Crashed:
            return  # as on the 2024 backend: nothing at all, ever
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
        executions = self.store.step_executions(execution.pk)
        found = self.store.user_workflow(execution.user_workflow_fk)
        name = found[1]["name"] if found else "Workflow"
        first_input = next(iter(inputs_parameter(execution.json_inputs).values()), None)
        title = f"{name}: {first_input}" if first_input not in (None, "") else name
        payload = {"produced_text": final_text(executions), "produced_text_title": title,
                   "user_workflow_execution_pk": execution.pk, "session_id": execution.session_id}
        await self.server.emit_to_room("workflow_execution_produced_text", payload, execution.session_id)
