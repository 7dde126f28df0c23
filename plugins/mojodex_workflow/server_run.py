"""Following one server run: print its steps, show each result, ask for validation, know when it is over."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from mojodex_core._errors import AuthError, CommandCancelled, MojodexError, NotInteractiveError
from mojodex_core._events import StepEvent, steps_in_execution
from mojodex_core._results import QUESTION, result_lines, show
from mojodex_core._routes import call
from mojodex_core._text import one_line, sanitize
from mojodex_workflow.payloads import Execution
from mojodex_workflow.waiting import WaitingRuns

if TYPE_CHECKING:
    from mojodex_core._context import Context

# Once every step ran as the fan-out says, how long an end event (the produced text) may take to come.
END_EVENT_WAIT = 1.0
REJECTED = "Rejecting a step is work in progress: nothing was sent, the step stays waiting."


class ServerRun:
    """One execution followed over Socket.IO. Events arrive through ``put`` (from the step hooks)."""

    def __init__(self, ctx: Context, execution: Execution, waiting: WaitingRuns, *,
                 assume_yes: bool = False, json_mode: bool = False) -> None:
        self.ctx = ctx
        self.execution = execution
        self.waiting = waiting
        self.assume_yes = assume_yes
        self.json_mode = json_mode
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.shown: set[tuple[str, str]] = set()
        self.validated: dict[str, list[StepEvent]] = {}  # step name -> accepted executions
        self.grace = float(ctx.config.get("workflow.end_grace_seconds", 5.0))
        self.away = False  # the event connection is down: silence then says nothing about the run's end

    @property
    def pk(self) -> int | str:
        return self.execution.pk

    def put(self, kind: str, payload: Any) -> None:
        self.queue.put_nowait((kind, payload))

    # -- output ------------------------------------------------------------------------------------------

    def emit(self, line: str, **event: Any) -> None:
        """One human line, or with --json one JSON object per event."""
        show(self.ctx, self.json_mode, line, **({"execution_pk": self.pk, **event} if event else {}))

    # -- the loop ----------------------------------------------------------------------------------------

    async def drive(self, waiting_step: StepEvent | None = None) -> int:
        """Run until the end of the run, a rejection, or an error. Returns the exit status."""
        after_validation = False
        all_done = False  # every step ran as often as the fan-out says: only an end event may still come
        if waiting_step is not None:
            self.put("ended", waiting_step)
        while True:
            try:
                kind, payload = await self._next(after_validation and (all_done or not self.away),
                                                 min(self.grace, END_EVENT_WAIT) if all_done else self.grace)
            except TimeoutError:
                return self._finished("Run finished.")
            if kind in ("disconnected", "reconnected"):
                self.away = kind == "disconnected"  # back: the grace period starts again
                continue
            if kind == "started":
                if self._first_time("started", payload):
                    self.emit(f"Step {payload.step_name} started", event="step_started",
                              step_name=payload.step_name, step_execution_pk=payload.step_execution_pk)
                after_validation = all_done = False
            elif kind == "ended":
                if not self._first_time("ended", payload):
                    continue
                outcome = await self._on_ended(payload)
                if outcome is not None:
                    return outcome
                after_validation = True
                # A server that sends an end event (with the produced text) sends it right after the last
                # validation; one that sends none is over already.
                all_done = self._all_steps_done()
            elif kind == "invalidated":
                name = one_line(payload.get("step_name", "a step"), 80)
                self.emit(f"Step {name} was invalidated; it will run again", event="step_invalidated",
                          step_name=name)
            elif kind == "produced_text":
                return self._produced_text(payload)
            elif kind == "error":
                text = one_line(payload.get("error") or payload.get("payload") or "unknown error", 300)
                self.emit(f"error: the run failed: {text}", event="error", error=text)
                self.waiting.forget(self.ctx.server_url, self.pk)
                return 1

    async def _next(self, timed: bool, timeout: float) -> tuple[str, Any]:
        if timed:
            async with self.ctx.status("Waiting for the next step"):
                return await asyncio.wait_for(self.queue.get(), timeout)
        async with self.ctx.status(f"Running {self.execution.workflow_name or 'the workflow'}"):
            return await self.queue.get()

    def _first_time(self, kind: str, step: StepEvent) -> bool:
        key = (kind, str(step.step_execution_pk) if step.step_execution_pk is not None else id(step).__str__())
        if key in self.shown:
            return False
        self.shown.add(key)
        return True

    async def _on_ended(self, step: StepEvent) -> int | None:
        self.emit(f"Step {step.step_name} ended", event="step_ended", step_name=step.step_name,
                  step_execution_pk=step.step_execution_pk)
        result = await self._result_of(step)
        self.waiting.remember(self.ctx.server_url, self.pk, self.execution.session_id, step, result)
        if self.json_mode:
            self.emit("", event="results", step_name=step.step_name, step_execution_pk=step.step_execution_pk,
                      result=result)
        else:
            for line in result_lines(result):
                self.ctx.print(line)
        accepted = await self._ask(step)
        if not accepted:
            self.emit(REJECTED, event="rejected", step_execution_pk=step.step_execution_pk)
            self.emit(f"`workflow resume {self.pk}` picks the run up again.")
            return 0
        await self._validate(step, result)
        return None

    async def _result_of(self, step: StepEvent) -> Any:
        """The step's result: from the execution (as the specification says), else from the event."""
        try:
            execution = await call(self.ctx, "get_execution", what="an execution",
                                   params={"user_workflow_execution_pk": self.pk})
        except AuthError:
            raise  # not a bad answer: the login is gone (and was not renewed)
        except MojodexError as exc:
            if step.result is None:
                raise
            self.ctx.log_exception(exc, "reading the execution")
            return step.result
        for known in steps_in_execution(execution, self.execution.session_id):
            if str(known.step_execution_pk) == str(step.step_execution_pk) and known.result is not None:
                return known.result
        return step.result if step.result is not None else []

    async def _ask(self, step: StepEvent) -> bool:
        if self.assume_yes:
            if not self.json_mode:
                self.ctx.print(f"{QUESTION} y (--yes)")
            return True
        try:
            return await self.ctx.confirm(QUESTION)
        except NotInteractiveError:
            raise NotInteractiveError(
                f"step {step.step_name} waits for validation and there is no terminal to ask: pass --yes to "
                f"accept every step (the run stays waiting; `mojodex workflow resume {self.pk} --yes`)"
            ) from None

    async def _validate(self, step: StepEvent, result: Any) -> None:
        if step.step_execution_pk is None:
            raise MojodexError(f"step {step.step_name} has no step execution pk: it cannot be validated")
        await call(self.ctx, "validate_step", what="a validation answer",
                   json={"user_workflow_step_execution_pk": step.step_execution_pk, "validated": True})
        self.waiting.mark_validated(self.ctx.server_url, self.pk, step.step_execution_pk)
        accepted = StepEvent(step.session_id, step.step_name, step.step_execution_pk,
                             result if isinstance(result, list) else step.result, "server", step.data)
        self.validated.setdefault(step.step_name, []).append(accepted)
        if self.json_mode:
            self.emit("", event="validated", step_execution_pk=step.step_execution_pk)
        await self.ctx.fire("mojodex_step_validated", step=accepted)

    def _all_steps_done(self) -> bool:
        """True when every step ran as often as the previous step's results say it must (fan-out)."""
        names = self.execution.step_names
        if not names:
            return False
        expected = 1
        for name in names:
            done = self.validated.get(name, [])
            if len(done) != expected or expected == 0:
                return False
            expected = sum(len(s.result) if isinstance(s.result, list) else 1 for s in done)
        return True

    def _produced_text(self, payload: dict[str, Any]) -> int:
        title = sanitize(payload.get("produced_text_title") or "").strip()
        text = sanitize(payload.get("produced_text") or "").strip()
        if self.json_mode:
            self.emit("", event="produced_text", title=title, text=text)
        else:
            if title:
                self.ctx.print(title)
            if text:
                self.ctx.print(text)
        return self._finished("Run finished.")

    def _finished(self, message: str) -> int:
        self.waiting.forget(self.ctx.server_url, self.pk)
        self.emit(message, event="run_ended")
        return 0


class DetachedRun:
    """A run left with Ctrl-C while a step ran. Nothing of it is shown, but a step that ends meanwhile is
    remembered: the server lists validated step executions only, so the ``ended`` event is the one place
    where ``workflow resume`` can find it."""

    def __init__(self, run: ServerRun) -> None:
        self.run = run

    def put(self, kind: str, payload: Any) -> None:
        run = self.run
        if kind == "ended" and isinstance(payload, StepEvent) and payload.result is not None:
            run.waiting.remember(run.ctx.server_url, run.pk, run.execution.session_id, payload, payload.result)


async def run_followed(ctx: Context, run: ServerRun, runs: dict[str, ServerRun | DetachedRun], body: Any) -> int:
    """Follow the run's session around ``body`` (which drives it); unfollow once it is over.

    Ctrl-C leaves the run waiting on the server and says how to pick it up; the session stays followed by a
    ``DetachedRun`` so that a step ending meanwhile is not lost.
    """
    sid = run.execution.session_id
    runs[sid] = run
    detached = False
    try:
        return int(await body)
    except (asyncio.CancelledError, CommandCancelled):
        detached = True
        ctx.print(f"Left run {run.pk} waiting on the server; `workflow resume {run.pk}` carries on.", err=True)
        raise
    finally:
        if detached:
            runs[sid] = DetachedRun(run)
        else:
            runs.pop(sid, None)
            await ctx.fire("mojodex_unfollow_session", session_id=sid)


async def follow(ctx: Context, execution: Execution) -> None:
    """Ask the plugins to join the run's room; none answering means none can (socket plugin disabled)."""
    errors: list[BaseException] = []
    done = await ctx.plugins.call("mojodex_follow_session", firstresult=True, ctx=ctx,
                                  on_error=lambda plugin, exc: errors.append(exc),
                                  session_id=execution.session_id, execution_pk=execution.pk)
    if done:
        return
    if errors:
        exc = errors[0]
        if isinstance(exc, MojodexError):
            raise exc
        ctx.log_exception(exc, "following a run")
        raise MojodexError(f"cannot follow the run's events: {type(exc).__name__}: {one_line(exc, 200)}")
    raise MojodexError("no plugin follows server runs: enable the socketio plugin (`plugins enable socketio`)")
