"""What every dialect's step runner shares: planning the next step, the generator call, the final text, the
step events' payload."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .generators import call_generator
from .task_store import TaskStepExecution
from .testing import GeneratorCall

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


def step_payload(se: TaskStepExecution, session_id: str) -> dict[str, Any]:
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
