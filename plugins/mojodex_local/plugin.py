"""The shell side of local workflows: ``workflow list/run/resume`` for ``local/...``, ``workflow runs``,
``workflow show-definition``, model providers, and the same step hooks and validation as server runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    CommandCancelled,
    InputSpec,
    MojodexError,
    ProducedText,
    RunInfo,
    Screen,
    StepEvent,
    TextStream,
    UsageError,
    WorkflowInfo,
    ask_inputs,
    ask_validation,
    check_inputs,
    hookimpl,
    model_provider,
    one_line,
    report_event,
    result_lines,
)

if TYPE_CHECKING:
    from mojodex_core import Context

PREFIX = "local/"
LLM_DEFAULTS = {
    "provider": "auto",
    "base_url": "",
    "model": "gpt-4o-mini",
    "api_key_env": "OPENAI_API_KEY",
    "temperature": 0.7,
    "timeout": 60.0,
    "max_retries": 3,
    "max_tokens": 0,
}


def _openai(ctx: Context) -> Any:
    from mojodex_engine.providers import OpenAIProvider

    llm = ctx.config.get("llm", {})
    key_env = str(llm.get("api_key_env") or "OPENAI_API_KEY")
    return OpenAIProvider(
        base_url=str(llm.get("base_url") or os.environ.get("OPENAI_BASE_URL") or "") or None,
        api_key=os.environ.get(key_env) or None,
        model=str(llm.get("model")),
        temperature=float(llm.get("temperature", 0.7)),
        timeout=float(llm.get("timeout", 60.0)),
        max_retries=int(llm.get("max_retries", 3)),
    )


def _offline(ctx: Context) -> Any:
    from mojodex_engine.providers import OfflineProvider

    return OfflineProvider()


class LocalPlugin:
    """Built-in plugin object (one per shell)."""

    # -- setup -------------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return {"llm": dict(LLM_DEFAULTS), "local": {"budget": 0}}

    @hookimpl
    def mojodex_model_providers(self, register: Any) -> None:
        register("openai", _openai)
        register("offline", _offline)

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        from mojodex_local.controls import rewind_parser

        register("workflow rewind", self.cmd_rewind, help="Go back to an accepted step of a local run and run the "
                 "steps after it again", parser=rewind_parser)
        register("workflow show-definition", self.cmd_show_definition,
                 help="Show a local workflow's phases, conversations and steps as a tree",
                 usage="workflow show-definition NAME")

    @hookimpl
    def mojodex_completions(self, ctx: Context) -> dict[str, list[tuple[str, str]]]:
        from mojodex_local.completion import local_completions

        return local_completions(ctx)

    # -- workflow source ---------------------------------------------------------------------------------

    @hookimpl
    def mojodex_list_workflows(self, ctx: Context) -> list[WorkflowInfo]:
        from mojodex_engine.definitions import find_definitions

        found, errors = find_definitions(ctx.home)
        for error in errors:
            ctx.warn(str(error))
        return [WorkflowInfo(ref=PREFIX + d.ref, name=d.name, icon=d.icon, description=d.description,
                             source="local", inputs=tuple(d.inputs), input_specs=tuple(_input_specs(d)))
                for d in found.values()]

    @hookimpl
    async def mojodex_run_workflow(self, ctx: Context, ref: str, inputs: dict[str, str], assume_yes: bool,
                                   json_mode: bool, jsonl: bool, output: Path | None) -> Any:
        definition = self._definition(ctx, ref)
        if definition is None:
            return None
        from mojodex_engine.storage import RunStore

        _check_output(definition, output)
        # A misspelt --input, or a value of the wrong type, fails at once, before the model is called or
        # anything is asked (as a server run's inputs do).
        definition.check_inputs({**dict.fromkeys(definition.inputs, ""), **inputs})
        specs = _input_specs(definition)
        check_inputs(specs, inputs, interactive=ctx.interactive, assume_yes=assume_yes,
                     what=f"{PREFIX}{definition.ref}")
        # The endpoint, key and model are checked before anything is asked or stored: a bad [llm] setup is one
        # error line, not a half-made run left "running" in `workflow runs`.
        provider = await self._checked_provider(ctx)
        try:
            values, _ = await ask_inputs(ctx, specs, inputs, assume_yes=assume_yes, what=f"{PREFIX}{definition.ref}")
            store = RunStore.create(ctx.home, definition, {k: _value_text(v) for k, v in values.items()},
                                    model=_model_name(ctx, provider), budget=_budget(ctx, definition))
        except BaseException:
            await _close(provider)
            raise
        return await self._drive(ctx, store, provider, assume_yes=assume_yes, json_mode=json_mode, jsonl=jsonl)

    @hookimpl
    async def mojodex_resume_workflow(self, ctx: Context, ref: str, assume_yes: bool, json_mode: bool, jsonl: bool,
                                      output: Path | None) -> Any:
        if ref.strip().isdigit():
            return None
        from mojodex_engine.storage import RunStore, find_run

        store = RunStore.open(ctx.home, find_run(ctx.home, ref.strip()))
        _check_output(store.definition(), output)  # the definition the run started with
        provider = await self._checked_provider(ctx)
        return await self._drive(ctx, store, provider, assume_yes=assume_yes, json_mode=json_mode, jsonl=jsonl)

    async def cmd_rewind(self, ctx: Context, args: list[str]) -> int:
        from mojodex_engine.rewind import rewind
        from mojodex_engine.storage import RunStore, find_run
        from mojodex_local.controls import confirm_rewind, rewind_parser

        ns = rewind_parser().parse(ctx, args)
        if ns.ref.strip().isdigit():  # no server dialect has a way back to a step: say so without a request
            raise UsageError(f"run {ns.ref.strip()} is a server run: only local runs go back to a step "
                             "(`workflow runs` marks them)")
        store = RunStore.open(ctx.home, find_run(ctx.home, ns.ref.strip()))
        provider = await self._checked_provider(ctx)  # a bad [llm] setup fails before anything changes
        try:
            store.claim()  # before the question: another shell may be running it
            item = await confirm_rewind(ctx, store, ns.step, ns.yes)
            if item is None:
                raise MojodexError(f"run {store.run_id} was not rewound")
            rewind(store, ns.step)
        except BaseException:
            store.close()  # lets the run go (a later command of this shell may resume it)
            await _close(provider)
            raise
        if not (ns.json or ns.jsonl):
            ctx.print(f"Run {store.run_id} goes back to step {item.ordinal + 1} ({item.step.name}).")
        return await self._drive(ctx, store, provider, assume_yes=ns.yes, json_mode=ns.json, jsonl=ns.jsonl)

    def _definition(self, ctx: Context, ref: str) -> Any:
        ref = ref.strip()
        if not ref or ref.isdigit():
            return None
        from mojodex_engine.definitions import find_definitions

        found, errors = find_definitions(ctx.home)
        name = ref.removeprefix(PREFIX)
        definition = found.get(name) or next((d for d in found.values() if d.name.lower() == name.lower()), None)
        if definition is None:
            # A broken user file of that name: its own error (file and key), with or without the prefix.
            from mojodex_engine.definitions import USER_DIR

            label = str(ctx.home / USER_DIR / f"{name}.toml")
            broken = [e for e in errors if str(e).startswith(f"{label}: ")]
            if broken:
                raise broken[0]
            if ref.startswith(PREFIX):
                raise MojodexError(f"no local workflow {name!r} (`workflow list` shows them)")
        return definition

    # -- running -----------------------------------------------------------------------------------------

    async def _checked_provider(self, ctx: Context) -> Any:
        """The configured provider, its preflight passed (closed again when it fails)."""
        provider = model_provider(ctx)
        preflight = getattr(provider, "preflight", None)
        if preflight is not None:
            try:
                await preflight()
            except BaseException:
                await _close(provider)
                raise
        return provider

    async def _drive(self, ctx: Context, store: Any, provider: Any, *, assume_yes: bool, json_mode: bool,
                     jsonl: bool) -> int:
        from mojodex_engine.engine import Engine
        from mojodex_engine.errors import RunPaused

        try:
            observer = ShellObserver(ctx, store, assume_yes=assume_yes, json_mode=json_mode, jsonl=jsonl)
            if getattr(provider, "name", "") == "offline":
                observer.say("No model is configured: the offline demo provider answers (its text says "
                             "[offline demo]).")
                observer.say("Set OPENAI_API_KEY, or [llm] base_url and model, to use a real model.")
            try:
                await observer.started()
                engine = Engine(store, provider, observer, model=_model_name(ctx, provider),
                                temperature=float(ctx.config.get("llm.temperature", 0.7)),
                                max_tokens=int(ctx.config.get("llm.max_tokens", 0) or 0) or None)
                await engine.run()
            except RunPaused as exc:
                observer.end_line()
                await observer.ended("left")
                st = store.state
                more = f"`workflow resume {store.run_id}` goes on with {st.allowance or st.budget} more tokens"
                if observer.declined_budget:  # the user said stop: that is no error
                    ctx.print(f"Run {store.run_id} paused at its token budget; {more}.", err=observer.quiet)
                    return 0
                raise RunPaused(f"{exc} and there is no terminal to ask whether to go on: "
                                f"{more.replace('`workflow', '`mojodex workflow')}") from None
            except BaseException as exc:
                # The engine saved the run before letting this through: it resumes where it stopped.
                observer.end_line()
                if store.state.status == "failed":
                    ctx.print(f"Run {store.run_id} failed; `workflow resume {store.run_id}` tries again.", err=True)
                else:
                    ctx.print(f"Run {store.run_id} paused (waiting); `workflow resume {store.run_id}` carries on.",
                              err=True)
                await observer.ended("left")
                # Ctrl-C: that line said what it did, so the shell adds no `cancelled` (an empty message).
                if isinstance(exc, CommandCancelled):
                    raise CommandCancelled("") from None
                import asyncio

                if isinstance(exc, asyncio.CancelledError):
                    raise asyncio.CancelledError("") from None
                raise
        finally:
            await _close(provider)
        await observer.ended("finished")
        return 0

    # -- commands ----------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_list_runs(self, ctx: Context) -> list[dict[str, Any]]:
        from mojodex_engine.storage import list_runs

        return [{"run": r.run_id, "source": "local", "workflow": f"{PREFIX}{r.workflow}", "title": r.workflow_name,
                 "status": r.status, "step": "" if r.status == "done" else f"{r.step_number}/{r.total_steps} "
                 f"{r.step}".strip(), "started": r.created, "tokens": r.total_tokens,
                 # the keys `workflow runs --json` had when it listed local runs only
                 "run_id": r.run_id, "step_number": r.step_number, "total_steps": r.total_steps,
                 "total_tokens": r.total_tokens, "updated": r.updated} for r in list_runs(ctx.home)]

    @hookimpl
    def mojodex_show_run(self, ctx: Context, ref: str, json_mode: bool) -> int | None:
        if ref.strip().isdigit():
            return None
        from mojodex_engine.storage import RunStore, find_run
        from mojodex_local.show import show_run

        return show_run(ctx, RunStore.open(ctx.home, find_run(ctx.home, ref.strip())), json_mode=json_mode)

    def cmd_show_definition(self, ctx: Context, args: list[str]) -> int:
        if len(args) != 1:
            raise UsageError("usage: workflow show-definition NAME")
        definition = self._definition(ctx, PREFIX + args[0].removeprefix(PREFIX))
        d = definition
        ctx.print(f"{d.icon} {d.name} ({PREFIX}{d.ref})".strip())
        if d.inputs:
            ctx.print(f"inputs: {', '.join(d.inputs)}")
        for pi, phase in enumerate(d.phases):
            last_phase = pi == len(d.phases) - 1
            ctx.print(f"{'└─' if last_phase else '├─'} {phase.name}")
            for si, name in enumerate(phase.steps):
                step = d.step(name)
                branch = "   " if last_phase else "│  "
                mark = "└─" if si == len(phase.steps) - 1 else "├─"
                ctx.print(f"{branch}{mark} {_describe_step(step)}")
        return 0


def _workspace_files(run_path: Path) -> list[str]:
    """The files of a run's workspace/ (code artifacts' blocks), as paths relative to it."""
    from mojodex_engine.workspace import WORKSPACE_DIR

    root = run_path / WORKSPACE_DIR
    if not root.is_dir() or root.is_symlink():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                  and not p.name.startswith("."))


def _check_output(definition: Any, output: Path | None) -> None:
    """``--output`` of a workflow whose definition produces nothing is refused before anything runs."""
    if output is not None and not definition.final:
        raise UsageError(f"--output: {PREFIX}{definition.ref} produces nothing to write (its definition's `final` "
                         "is empty)")


def _input_specs(definition: Any) -> list[InputSpec]:
    """The definition's inputs as the shell asks them (description above the question, checked by type)."""
    return [spec.spec() for spec in definition.input_specs] or [InputSpec(name) for name in definition.inputs]


def _value_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _budget(ctx: Context, definition: Any) -> int | None:
    """A new run's token budget: its definition's ``budget``, else ``local.budget`` (0: none)."""
    if definition.budget:
        return int(definition.budget)
    try:
        budget = int(ctx.config.get("local.budget", 0) or 0)
    except (TypeError, ValueError):
        raise MojodexError("local.budget must be a whole number of tokens (0: no budget)") from None
    return budget if budget > 0 else None


def _model_name(ctx: Context, provider: Any) -> str:
    return "offline-demo" if getattr(provider, "name", "") == "offline" else str(ctx.config.get("llm.model"))


async def _close(provider: Any) -> None:
    close = getattr(provider, "aclose", None)
    if close is not None:
        await close()


def _describe_step(step: Any) -> str:
    lead = getattr(step, "lead", None)
    if lead is not None:
        inputs = ", ".join(step.inputs) if isinstance(step.inputs, tuple | list) else str(step.inputs)
        return f"{step.name}: {lead} + {step.assistant}, {inputs} -> {step.output} (at most {step.turns} turns)"
    fan = ", one entry per line" if getattr(step, "fan_out", False) else ""
    return f"{step.name}: prompt -> {step.output}{fan}"


class ShellObserver:
    """Shows a local run like a server run: step lines, streamed messages, results, the same question; with
    ``--jsonl`` the same events as a server run's, with ``--json`` one document at the end, as a server run's."""

    def __init__(self, ctx: Context, store: Any, *, assume_yes: bool, json_mode: bool = False,
                 jsonl: bool = False) -> None:
        self.ctx = ctx
        self.store = store
        self.run_id: str = store.run_id
        self.assume_yes = assume_yes
        self.json_mode = json_mode
        self.jsonl = jsonl
        self.quiet = json_mode or jsonl  # nothing but JSON on stdout
        self.kind = ""
        self.role = ""
        self.stream: TextStream | None = None  # the message being streamed (the engine gives chunks)
        self.declined_budget = False  # the user said stop at the token budget's question
        self.edited = ""  # the step execution whose result the user just edited (`e`)
        from mojodex_engine.product import run_title

        definition = store.definition()
        # One RunInfo for the whole run: the hooks see the same object from start to end.
        self.run = RunInfo(pk=self.run_id, session_id=self.run_id, name=definition.name, kind="local",
                           ref=f"{PREFIX}{definition.ref}", icon=definition.icon,
                           title=run_title(definition, store.state.inputs), values=dict(store.state.inputs),
                           step_names=[item.step.name for item in definition.plan()])

    def emit(self, line: str, event: str = "", **fields: Any) -> None:
        """One human line, or with --jsonl the event as one JSON line (nothing with --json)."""
        if not self.json_mode:
            report_event(self.ctx, self.jsonl, line, **({"event": event, "run_pk": self.run_id, **fields}
                                                         if event else {}))

    def say(self, text: str) -> None:
        """A message for a person: on stderr when stdout is for JSON."""
        self.ctx.print(text, err=self.quiet)

    async def started(self) -> None:
        self.emit("", "run_started", workflow=self.run.name, inputs=self.run.values)
        await self.ctx.call_hook("mojodex_run_started", run=self.run)

    def _event(self, step: Any, result: Any = None) -> StepEvent:
        return StepEvent(session_id=self.run_id, step_name=step.name, step_execution_pk=step.execution_id,
                         result=result, source="local", data=step.to_dict(), run_pk=self.run_id)

    async def on_step_started(self, step: Any) -> None:
        self.kind = step.kind
        note = f" (attempt {step.attempt})" if step.attempt > 1 else ""
        self.emit(f"Step {step.name} started{note}", "step_started", step_name=step.name,
                  step_execution_pk=step.execution_id)
        if step.resumed and step.transcript and not self.quiet:
            from mojodex_engine.streaming import shown_text

            for role, text in step.transcript:
                text = shown_text(text)
                self.ctx.print(f"{role}: {text}" if not text.startswith(f"{role}:") else text)
        await self.ctx.call_hook("mojodex_step_started", step=self._event(step))

    async def on_message_chunk(self, role: str, text: str) -> None:
        # The engine streams what is kept of the message, without its "Role:" prefix (written here, once).
        if self.quiet or self.kind != "conversation":
            return
        if self.stream is None:
            self.stream = TextStream(Screen(self.ctx), f"{role}: ")
        self.stream.append(text)

    async def on_message_done(self, role: str, text: str) -> None:
        if self.quiet:
            self.emit("", "message", role=role, text=text)
            return
        if self.kind != "conversation":
            return
        if self.stream is None or not self.stream.started:  # nothing streamed: show the whole message
            self.stream = None
            self.ctx.print(text)
        else:
            self.end_line()

    def end_line(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.finish()  # the tail held back in case it was half a control sequence
            stream.end_line()

    async def on_step_ended(self, step: Any, result: Any) -> None:
        self.end_line()
        self.emit(f"Step {step.name} ended", "step_ended", step_name=step.name, step_execution_pk=step.execution_id,
                  result=result, cut=step.cut, usage=step.usage.to_dict())
        if step.cut and not self.quiet:
            self.ctx.print("(The conversation reached its turn limit without END CONVERSATION: its last message "
                           "is the output.)")
        await self.ctx.call_hook("mojodex_step_ended", step=self._event(step, result))

    async def validate(self, step: Any, result: Any) -> Any:
        from mojodex_local.controls import edit_result, show_files

        if not self.quiet:
            if self.edited == step.execution_id:
                self.ctx.print("The edited result:")
            for line in result_lines(result):
                self.ctx.print(line)
            if step.usage.total_tokens:
                u = step.usage
                self.ctx.print(f"(tokens: {u.total_tokens}: {u.prompt_tokens} in, {u.completion_tokens} out)")
            show_files(self.ctx, self.store, step, result)
        while True:
            answer = await ask_validation(self.ctx, step.name, assume_yes=self.assume_yes, json_mode=self.quiet,
                                          resume=f"workflow resume {self.run_id}", extra={"e": "edit the result"})
            if answer != "e":
                break
            try:
                edited = await edit_result(self.ctx, result)
            except MojodexError as exc:  # the editor failed: the result stays, the question again
                self.ctx.error(str(exc))
                continue
            if edited is None:
                self.say("The result was not changed.")
                continue
            from mojodex_engine.engine import Edited

            self.edited = step.execution_id
            return Edited(edited)  # saved as the step's result, shown and asked about again
        if answer == "y":
            self.emit("", "step_validated", step_name=step.name, step_execution_pk=step.execution_id, result=result)
            await self.ctx.call_hook("mojodex_step_validated", step=self._event(step, result))
            return True, None
        reason = (await self.ctx.ask("What should change? ")).strip()
        self.emit(f"Running {step.name} again.", "step_invalidated", step_name=step.name,
                  step_execution_pk=step.execution_id, reason=reason)
        await self.ctx.call_hook("mojodex_step_invalidated", step=self._event(step, result), reason=reason)
        return False, reason or "The user rejected this result without saying why."

    async def on_budget_reached(self, used: int, budget: int) -> bool:
        """The run's tokens reached its budget, before the next model call: go on (True) or pause (False)."""
        if not self.ctx.interactive:
            return False  # nobody to ask: the run pauses, `workflow resume` goes on
        self.end_line()
        more = self.store.state.allowance or budget
        self.ctx.print(f"The run has used {used} tokens, its budget is {budget}.", err=self.quiet)
        go_on = await self.ctx.confirm(f"Go on with {more} more tokens (Y), or stop here (n)?")
        self.declined_budget = not go_on
        return go_on

    async def ended(self, status: str) -> None:
        """The run is over for now: ``"finished"``, or ``"left"`` (stopped: it resumes where it stopped)."""
        if status == "finished":
            self._finished()
        self.emit("", "run_ended", status=status, usage=self._usage().to_dict(), cut_steps=self._cut_steps())
        await self.ctx.call_hook("mojodex_run_ended", run=self.run, status=status)

    def _usage(self) -> Any:
        from mojodex_engine.providers import Usage

        return Usage.from_any(self.store.state.usage)

    def _cut_steps(self) -> list[str]:
        return [s["name"] for s in self.store.state.steps if s.get("cut")]

    def _finished(self) -> None:
        from mojodex_engine.product import product_text

        text = product_text(self.store.definition(), self.store.state)
        self.run.produced = None if text is None else ProducedText(self.run.title, text)
        usage = self._usage()
        cut = "; cut at the turn limit: " + ", ".join(self._cut_steps()) if self._cut_steps() else ""
        self.emit(f"Run {self.run_id} finished: {len(self.store.state.steps)} steps, {usage.total_tokens} tokens "
                  f"({usage.prompt_tokens} in, {usage.completion_tokens} out){cut}. "
                  f"Files: {one_line(self.store.path, 200)}")
        if self.run.produced is not None:
            self.emit("", "produced_text", title=self.run.produced.title, text=self.run.produced.text)
        if self.json_mode:
            self.ctx.print(json.dumps(self.document(), ensure_ascii=False, indent=2))

    def document(self) -> dict[str, Any]:
        """The run as one JSON document (``--json``): a server run's keys, and what only a local run has."""
        from mojodex_engine.product import output_text, outputs
        from mojodex_engine.storage import artifact_filename

        definition = self.store.definition()
        st = self.store.state
        produced = self.run.produced

        return {
            "run_pk": self.run_id, "workflow": self.run.name, "title": self.run.title,
            "status": "finished" if st.status == "done" else st.status, "inputs": dict(st.inputs),
            "steps": [{"step_execution_pk": s.get("execution_id"), "step_name": s.get("name"),
                       "result": s.get("result"), "validated": True, "phase": s.get("phase"),
                       "attempts": s.get("attempts"), "cut": bool(s.get("cut")), "usage": s.get("usage")}
                      for s in st.steps],
            "produced_text": None if produced is None else {"title": produced.title, "text": produced.text},
            "ref": self.run.ref,
            "artifacts": [{"name": name, "final": name in definition.final,
                           "path": str(self.store.path / artifact_filename(name)),
                           "text": output_text(definition, st, name)} for name in outputs(definition, st)],
            "usage": self._usage().to_dict(),
            "model": st.model,
            "path": str(self.store.path),
            "workspace": _workspace_files(self.store.path),
        }
