"""One server run and its one owner: the events addressed to it, their deduplication, its steps and
validations, what is kept on disk, and the end of the run.

The Socket.IO plugin delivers the run's events (``deliver``) and, after a reconnection, asks it to catch up
(``catch_up``); the owner decides everything and fires the step and run hooks as notifications.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    QUESTION,
    AuthError,
    CommandCancelled,
    MojodexError,
    NotInteractiveError,
    ProducedText,
    RunInfo,
    Screen,
    ServerEvent,
    StepEvent,
    TextStream,
    ask_inputs,
    ask_validation,
    report_event,
    result_lines,
    sanitize,
)
from mojodex_workflow.waiting import WaitingRuns, never_started

if TYPE_CHECKING:
    from mojodex_core import Context

# Once every step ran as the fan-out says, how long an end event (the produced text) may take to come.
END_EVENT_WAIT = 1.0
REJECTED = "Rejecting a step is work in progress: nothing was sent, the step stays waiting."


class RunOver(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class ServerRun:
    """The owner of one server run (created by ``workflow run``, or picked up by ``workflow resume``)."""

    def __init__(self, ctx: Context, run: RunInfo, *, assume_yes: bool = False, json_mode: bool = False,
                 jsonl: bool = False) -> None:
        self.ctx = ctx
        self.run = run
        self.server = ctx.server
        self.kept = WaitingRuns.of_server(ctx).handle(run.pk)  # its entry in the waiting runs file
        self.assume_yes = assume_yes
        self.json_mode = json_mode  # --json: one document at the end, nothing else on stdout
        self.jsonl = jsonl  # --jsonl: each event as one JSON line as it happens
        self.queue: asyncio.Queue[ServerEvent] = asyncio.Queue()
        self.seen: set[tuple[str, str]] = set()  # (kind, step execution pk) already handled
        self.validated: dict[str, StepEvent] = {}  # step execution pk -> the accepted execution, in order
        self.running: StepEvent | None = None  # started, not ended yet
        self.rejected: set[str] = set()  # step executions rejected with an instruction, waiting for their rerun
        self.grace = float(ctx.config.get("workflow.end_grace_seconds", 5.0))
        self.step_timeout = float(ctx.config.get("workflow.step_timeout_seconds", 120.0))
        self.away = False  # the event connection is down: silence then says nothing about the run
        self.detached = False  # the user left with Ctrl-C: nothing is shown, a step's end is still kept
        self.relaunched: set[tuple[str, str]] = set()
        self.stream: TextStream | None = None  # the assistant's message being shown (tokens carry the whole text)
        self.status = "running"
        self.inputs_sent = True  # False from ``created`` until ``start``: the run exists, its inputs do not yet
        self.pending: StepEvent | None = None  # picked up (``pick_up``): the step that waits for validation

    @property
    def pk(self) -> int | str:
        return self.run.pk

    # -- what the server and the waiting runs file know of the run (``workflow resume``, ``show``, ``restart``) --

    def never_started(self) -> bool:
        """Created, its inputs never sent (``waiting.never_started``)."""
        return never_started(self.run, self.kept.entry())

    def steps_known(self, kept: dict[str, Any] | None = None) -> list[StepEvent]:
        """The run's step executions as the server lists them, plus those it forgot (kept in the file)."""
        kept = self.kept.entry() if kept is None else kept
        steps = {str(s.step_execution_pk): s for s in self.run.steps}
        for payload in [*kept.get("validated", []), kept.get("step")]:
            step = self.server.step(payload, self.run.session_id) if isinstance(payload, dict) else None
            if step is None:
                continue
            known = steps.get(str(step.step_execution_pk))
            if known is None or (step.validated is True and known.validated is not True):
                steps[str(step.step_execution_pk)] = step if known is None else replace(
                    known, validated=True, result=known.result or step.result)
        return sorted(steps.values(), key=lambda s: _order(s.step_execution_pk))

    def pick_up(self) -> str:
        """A run read back for ``workflow resume``: ``"not started"`` (its inputs were never sent), ``"finished"``
        (nothing waits: its product is the run's), or ``"waiting"`` (``resume`` follows it from what waits)."""
        kept = self.kept.entry()
        if never_started(self.run, kept):
            return "not started"
        done = {str(p.get("user_workflow_step_execution_pk")) for p in kept.get("validated", [])
                if isinstance(p, dict)}
        for step in self.steps_known(kept):
            key = str(step.step_execution_pk)
            if step.validated is True or key in done:  # on the server, or here when the server forgot
                self.validated[key] = step
                self.seen.update({("step_started", key), ("step_ended", key)})
            elif (step.result is not None or step.error) and self.pending is None:
                self.pending = step
        if self.pending is None and (kept.get("finished") or self.run.produced is not None
                                     or self._all_steps_done()):
            self.already_finished()
            return "finished"
        return "waiting"

    async def resume(self) -> int:
        """Follow a run picked up (``pick_up`` said ``"waiting"``) from the step that waits, if one does."""
        await self.started()
        if self.pending is None:
            self.say(f"Run {self.pk}: no step waits for validation yet; waiting for the server.")
        return await self.drive(waiting=self.pending)

    def check_restartable(self) -> None:
        """``MojodexError`` unless the run's first step waits for validation (the only time a run restarts)."""
        run, pk = self.run, self.pk
        if self.never_started():
            raise MojodexError(f"run {pk} has not started: `workflow resume {pk}` asks its inputs")
        waiting = [s for s in run.steps if s.validated is not True]
        done = [s for s in run.steps if s.validated is True]
        if run.produced is not None or done or len(waiting) != 1 or waiting[0].result is None:
            where = "it has finished" if run.produced is not None else (
                f"{len(done)} step{'s' if len(done) != 1 else ''} validated already" if done
                else "its first step has not ended yet")
            raise MojodexError(f"run {pk} can't be restarted: only while its first step waits for validation "
                               f"({where})")

    def detach(self) -> None:
        """The user left (Ctrl-C): nothing more is shown; a step that ends meanwhile is still kept."""
        self.detached = True
        self._end_stream()

    # -- the listener the Socket.IO plugin delivers to ------------------------------------------------------

    def deliver(self, event: ServerEvent) -> None:
        if self.detached:
            # Left with Ctrl-C: a step that ends meanwhile is kept, since the server may list validated steps only.
            if event.kind == "step_ended" and event.step is not None and event.step.result is not None:
                self.kept.waiting(event.step, event.step.result)
            return
        self.queue.put_nowait(event)

    def connection(self, state: str) -> None:
        self.away = state == "lost"

    async def catch_up(self) -> None:
        """Read the run back and deliver what it shows that may have been missed (the loop drops repeats)."""
        run = await self.server.read_run(self.pk)
        for step in run.steps:
            if step.validated is True or str(step.step_execution_pk) in self.validated:
                continue
            self.deliver(ServerEvent("catch_up", "step_started", step.session_id, step.data, step=step.started()))
            if step.result is not None or step.error:
                self.deliver(ServerEvent("catch_up", "step_ended", step.session_id, step.data, step=step))
        if run.produced is not None and run.kind == "workflow" and run.produced.text:
            self.deliver(ServerEvent("catch_up", "produced_text", run.session_id, run.raw, produced=run.produced))

    # -- output ------------------------------------------------------------------------------------------

    @property
    def quiet(self) -> bool:
        """Nothing but JSON on stdout (``--json`` or ``--jsonl``)."""
        return self.json_mode or self.jsonl

    def emit(self, line: str, event: str = "", **fields: Any) -> None:
        """One human line, or with --jsonl the event as one JSON line (nothing with --json: one document is
        printed at the end). The events' names and fields are a local run's (mojodex_local)."""
        if not self.json_mode:
            report_event(self.ctx, self.jsonl, line, **({"event": event, "run_pk": self.pk, **fields} if event else {}))

    def _step_event(self, event: str, step: StepEvent, **fields: Any) -> None:
        self.emit("", event, step_name=step.step_name, step_execution_pk=step.step_execution_pk, **fields)

    def say(self, text: str) -> None:
        """A message for a person: on stderr when stdout is for JSON."""
        self.ctx.print(text, err=self.quiet)

    def created(self) -> None:
        """The run was just created and its inputs are still to be asked: kept, so that ``workflow resume`` asks
        them if the user leaves first."""
        self.inputs_sent = False
        self.kept.created()

    async def start(self, values: dict[str, Any], files: dict[str, Any]) -> None:
        """Send the run's inputs: the server runs it."""
        self.run.values = await self.server.start_run(self.run, values, files)
        if not self.inputs_sent:
            self.inputs_sent = True
            self.kept.started()
        await self.started()

    async def ask_and_start(self) -> None:
        """A run created but never started (left at its first question): ask its inputs again, then start it."""
        self.inputs_sent = False
        self.say(f"Run {self.pk} has not started: its inputs first.")
        try:
            values, files = await ask_inputs(self.ctx, self.run.inputs, {}, assume_yes=self.assume_yes,
                                             what=f"run {self.pk}")
        except NotInteractiveError:
            raise NotInteractiveError(f"run {self.pk} has not started and there is no terminal to ask its inputs: "
                                      f"`workflow resume {self.pk}` at a terminal asks them (with --yes, inputs "
                                      "that have a default take it)") from None
        await self.start(values, files)

    async def started(self) -> None:
        """The run started (its inputs were sent) or was picked up again."""
        self.emit("", "run_started", workflow=self.run.name, inputs=self.run.values)
        await self.notify("mojodex_run_started", run=self.run)

    async def notify(self, hook: str, **kwargs: Any) -> None:
        await self.ctx.call_hook(hook, **kwargs)

    # -- the loop ----------------------------------------------------------------------------------------

    async def drive(self, waiting: StepEvent | None = None) -> int:
        """Follow the run until it ends, fails, or the user leaves it. Returns the exit status."""
        if waiting is not None:
            self.seen.add(("step_started", str(waiting.step_execution_pk)))
            self.queue.put_nowait(ServerEvent("resume", "step_ended", waiting.session_id, waiting.data, step=waiting))
        after_validation = waiting is None and bool(self.validated)
        try:
            while True:
                event = await self._next(after_validation)
                if event is None:
                    return await self._finished(None)
                after_validation = await self._handle(event) or (after_validation and event.kind not in (
                    "step_started", "step_ended"))
        except RunOver as over:
            return over.status

    async def _next(self, after_validation: bool) -> ServerEvent | None:
        """The next event; None when the run is over by silence (servers that send no end event)."""
        # asyncio.timeout rather than wait_for: on Python 3.11 wait_for drops a cancellation (Ctrl-C) that comes
        # as the queue delivers, which a fast stream of events makes likely.
        # A server that sends no end event is over when it goes quiet, but only once no step is due: while the
        # steps and their fan-out say another step must run, a quiet server is slow, not done (the step timeout
        # tells a step that never comes).
        done = self._all_steps_done()
        if after_validation and not (await self.server.capabilities()).end_event and (done or not self.run.step_names):
            wait = min(self.grace, END_EVENT_WAIT) if done else self.grace
            while True:
                try:
                    async with self.ctx.status("Waiting for the next step"):
                        async with asyncio.timeout(wait):
                            return await self.queue.get()
                except TimeoutError:
                    if not self.away:
                        return None  # a server that sends no end event is over when it goes quiet
        what = f"step {self.running.step_name}" if self.running is not None else "the next step"
        told = False
        while True:
            try:
                async with self.ctx.status(f"Running {self.run.name or 'the workflow'}"):
                    async with asyncio.timeout(self.step_timeout):
                        return await self.queue.get()
            except TimeoutError:
                if self.away or told:
                    continue
                told = True
                line = (f"The server has sent nothing about {what} for {self.step_timeout:g} s: it may have "
                        f"failed it.")
                if not self.ctx.interactive:
                    self.kept.forget_waiting()
                    self.ctx.error(f"{line} `mojodex workflow resume {self.pk}` picks the run up later.")
                    await self._end("left")
                    raise RunOver(1) from None
                self.say(f"{line} Keep waiting, or press Ctrl-C to leave the run "
                         f"(`workflow resume {self.pk}` picks it up later).")

    async def _handle(self, event: ServerEvent) -> bool:
        """Act on one event; True when a step was just validated (the run may be over when nothing follows)."""
        kind, step = event.kind, event.step
        if step is not None and not self._first(kind, step):
            return False
        if kind == "step_started" and step is not None:
            self.running = step
            self._end_stream()
            self.emit(f"Step {step.step_name} started", "step_started", step_name=step.step_name,
                      step_execution_pk=step.step_execution_pk)
            await self.notify("mojodex_step_started", step=step)
        elif kind == "step_ended" and step is not None:
            if ("step_started", str(step.step_execution_pk)) not in self.seen:
                # An end implies the start: a start missed (while away, or before a resume) is shown first.
                self.seen.add(("step_started", str(step.step_execution_pk)))
                self.emit(f"Step {step.step_name} started", "step_started", step_name=step.step_name,
                          step_execution_pk=step.step_execution_pk)
                await self.notify("mojodex_step_started", step=step.started())
            self.running = None
            self._end_stream()
            return await self._ended(step)
        elif kind == "step_invalidated" and step is not None:
            if str(step.step_execution_pk) not in self.rejected:
                self.emit(f"Step {step.step_name} was invalidated; it will run again")
                self._step_event("step_invalidated", step, reason="")
                await self.notify("mojodex_step_invalidated", step=step, reason="")
            self.kept.forget_waiting()
        elif kind == "title":
            if event.text and event.text != self.run.title:
                self.run.title = event.text
                self._end_stream()
                self.emit(f"Title: {event.text}", "title", title=event.text)
        elif kind == "token":
            self._stream(event.text)
        elif kind == "message":
            await self._assistant_message(event)
        elif kind == "produced_text":
            raise RunOver(await self._finished(event.produced))
        elif kind == "error":
            self._end_stream()
            self.ctx.error(f"the run failed: {event.text}")
            self.kept.finished()
            await self._end("failed")
            raise RunOver(1)
        return False

    def _first(self, kind: str, step: StepEvent) -> bool:
        key = (kind, str(step.step_execution_pk))
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    # -- the assistant's words (a rejection's answer) ---------------------------------------------------------

    def _stream(self, text: str) -> None:
        if self.quiet or not text:
            return
        if self.stream is None:
            self.stream = TextStream(Screen(self.ctx), "Assistant: ")
        self.stream.update(text)

    def _end_stream(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            if not self.detached:
                stream.finish()  # the tail held back in case it was half a control sequence
            stream.end_line()

    async def _assistant_message(self, event: ServerEvent) -> None:
        text = event.text.strip()
        stream, self.stream = self.stream, None
        shown = stream is not None and stream.finish(event.text)
        if stream is not None:
            stream.end_line()
        if text and not shown:
            self.emit(f"Assistant: {text}", "message", role="assistant", text=text)
        waiting_rerun = [pk for pk in self.rejected if ("step_invalidated", pk) not in self.seen]
        if not waiting_rerun or self.assume_yes or not self.ctx.interactive:
            # 2024: "Ok" after the invalidation, the rerun follows. Without anybody to answer: nothing to do.
            if waiting_rerun and not self.ctx.interactive:
                self.ctx.error(f"the assistant asks a question about the rejected step; answer it in "
                               f"`mojodex workflow resume {self.pk}`")
                raise RunOver(1)
            return
        # The assistant asks something instead of running the step again: the user answers it.
        while True:
            answer = (await self.ctx.ask("you> ")).strip()
            if answer.startswith("//"):  # as at the task conversation's `you>`: `//` sends a leading slash
                answer = answer[1:]
            elif answer.startswith("/"):
                word = answer.split()[0]
                self.ctx.print(f"unknown command {word}: this question takes an answer, no commands; /{word} sends "
                               "a message starting with /")
                continue
            if answer:
                break
        await self.server.send_message(self.run, answer)

    # -- a step that ended -------------------------------------------------------------------------------

    async def _ended(self, step: StepEvent) -> bool:
        self.emit(f"Step {step.step_name} ended")
        await self.notify("mojodex_step_ended", step=step)
        if step.error:
            self._step_event("step_ended", step, result=None, error=step.error)
            await self._failed_step(step)
            return False
        result = await self._result_of(step)
        step = step.with_result(result)
        self._step_event("step_ended", step, result=result)
        self.kept.waiting(step, result)
        if not step.needs_validation:
            self._show(result)
            self._accepted(step)  # the server goes on by itself
            return False
        return await self._ask(step, result)

    def _show(self, result: Any) -> None:
        if not self.quiet:
            for line in result_lines(result):
                self.ctx.print(line)

    async def _extra_answers(self, step: StepEvent) -> dict[str, str]:
        can = await self.server.capabilities()
        extra = {}
        if can.edit_result:
            extra["e"] = "edit the result"
        if can.restart and self._first_step(step):
            extra["r"] = "restart with new inputs"
        return extra

    async def _ask(self, step: StepEvent, result: Any) -> bool:
        show = True
        while True:
            if show:
                self._show(result)
            show = True
            answer = await ask_validation(self.ctx, step.step_name, assume_yes=self.assume_yes,
                                          json_mode=self.quiet, resume=f"workflow resume {self.pk}",
                                          extra=await self._extra_answers(step))
            if answer == "y":
                await self._validate(step, result)
                return True
            if answer == "n":
                if await self._reject(step):
                    return False
                show = False  # no instruction given: the question again, under the result already shown
                continue
            if answer == "e":
                edited = await self._edit(step, result)
                if edited is not None:
                    result = edited
                    step = step.with_result(result)
                    self.kept.waiting(step, result)
                continue
            if answer == "r":
                await self.restart()
                return False

    async def _result_of(self, step: StepEvent) -> Any:
        """The step's result: read from the run where the dialect says so (the specification), else the event's."""
        if (await self.server.capabilities()).result_in_run:
            try:
                run = await self.server.read_run(self.pk)
            except AuthError:
                raise  # not a bad answer: the login is gone (and was not renewed)
            except MojodexError as exc:
                if step.result is None:
                    raise
                self.ctx.log_exception(exc, "reading the run")
                return step.result
            for known in run.steps:
                if str(known.step_execution_pk) == str(step.step_execution_pk) and known.result is not None:
                    return known.result
        return step.result if step.result is not None else []

    async def _validate(self, step: StepEvent, result: Any) -> None:
        if step.step_execution_pk is None:
            raise MojodexError(f"step {step.step_name} has no step execution pk: it cannot be validated")
        await self.server.validate(self.run, step)
        accepted = step.with_result(result if isinstance(result, list) else step.result)
        self._accepted(accepted)
        self.kept.validated(accepted, result)
        await self.notify("mojodex_step_validated", step=accepted)

    def _accepted(self, step: StepEvent) -> None:
        self.validated[str(step.step_execution_pk)] = step
        self._step_event("step_validated", step, result=step.result)

    def _first_step(self, step: StepEvent) -> bool:
        names = self.run.step_names
        if names:
            return step.step_name == names[0] and not self.validated
        return not self.validated

    # -- other answers -------------------------------------------------------------------------------------

    async def _reject(self, step: StepEvent) -> bool:
        """``n``: on servers that rerun a step rejected with an instruction, ask for it (an empty answer: False,
        the step is asked about again); else the specification's "work in progress" line, nothing sent, the run
        left waiting."""
        if (await self.server.capabilities()).reject_with_instruction:
            instruction = (await self.ctx.ask("What should change? ", toolbar="Enter alone: back to "
                                              f"{QUESTION}")).strip()
            if not instruction:
                return False
        else:
            self.emit(REJECTED)
            self.emit(f"`workflow resume {self.pk}` picks the run up again.")
            await self._end("left")
            raise RunOver(0)
        self.rejected.add(str(step.step_execution_pk))
        await self.server.reject(self.run, step, instruction)
        self.kept.forget_waiting()
        self.emit(f"Asked for step {step.step_name} to be done again.")
        self._step_event("step_invalidated", step, reason=instruction)
        await self.notify("mojodex_step_invalidated", step=step, reason=instruction)
        return True

    async def _edit(self, step: StepEvent, result: Any) -> list[Any] | None:
        from mojodex_workflow.editing import edit, editable

        if not isinstance(result, list) or not editable(result):
            self.say("This result cannot be edited here: it is not a list of entries with the same keys.")
            return None
        try:
            edited = await edit(self.ctx, result)
        except MojodexError as exc:
            self.ctx.error(str(exc))
            return None
        if edited is None:
            self.say("The result was not changed.")
            return None
        new = await self.server.edit_result(self.run, step, edited)
        self.say("The edited result was sent:")
        return new

    async def _failed_step(self, step: StepEvent) -> None:
        self.emit(f"Step {step.step_name} failed on the server: {step.error}")
        if not (await self.server.capabilities()).relaunch:
            raise RunOver(await self._failed(f"step {step.step_name} failed on the server: {step.error}"))
        key = str(step.step_name), str(step.parameter)
        if self.assume_yes:
            if key in self.relaunched:
                raise RunOver(await self._failed(f"step {step.step_name} failed again: {step.error}"))
            self.relaunched.add(key)
            relaunch = True
            self.emit("Relaunch it? (Y/n) y (--yes)")
        else:
            try:
                relaunch = await self.ctx.confirm("Relaunch it? (Y/n)")
            except NotInteractiveError:
                raise NotInteractiveError(f"step {step.step_name} failed and there is no terminal to ask: pass "
                                          f"--yes to relaunch it (`mojodex workflow resume {self.pk} --yes`)") from None
        if not relaunch:
            self.emit(f"`workflow resume {self.pk}` asks again.")
            await self._end("left")
            raise RunOver(1)
        await self.server.relaunch(self.run, step)

    async def _failed(self, message: str) -> int:
        self.ctx.error(message)  # one line on stderr, for scripts as for people
        await self._end("failed")
        return 1

    async def restart(self, given: dict[str, str] | None = None) -> None:
        """Restart the run with new inputs (its first step waits for validation); ``given`` ones are not asked."""
        specs = [replace(spec, default=self.run.values.get(spec.name, spec.default)) for spec in self.run.inputs]
        values, files = await ask_inputs(self.ctx, specs, given or {})
        self.run.values = await self.server.restart(self.run, values, files)
        self.kept.restarted()
        self.validated.clear()
        self.run.title = ""  # the server titles the restarted run anew (from its new inputs): show that title
        self.emit("Restarting the run with these inputs.")

    # -- the end -------------------------------------------------------------------------------------------

    def _all_steps_done(self) -> bool:
        """True when every step ran as often as the previous step's results say it must (fan-out)."""
        names = self.run.step_names
        if not names:
            return False
        expected = 1
        for name in names:
            if expected == 0:
                return True  # the previous step returned no entry: no later step runs
            done = [s for s in self.validated.values() if s.step_name == name]
            if len(done) != expected:
                return False
            expected = sum(len(s.result) if isinstance(s.result, list) else 1 for s in done)
        return True

    def composed(self) -> ProducedText | None:
        """The run's product as Mojodex 0.4 makes it, for servers that send none (the 2024 backend, a
        specification server): the last step's validated results joined by blank lines."""
        done = list(self.validated.values())
        if not done:
            return None
        last = done[-1].step_name
        texts = [
            "\n".join(str(v) for v in entry.values()) if isinstance(entry, dict) else str(entry)
            for step in done if step.step_name == last
            for entry in (step.result if isinstance(step.result, list) else [])
        ]
        return ProducedText("", "\n\n".join(texts))

    def _titled(self, produced: ProducedText) -> ProducedText:
        title = sanitize(produced.title or self.run.title or self.run.name).strip()
        return ProducedText(title, produced.text, produced.pk, produced.version_pk, produced.version)

    async def _finished(self, produced: ProducedText | None) -> int:
        self._end_stream()
        if produced is None:
            produced = self.composed()
        if produced is not None:
            produced = self._titled(produced)
            self.run.produced = produced
            if not self.quiet:
                if produced.title:
                    self.ctx.print(produced.title)
                if produced.text.strip():
                    self.ctx.print(produced.text.strip())
            self.emit("", "produced_text", title=produced.title, text=produced.text)
        self.kept.finished()
        self.emit("Run finished.")
        await self._end("finished")
        return 0

    async def _end(self, status: str) -> None:
        self.status = status
        if self.json_mode and status != "failed":
            self.print_document()
        self.emit("", "run_ended", status=status)
        await self.notify("mojodex_run_ended", run=self.run, status=status)

    def print_document(self) -> None:
        self.ctx.print(json.dumps(self.document(), ensure_ascii=False, indent=2, default=str))

    def already_finished(self) -> None:
        """A run picked up (``workflow resume``) that had finished: its product, as at its end."""
        self.status = "finished"
        produced = self.run.produced or self.composed()
        self.run.produced = None if produced is None else self._titled(produced)

    def document(self) -> dict[str, Any]:
        """The run as one JSON document (``--json``); a local run's has the same keys, and a few more."""
        produced = self.run.produced
        return {
            "run_pk": self.pk, "workflow": self.run.name, "title": self.run.title, "status": self.status,
            "inputs": self.run.values,
            "steps": [{"step_execution_pk": s.step_execution_pk, "step_name": s.step_name, "result": s.result,
                       "validated": True} for s in self.validated.values()],
            "produced_text": None if produced is None else {"title": produced.title, "text": produced.text},
        }


async def follow_run(ctx: Context, owner: ServerRun, body: Any) -> int:
    """Follow the run's session around ``body`` (which drives it); unfollow once it is over.

    Ctrl-C leaves the run waiting on the server and says how to pick it up (that one line: the command ends
    with an empty ``CommandCancelled`` or ``CancelledError``); the session stays followed, detached, so that a
    step ending meanwhile is not lost.
    """
    sid = owner.run.session_id
    try:
        await ctx.server.follow(sid, owner)
    except BaseException:
        if asyncio.iscoroutine(body):
            body.close()  # never started: closed, so Python has no "never awaited" warning to print
        raise
    try:
        return int(await body)
    except (asyncio.CancelledError, CommandCancelled) as exc:
        owner.detach()
        if owner.inputs_sent:
            ctx.print(f"Left run {owner.pk} waiting on the server; `workflow resume {owner.pk}` carries on.",
                      err=True)
        else:
            ctx.print(f"Run {owner.pk} has not started; `workflow resume {owner.pk}` asks its inputs.", err=True)
        if isinstance(exc, CommandCancelled):
            raise CommandCancelled("") from None  # at a question
        raise asyncio.CancelledError("") from None  # while the run went on: the command's task stays cancelled
    finally:
        if not owner.detached:
            await ctx.server.unfollow(sid)



def _order(pk: Any) -> tuple[int, Any]:
    return (0, pk) if isinstance(pk, int) else (1, str(pk))
