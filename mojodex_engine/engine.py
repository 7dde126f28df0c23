"""The engine: runs a workflow's steps in order, asks for each result's validation, persists every message.

Each conversation and each prompt-step execution is a *step*. For every step the engine calls, on its
observer (see ``Observer``)::

    await on_step_started(step)                 # StepInfo
    await on_message_chunk(role, text)          # while an answer streams: what may be shown of it (see below)
    await on_message_done(role, text)           # a whole message; conversations: "Role: ..." form
    await on_step_ended(step, result)           # StepInfo with cut/usage; result = [{"<output>": text}, ...]
    accepted, reason = await validate(step, result)

A rejected step runs again (attempt + 1) with the reason (and the rejected output) in its context. A
conversation's result is ``[{"<output artifact>": text}]``; a prompt step's is ``[{"<output>": text}]``, or
one entry per line for a fan-out step, whose next step then runs once per entry.

What is streamed is what is kept: a conversation message's chunks come without the speaker's ``Role:`` prefix,
and stop where the model starts writing the other role's lines or writes ``END CONVERSATION``
(``streaming.MessageCut``); the message kept, shown whole by ``on_message_done`` and sent in the next calls is
``"Role: "`` and exactly those chunks. The conversation ends when that text ended it (``END CONVERSATION``
before any other role's line), never on a marker the user did not see.

Each role of a conversation may have its own ``model``, ``temperature`` and ``max_tokens``; prompt steps and
roles without them use the engine's. A run with a token ``budget`` (its state's) stops before a model call
once its tokens reach it: the observer's ``on_budget_reached(used, budget)`` (optional) returns True to go on
with another budget's worth, else the run pauses (``RunPaused``). Resuming a run paused at its budget goes on
with another budget's worth.

A stop is a pause or a failure: cancellation (Ctrl-C), ``RunPaused``, a question nobody can answer
(``NotInteractiveError``) or one the user left (``CommandCancelled``) leave the run ``waiting``; any other error
leaves it ``failed`` with the error's line. Either way it resumes.

State is saved after every message (``storage.RunStore``: written by a writer thread, in order, so the
event loop never waits on the disk; the run waits for the writes before each validation and when it stops,
done, failed or cancelled). Cancelling the task (Ctrl-C), a crash or a dead endpoint leaves the run
resumable: ``Engine(RunStore.open(home, run_id), ...).run()`` carries on where it stopped, keeping complete
messages and asking again for a message that was only partly streamed. A resumed step is started again with
``StepInfo.resumed`` set and its kept messages in ``transcript``; a result that was waiting for validation
is shown again, not recomputed.
"""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from mojodex_core import CommandCancelled, NotInteractiveError, one_line
from mojodex_engine import prompts
from mojodex_engine.definitions import Conversation, PlanItem, PromptStep, WorkflowDefinition
from mojodex_engine.errors import RunPaused
from mojodex_engine.prompts import Rejection
from mojodex_engine.providers import ModelProvider, Usage
from mojodex_engine.storage import RunStore
from mojodex_engine.streaming import MessageCut, message_text

Result = list[dict[str, str]]


@dataclass(frozen=True)
class Edited:
    """A ``validate`` answer: the user edited the result into ``text``. It replaces the pending result (on
    disk at once, so a resume shows it), later steps read it, and ``validate`` is called again with it."""

    text: str


@dataclass(frozen=True)
class StepInfo:
    """One step execution. ``execution_id`` is unique per run, step, fan-out entry and attempt."""

    run_id: str
    workflow: str
    name: str
    kind: str  # "conversation" | "prompt"
    phase: str
    phase_index: int
    index: int  # place in the whole run order, from 0
    total: int  # steps in the run order (a fanned step counts once)
    attempt: int
    execution_id: str
    output: str
    lead: str | None = None
    assistant: str | None = None
    fan_index: int | None = None  # which entry of the fan-out this execution is for, from 0
    fan_count: int | None = None
    resumed: bool = False
    transcript: tuple[tuple[str, str], ...] = ()  # messages kept from before a resume
    cut: bool = False  # ended: the turn limit was reached without END CONVERSATION
    usage: Usage = field(default_factory=Usage)  # ended: tokens of this execution

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able record (for ``StepEvent.data``)."""
        return {
            "run_id": self.run_id,
            "workflow": self.workflow,
            "step_name": self.name,
            "kind": self.kind,
            "phase": self.phase,
            "phase_index": self.phase_index,
            "index": self.index,
            "total": self.total,
            "attempt": self.attempt,
            "execution_id": self.execution_id,
            "output": self.output,
            "lead": self.lead,
            "assistant": self.assistant,
            "fan_index": self.fan_index,
            "fan_count": self.fan_count,
            "resumed": self.resumed,
            "cut": self.cut,
            "usage": self.usage.to_dict(),
        }


class StepObserver(Protocol):
    async def on_step_started(self, step: StepInfo) -> None: ...
    async def on_message_chunk(self, role: str, text: str) -> None: ...
    async def on_message_done(self, role: str, text: str) -> None: ...
    async def on_step_ended(self, step: StepInfo, result: Result) -> None: ...
    async def validate(self, step: StepInfo, result: Result) -> tuple[bool, str | None] | Edited: ...


class Observer:
    """An observer that does nothing and accepts every result: subclass it and override what you need."""

    async def on_step_started(self, step: StepInfo) -> None:
        return None

    async def on_message_chunk(self, role: str, text: str) -> None:
        return None

    async def on_message_done(self, role: str, text: str) -> None:
        return None

    async def on_step_ended(self, step: StepInfo, result: Result) -> None:
        return None

    async def validate(self, step: StepInfo, result: Result) -> tuple[bool, str | None]:
        return True, None

    async def on_budget_reached(self, used: int, budget: int) -> bool:
        """The run's tokens reached its budget, before a model call: True goes on, False pauses the run."""
        return False


@dataclass(frozen=True)
class RunResult:
    run_id: str
    status: str
    outputs: dict[str, str]
    usage: Usage
    steps: list[dict[str, Any]]
    cut_steps: list[str]


class Engine:
    """Runs (or resumes) the run in ``store`` with ``provider``, reporting to ``observer``."""

    def __init__(
        self,
        store: RunStore,
        provider: ModelProvider,
        observer: StepObserver | None = None,
        *,
        model: str,
        temperature: float = 0.7,
        max_tokens: int | None = None,
    ) -> None:
        self.store = store
        self.state = store.state
        self.provider = provider
        self.observer: StepObserver = observer or Observer()
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.definition: WorkflowDefinition = store.definition()
        self.plan = self.definition.plan()

    async def run(self) -> RunResult:
        """Run every remaining step. Re-raises cancellation and errors after saving the run's status."""
        self.store.claim()  # before anything changes: another shell may be running it
        st = self.state
        st.status, st.error, st.model = "running", None, self.model
        if st.pause == "budget" and st.budget:  # resumed: the user goes on with another budget's worth
            st.budget = Usage.from_any(st.usage).total_tokens + (st.allowance or st.budget)
        st.pause = ""
        self._set_position()
        self.store.save()
        try:
            while st.ordinal < len(self.plan):
                item = self.plan[st.ordinal]
                if item.fan_source is not None:
                    await self._run_fanned(item, item.fan_source)
                else:
                    text = await self._run_until_accepted(item, {}, None, None)
                    self._accept(item, text)
            st.status = "done"
            self.store.save()
            await self.store.flush()
        except BaseException as exc:
            paused = not isinstance(exc, Exception) or isinstance(
                exc, RunPaused | NotInteractiveError | CommandCancelled
            )
            st.status = "waiting" if paused else "failed"
            st.error = None if paused else one_line(exc)
            with contextlib.suppress(Exception):
                self.store.save()
            with contextlib.suppress(Exception):
                self.store.close()  # blocks until every write is on disk, cancelled or not
            raise
        self.store.close()
        return self.result()

    def result(self) -> RunResult:
        st = self.state
        return RunResult(
            run_id=st.run_id,
            status=st.status,
            outputs=dict(st.values),
            usage=Usage.from_any(st.usage),
            steps=list(st.steps),
            cut_steps=[s["name"] for s in st.steps if s.get("cut")],
        )

    # ------------------------------------------------------------------------------------------- steps

    async def _run_fanned(self, item: PlanItem, source: PromptStep) -> None:
        st = self.state
        entries = st.entries.get(source.output, [])
        while st.fan < len(entries):
            text = await self._run_until_accepted(item, {source.output: entries[st.fan]}, st.fan, len(entries))
            st.fan_results.append(text)
            st.steps[-1]["fan_index"] = st.fan
            st.fan += 1
            if st.fan < len(entries):
                self.store.write_artifact(item.step.output, "\n\n".join(st.fan_results))
                self.store.save()
        self._accept(item, "\n\n".join(st.fan_results))

    async def _run_until_accepted(
        self, item: PlanItem, extra: dict[str, str], fan_index: int | None, fan_count: int | None
    ) -> str:
        """Execute the step until the observer accepts its result; return the accepted output text."""
        st = self.state
        while True:
            info = self._info(item, fan_index, fan_count)
            if st.pending is None:
                await self.observer.on_step_started(info)
                if isinstance(item.step, Conversation):
                    text, cut, usage = await self._converse(item.step)
                    result: Result = [{item.step.output: text}]
                else:
                    text, usage = await self._prompt(item.step, extra)
                    cut = False
                    result = self._prompt_result(item.step, text)
                st.pending = {"output": text, "result": result, "cut": cut, "usage": usage.to_dict()}
                st.status = "waiting"
                self.store.save()
                if isinstance(item.step, PromptStep):
                    await self.observer.on_message_done(item.step.name, text)
            else:
                await self.observer.on_step_started(info)
            await self.store.flush()  # the result is on disk before anyone is asked about it
            pending = st.pending
            ended = replace(info, cut=bool(pending["cut"]), usage=Usage.from_any(pending["usage"]))
            result = pending["result"]
            await self.observer.on_step_ended(ended, result)
            verdict = await self.observer.validate(ended, result)
            while isinstance(verdict, Edited):  # the user's text replaces the result; asked about again
                result = self._edit_pending(item, verdict.text)
                await self.store.flush()
                verdict = await self.observer.validate(ended, result)
            accepted, reason = verdict
            text = str(pending["output"])
            if accepted:
                st.steps.append(
                    {
                        "index": item.ordinal,
                        "execution_id": info.execution_id,
                        "name": item.step.name,
                        "phase": item.phase.name,
                        "attempts": st.attempt,
                        "cut": ended.cut,
                        "usage": ended.usage.to_dict(),
                        "result": result,
                        **({"edited": True} if pending.get("edited") else {}),
                    }
                )
                st.pending, st.messages, st.rejections, st.step_usage = None, [], [], {}
                st.attempt, st.status = 1, "running"
                return text
            st.rejections.append({"output": text, "reason": reason})
            st.pending, st.messages, st.step_usage = None, [], {}
            st.attempt += 1
            st.status = "running"
            self.store.save()

    def _accept(self, item: PlanItem, text: str) -> None:
        st = self.state
        step = item.step
        if isinstance(step, PromptStep) and step.fan_out:
            entries = prompts.split_entries(text)
            st.entries[step.output] = entries
            st.values[step.output] = "\n".join(entries)
            self.store.write_artifact(step.output, "\n".join(f"- {e}" for e in entries))
        else:
            st.values[step.output] = text
            self.store.write_artifact(step.output, text)
        self._write_files(step.output, st.values[step.output])
        st.ordinal += 1
        st.fan, st.fan_results = 0, []
        self._set_position()
        self.store.save()

    def _edit_pending(self, item: PlanItem, text: str) -> Result:
        """Make ``text`` the pending result of ``item`` (as the model's would have been) and save it."""
        st = self.state
        step = item.step
        text = text.strip()
        result = self._prompt_result(step, text) if isinstance(step, PromptStep) else [{step.output: text}]
        assert st.pending is not None
        st.pending.update(output=text, result=result, edited=True)
        st.log.append({"ordinal": st.ordinal, "step": step.name, "fan": st.fan if item.fan_source else None,
                       "attempt": st.attempt, "role": "user", "text": f"(The user edited the result.)\n\n{text}"})
        self.store.save()
        return result

    def _write_files(self, output: str, text: str) -> None:
        """A code artifact's blocks as files in the workspace, written in order with the state (before it)."""
        artifact = self.definition.artifact(output)
        if artifact is not None and artifact.files:
            from mojodex_engine.workspace import Workspace, code_files

            self.store.defer(Workspace(self.store.path).write, code_files(text))

    def _set_position(self) -> None:
        st = self.state
        st.total_steps = len(self.plan)
        if st.ordinal < len(self.plan):
            item = self.plan[st.ordinal]
            st.phase, st.step, st.current_step = item.phase_index, item.index_in_phase, item.step.name
        else:
            st.current_step = ""

    def _info(self, item: PlanItem, fan_index: int | None, fan_count: int | None) -> StepInfo:
        st = self.state
        step = item.step
        fan = "" if fan_index is None else f".{fan_index + 1}"
        conv = step if isinstance(step, Conversation) else None
        return StepInfo(
            run_id=st.run_id,
            workflow=st.workflow,
            name=step.name,
            kind=step.kind,
            phase=item.phase.name,
            phase_index=item.phase_index,
            index=item.ordinal,
            total=len(self.plan),
            attempt=st.attempt,
            execution_id=f"{st.run_id}/{item.ordinal + 1}{fan}/{st.attempt}",
            output=step.output,
            lead=conv.lead if conv else None,
            assistant=conv.assistant if conv else None,
            fan_index=fan_index,
            fan_count=fan_count,
            resumed=bool(st.messages) or st.pending is not None,
            transcript=tuple((m["role"], m["text"]) for m in st.messages),
        )

    # ---------------------------------------------------------------------------------------- messages

    def _settings(self, role: str | None) -> dict[str, Any]:
        """The model, temperature (and max_tokens, when set) of a call for ``role`` (None: a prompt step)."""
        own = next((r for r in self.definition.roles if r.name == role), None) if role else None
        settings: dict[str, Any] = {
            "model": (own.model if own else None) or self.model,
            "temperature": self.temperature if own is None or own.temperature is None else own.temperature,
        }
        max_tokens = (own.max_tokens if own else None) or self.max_tokens
        if max_tokens:  # only when set: a provider of the documented minimal shape takes model and temperature
            settings["max_tokens"] = max_tokens
        return settings

    async def _within_budget(self) -> None:
        """Before a model call: at the run's token budget, ask the observer to go on, else pause the run."""
        st = self.state
        used = Usage.from_any(st.usage).total_tokens
        if not st.budget or used < st.budget:
            return
        ask = getattr(self.observer, "on_budget_reached", None)
        if ask is not None and await ask(used, st.budget):
            st.budget = used + (st.allowance or st.budget)
            self.store.save()
            return
        st.pause = "budget"
        raise RunPaused(f"run {st.run_id} reached its token budget: {used} tokens used of {st.budget}")

    async def _ask(
        self, messages: list[dict[str, str]], role: str, *, cut: MessageCut | None = None, speaker: str | None = None
    ) -> tuple[str, Usage]:
        """One model call, streamed to the observer; with ``cut``, only what the cut lets through is shown."""
        await self._within_budget()
        chunks: list[str] = []
        stream: Any = self.provider.stream(messages, **self._settings(speaker))
        if inspect.isawaitable(stream):  # a provider whose stream() is a coroutine returning an iterator
            stream = await stream
        try:
            async for chunk in stream:
                chunks.append(chunk)
                shown = chunk if cut is None else cut.feed(chunk)
                if shown:
                    await self.observer.on_message_chunk(role, shown)
            if cut is not None:
                rest = cut.finish()  # the answer is read whole (its token counts come last), shown up to the cut
                if rest:
                    await self.observer.on_message_chunk(role, rest)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        return "".join(chunks), Usage.from_any(getattr(self.provider, "usage", None))

    def _record(self, role: str, text: str, usage: Usage, *, keep: bool, end: bool = False) -> None:
        st = self.state
        if keep:
            st.messages.append({"role": role, "text": text, **({"end": True} if end else {})})
        st.log.append(
            {
                "ordinal": st.ordinal,
                "step": self.plan[st.ordinal].step.name,
                "fan": st.fan if self.plan[st.ordinal].fan_source else None,
                "attempt": st.attempt,
                "role": role,
                "text": text,
            }
        )
        st.step_usage = (Usage.from_any(st.step_usage) + usage).to_dict()
        st.usage = (Usage.from_any(st.usage) + usage).to_dict()

    async def _converse(self, conv: Conversation) -> tuple[str, bool, Usage]:
        st = self.state
        d = self.definition
        values = {**{a: st.inputs[i] for a, i in d.input_artifacts().items()}, **st.values}
        rejections = [Rejection(str(r.get("output") or ""), r.get("reason")) for r in st.rejections]
        # The same system text and opening for every call: each call is the previous one with two turns more.
        system = prompts.run_system(d, st.inputs)
        opening = prompts.conversation_opening(d, conv, values, rejections)
        transcript = [(m["role"], m["text"]) for m in st.messages]
        # A message ends the conversation when the user saw it end it (runs kept before: its text had the marker).
        ended = bool(st.messages) and bool(st.messages[-1].get("end") or prompts.has_end(st.messages[-1]["text"]))
        while not ended and len(transcript) < conv.turns:
            speaker, other = (conv.lead, conv.assistant) if len(transcript) % 2 == 0 else (conv.assistant, conv.lead)
            messages = prompts.conversation_messages(system, opening, conv, transcript)
            stream_cut = MessageCut(speaker, other)
            _, usage = await self._ask(messages, speaker, cut=stream_cut, speaker=speaker)
            text, ended = message_text(speaker, stream_cut.body), stream_cut.ended
            transcript.append((speaker, text))
            self._record(speaker, text, usage, keep=True, end=ended)
            self.store.save()
            await self.observer.on_message_done(speaker, text)
        cut = not ended
        output = ""
        for role, text in reversed(transcript):  # "CPO: END CONVERSATION" alone: take the last real content
            output = prompts.strip_message(role, text)
            if output:
                break
        return output, cut, Usage.from_any(st.step_usage)

    async def _prompt(self, step: PromptStep, extra: dict[str, str]) -> tuple[str, Usage]:
        st = self.state
        d = self.definition
        values = {
            **st.inputs,
            **{a: st.inputs[i] for a, i in d.input_artifacts().items()},
            **st.values,
            **extra,
        }
        rejections = [Rejection(str(r.get("output") or ""), r.get("reason")) for r in st.rejections]
        messages = prompts.step_messages(d, step, prompts.render(step.prompt, values), rejections)
        raw, usage = await self._ask(messages, step.name)
        text = raw.strip()
        self._record(step.name, text, usage, keep=False)  # saved with the pending result, in one write
        return text, usage

    @staticmethod
    def _prompt_result(step: PromptStep, text: str) -> Result:
        if step.fan_out:
            return [{step.output: entry} for entry in prompts.split_entries(text)]
        return [{step.output: text}]
