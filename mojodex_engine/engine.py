"""The engine: runs a workflow's steps in order, asks for each result's validation, persists every message.

Each conversation and each prompt-step execution is a *step*. For every step the engine calls, on its
observer (see ``Observer``)::

    await on_step_started(step)                 # StepInfo
    await on_message_chunk(role, text)          # while an answer streams (raw chunks)
    await on_message_done(role, text)           # a whole message; conversations: "Role: ..." form
    await on_step_ended(step, result)           # StepInfo with cut/usage; result = [{"<output>": text}, ...]
    accepted, reason = await validate(step, result)

A rejected step runs again (attempt + 1) with the reason (and the rejected output) in its context. A
conversation's result is ``[{"<output artifact>": text}]``; a prompt step's is ``[{"<output>": text}]``, or
one entry per line for a fan-out step, whose next step then runs once per entry.

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

from mojodex_core import one_line
from mojodex_engine import prompts
from mojodex_engine.definitions import Conversation, PlanItem, PromptStep, WorkflowDefinition
from mojodex_engine.prompts import Rejection
from mojodex_engine.providers import ModelProvider, Usage
from mojodex_engine.storage import RunStore

Result = list[dict[str, str]]


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
    async def validate(self, step: StepInfo, result: Result) -> tuple[bool, str | None]: ...


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
    ) -> None:
        self.store = store
        self.state = store.state
        self.provider = provider
        self.observer: StepObserver = observer or Observer()
        self.model = model
        self.temperature = temperature
        self.definition: WorkflowDefinition = store.definition()
        self.plan = self.definition.plan()

    async def run(self) -> RunResult:
        """Run every remaining step. Re-raises cancellation and errors after saving the run's status."""
        self.store.claim()  # before anything changes: another shell may be running it
        st = self.state
        st.status, st.error, st.model = "running", None, self.model
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
            st.status = "failed" if isinstance(exc, Exception) else "interrupted"
            st.error = one_line(exc) if isinstance(exc, Exception) else None
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
            accepted, reason = await self.observer.validate(ended, result)
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
        st.ordinal += 1
        st.fan, st.fan_results = 0, []
        self._set_position()
        self.store.save()

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

    async def _ask(self, messages: list[dict[str, str]], role: str) -> tuple[str, Usage]:
        chunks: list[str] = []
        stream: Any = self.provider.stream(messages, model=self.model, temperature=self.temperature)
        if inspect.isawaitable(stream):  # a provider whose stream() is a coroutine returning an iterator
            stream = await stream
        try:
            async for chunk in stream:
                chunks.append(chunk)
                await self.observer.on_message_chunk(role, chunk)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        return "".join(chunks), Usage.from_any(getattr(self.provider, "usage", None))

    def _record(self, role: str, text: str, usage: Usage, *, keep: bool) -> None:
        st = self.state
        if keep:
            st.messages.append({"role": role, "text": text})
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
        while not (transcript and prompts.has_end(transcript[-1][1])) and len(transcript) < conv.turns:
            speaker, other = (conv.lead, conv.assistant) if len(transcript) % 2 == 0 else (conv.assistant, conv.lead)
            messages = prompts.conversation_messages(system, opening, conv, transcript)
            raw, usage = await self._ask(messages, speaker)
            text = prompts.normalize_message(speaker, other, raw)
            transcript.append((speaker, text))
            self._record(speaker, text, usage, keep=True)
            self.store.save()
            await self.observer.on_message_done(speaker, text)
        cut = not (transcript and prompts.has_end(transcript[-1][1]))
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
