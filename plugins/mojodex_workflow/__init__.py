"""The ``workflow`` commands: list, run, show and resume workflows, on the server and from other plugins.

Server runs are followed through the ``mojodex_follow_session`` hook and consumed from the step hooks; other
plugins add workflows of their own through ``mojodex_list_workflows`` / ``mojodex_run_workflow``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl
from mojodex_core._args import ArgumentParser
from mojodex_core._errors import MojodexError, NetworkError, NotInteractiveError, NotLoggedInError, UsageError
from mojodex_core._events import StepEvent, WorkflowInfo, steps_in_execution
from mojodex_core._results import result_lines
from mojodex_core._routes import call
from mojodex_core._text import one_line
from mojodex_workflow.inputs import coerce, parse_assignments
from mojodex_workflow.payloads import InputSpec, parse_execution, parse_inputs, parse_workflows
from mojodex_workflow.waiting import WaitingRuns

if TYPE_CHECKING:
    import asyncio

    from mojodex_workflow.server_run import DetachedRun, ServerRun

# The run machinery (and asyncio with it) is imported when a run starts: `mojodex help` does not pay for it.

PAGE = 50
MAX_PAGES = 200


def format_workflow(info: WorkflowInfo) -> str:
    """``1. 🌸 Write poem - Write a poem stanza by stanza`` (server) or ``local/x 🌸 Name - ...``."""
    head = f"{info.ref}." if info.source == "server" else info.ref
    parts = [head] + ([info.icon] if info.icon else []) + [info.name]
    line = " ".join(parts)
    return f"{line} - {info.description}" if info.description else line


def _pk_arg(text: str, what: str) -> int | str:
    value = text.strip()
    if value.isdigit():
        return int(value)
    raise UsageError(f"{what} must be a number, not {one_line(text, 40)!r}")


class WorkflowPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.ctx: Any = None
        self.runs: dict[str, ServerRun | DetachedRun] = {}
        self.known: dict[str, WorkflowInfo] = {}  # the server's workflows, by pk
        self.listed: dict[str, WorkflowInfo] = {}  # every source's, by ref, for completion
        self._refresh: asyncio.Task[Any] | None = None

    def waiting(self, ctx: Any) -> WaitingRuns:
        return WaitingRuns(ctx.home / "waiting-runs.json")

    # -- hooks: setup ------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return {"workflow": {"end_grace_seconds": 5.0}}

    @hookimpl
    def mojodex_startup(self, ctx: Any) -> None:
        self.ctx = ctx

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("workflow list", self.cmd_list, help="List the workflows you can run",
                 usage="workflow list [--json]", aliases=("wl",))
        register("workflow run", self.cmd_run, help="Run a workflow, validating each step",
                 usage="workflow run WORKFLOW [--input NAME=VALUE]... [--yes] [--json]", aliases=("wr",),
                 complete=self.complete_workflows)
        register("workflow show", self.cmd_show, help="Show a server run: its steps, validations and results",
                 usage="workflow show EXECUTION_PK [--json]")
        register("workflow resume", self.cmd_resume, help="Carry on validating a run left waiting",
                 usage="workflow resume RUN [--yes] [--json]")

    # -- hooks: events from the socket plugin ------------------------------------------------------------

    @hookimpl
    def mojodex_step_started(self, step: StepEvent) -> None:
        run = self.runs.get(step.session_id) if step.source == "server" else None
        if run is not None:
            run.put("started", step)

    @hookimpl
    def mojodex_step_ended(self, step: StepEvent) -> None:
        run = self.runs.get(step.session_id) if step.source == "server" else None
        if run is not None:
            run.put("ended", step)

    @hookimpl
    def mojodex_server_event(self, event: str, data: dict[str, Any]) -> None:
        if event in ("disconnected", "reconnected"):  # from the socket plugin: the event connection's state
            sessions = data.get("session_ids")
            for sid in sessions if isinstance(sessions, list) else []:
                followed = self.runs.get(str(sid))
                if followed is not None:
                    followed.put(event, None)
            return
        run = self.runs.get(str(data.get("session_id")))
        kinds = {"workflow_execution_produced_text": "produced_text", "error": "error",
                 "workflow_step_execution_invalidated": "invalidated"}
        if run is not None and event in kinds:
            run.put(kinds[event], data)

    # -- hooks: the server as a workflow source ----------------------------------------------------------

    @hookimpl
    async def mojodex_list_workflows(self, ctx: Any) -> list[WorkflowInfo]:
        if ctx.user is None:
            # Listing gathers every source: it does not stop to ask for a login.
            raise NotLoggedInError(f"not logged in to {ctx.server_url}: `login` first"
                                   f"{'' if ctx.in_shell else ' (or set MOJODEX_TOKEN)'}")
        found: list[WorkflowInfo] = []
        for page in range(MAX_PAGES):
            params: dict[str, Any] = {"version": str(ctx.config.get("server.version", "0.0.0"))}
            if page:  # the first page is the server's default page (50 from 0): the specification's request
                params.update(n_user_workflows=PAGE, offset=page * PAGE)
            data = await call(ctx, "list_workflows", what="a workflow list", params=params)
            batch = parse_workflows(data)
            found.extend(batch)
            raw = data.get("user_workflows") if isinstance(data, dict) else None
            if not isinstance(raw, list) or len(raw) < PAGE:
                break
        seen: set[str] = set()
        unique = [w for w in found if not (w.ref in seen or seen.add(w.ref))]  # type: ignore[func-returns-value]
        self.known.update({w.ref: w for w in unique})
        return unique

    @hookimpl
    async def mojodex_run_workflow(self, ctx: Any, ref: str, inputs: dict[str, str], assume_yes: bool,
                                   json_mode: bool) -> Any:
        if not ref.strip().isdigit():
            return None
        return await self.run_server(ctx, int(ref), inputs, assume_yes, json_mode=json_mode)

    @hookimpl
    async def mojodex_resume_workflow(self, ctx: Any, ref: str, assume_yes: bool, json_mode: bool) -> Any:
        if not ref.strip().isdigit():
            return None
        return await self.resume_server(ctx, int(ref), assume_yes, json_mode=json_mode)

    # -- commands ----------------------------------------------------------------------------------------

    async def cmd_list(self, ctx: Any, args: list[str]) -> int:
        parser = ArgumentParser("workflow list")
        parser.add_argument("--json", action="store_true", help="print a JSON list")
        ns = parser.parse(ctx, args)
        failures: list[tuple[str, BaseException]] = []
        results = await ctx.plugins.call("mojodex_list_workflows", ctx=ctx,
                                         on_error=lambda plugin, exc: failures.append((plugin, exc)))
        workflows = self._remember(results)
        if ns.json:
            ctx.print(json.dumps([{"ref": w.ref, "name": w.name, "icon": w.icon, "description": w.description,
                                   "source": w.source, "inputs": list(w.inputs)} for w in workflows],
                                 ensure_ascii=False, indent=2))
        else:
            for w in workflows:
                ctx.print(format_workflow(w))
            if not workflows and not failures:
                ctx.print("No workflows.")
        # A source that failed is one line; the listing still fails only when nothing could be listed.
        report = ctx.error if not workflows else ctx.warn
        for plugin, exc in failures:
            source = "server workflows" if plugin == "workflow" else f"workflows of plugin {plugin}"
            if isinstance(exc, MojodexError):
                report(f"{source}: {exc}")
            else:
                ctx.log_exception(exc, f"listing workflows of {plugin}")
                report(f"{source}: failed with {type(exc).__name__}")
        return 1 if failures and not workflows else 0

    def _run_parser(self, name: str, with_inputs: bool) -> ArgumentParser:
        parser = ArgumentParser(name)
        parser.add_argument("ref", metavar="WORKFLOW" if with_inputs else "RUN")
        if with_inputs:
            parser.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                                help="give an input's value instead of being asked")
        parser.add_argument("--yes", "-y", action="store_true", help="accept every step without asking")
        parser.add_argument("--json", action="store_true", help="print one JSON object per event")
        return parser

    async def cmd_run(self, ctx: Any, args: list[str]) -> int:
        ns = self._run_parser("workflow run", True).parse(ctx, args)
        inputs = parse_assignments(ns.input)
        status = await ctx.fire_first("mojodex_run_workflow", ref=ns.ref, inputs=inputs, assume_yes=ns.yes,
                                      json_mode=ns.json)
        if status is None:
            raise UsageError(f"no workflow {one_line(ns.ref, 60)!r}: `workflow list` shows what you can run")
        return int(status)

    async def cmd_resume(self, ctx: Any, args: list[str]) -> int:
        ns = self._run_parser("workflow resume", False).parse(ctx, args)
        status = await ctx.fire_first("mojodex_resume_workflow", ref=ns.ref, assume_yes=ns.yes, json_mode=ns.json)
        if status is None:
            raise UsageError(f"no run {one_line(ns.ref, 60)!r} to resume")
        return int(status)

    async def cmd_show(self, ctx: Any, args: list[str]) -> int:
        parser = ArgumentParser("workflow show")
        parser.add_argument("pk", metavar="EXECUTION_PK")
        parser.add_argument("--json", action="store_true", help="print the execution as JSON")
        ns = parser.parse(ctx, args)
        pk = _pk_arg(ns.pk, "EXECUTION_PK")
        data = await call(ctx, "get_execution", params={"user_workflow_execution_pk": pk}, what="an execution")
        execution = parse_execution(data, pk)
        if ns.json:
            ctx.print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        ctx.print(f"Run {execution.pk}: {execution.workflow_name or '(unnamed workflow)'}")
        for spec in execution.inputs:
            value = next((i.get("value") for i in data.get("inputs", []) if isinstance(i, dict)
                          and i.get("input_name") == spec.name), None)
            ctx.print(f"  {spec.name} = {one_line(json.dumps(value, ensure_ascii=False), 100)}")
        steps = steps_in_execution(data, execution.session_id)
        local = self.waiting(ctx).get(ctx.server_url, pk)
        if local.get("step") and not any(str(s.step_execution_pk) == str(
                local["step"].get("user_workflow_step_execution_pk")) for s in steps):
            extra = StepEvent.from_server(local["step"], execution.session_id)
            if extra is not None:
                steps.append(extra)
        for name in execution.step_names or sorted({s.step_name for s in steps}):
            ctx.print(f"Step {name}:")
            mine = [s for s in steps if s.step_name == name]
            if not mine:
                ctx.print("  not run yet")
            for s in mine:
                state = "validated" if s.data.get("validated") is True else "waiting for validation"
                ctx.print(f"  execution {s.step_execution_pk}: {state}")
                for line in result_lines(s.result)[1:]:
                    ctx.print(f"    {line}")
        return 0

    # -- server runs -------------------------------------------------------------------------------------

    async def _ask_inputs(self, ctx: Any, specs: list[InputSpec], given: dict[str, str]) -> list[dict[str, Any]]:
        unknown = sorted(set(given) - {s.name for s in specs})
        if unknown and specs:
            raise UsageError(f"this workflow has no input {unknown[0]!r} (it takes: "
                             f"{', '.join(s.name for s in specs)})")
        values = []
        for spec in specs:
            while True:
                if spec.name in given:
                    text = given[spec.name]
                else:
                    try:
                        text = await ctx.ask(f"{spec.name}: ")
                    except NotInteractiveError:
                        raise NotInteractiveError(
                            f"input {spec.name} is needed and there is no terminal to ask: "
                            f"pass --input {spec.name}=VALUE") from None
                    if not text.strip() and spec.default not in (None, ""):
                        values.append({"input_name": spec.name, "value": spec.default})
                        break
                    if not text.strip():
                        ctx.print(f"{spec.name} needs a value.")
                        continue
                try:
                    values.append({"input_name": spec.name, "value": coerce(spec.name, text, spec.type)})
                    break
                except UsageError:
                    if spec.name in given:
                        raise
                    ctx.print(f"{spec.name} must be {'a whole number' if 'int' in spec.type else 'a ' + spec.type}.")
        return values

    async def run_server(self, ctx: Any, workflow_pk: int, given: dict[str, str], assume_yes: bool,
                         json_mode: bool = False) -> int:
        spec = await self._input_spec(ctx, workflow_pk)
        unknown = sorted(set(given) - set(spec))
        if unknown and spec:  # before creating anything on the server
            raise UsageError(f"workflow {workflow_pk} has no input {unknown[0]!r} (it takes: {', '.join(spec)})")
        data = await call(ctx, "create_execution", json={"user_workflow_pk": workflow_pk}, what="an execution")
        execution = parse_execution(data)
        execution.inputs = _typed(execution.inputs, spec)
        from mojodex_workflow.server_run import ServerRun, follow, run_followed

        run = ServerRun(ctx, execution, self.waiting(ctx), assume_yes=assume_yes, json_mode=json_mode)

        async def body() -> int:
            await follow(ctx, execution)
            values = await self._ask_inputs(ctx, execution.inputs, given)
            await call(ctx, "submit_inputs", what="an answer to the inputs",
                       json={"user_workflow_execution_pk": execution.pk, "json_inputs": values})
            return await run.drive()

        return await run_followed(ctx, run, self.runs, body())

    async def resume_server(self, ctx: Any, pk: int, assume_yes: bool, json_mode: bool = False) -> int:
        data = await call(ctx, "get_execution", params={"user_workflow_execution_pk": pk}, what="an execution")
        execution = parse_execution(data, pk)
        waiting = self.waiting(ctx)
        local = waiting.get(ctx.server_url, pk)
        done = {str(p) for p in local.get("validated", [])}
        from mojodex_workflow.server_run import ServerRun, follow, run_followed

        run = ServerRun(ctx, execution, waiting, assume_yes=assume_yes, json_mode=json_mode)
        pending: StepEvent | None = None
        for step in steps_in_execution(data, execution.session_id):
            if step.data.get("validated") is True or str(step.step_execution_pk) in done:
                run.validated.setdefault(step.step_name, []).append(step)
                run.shown.update({("started", str(step.step_execution_pk)), ("ended", str(step.step_execution_pk))})
            elif step.result is not None and pending is None:
                pending = step
        if pending is None and isinstance(local.get("step"), dict):
            pending = StepEvent.from_server(local["step"], execution.session_id)
        if pending is None and run._all_steps_done():
            ctx.print(f"Run {pk} has finished: nothing waits for validation.")
            return 0

        async def body() -> int:
            await follow(ctx, execution)
            if pending is None:
                ctx.print(f"Run {pk}: no step waits for validation yet; waiting for the server.")
            return await run.drive(waiting_step=pending)

        return await run_followed(ctx, run, self.runs, body())

    async def _input_spec(self, ctx: Any, workflow_pk: int) -> dict[str, InputSpec]:
        """The workflow's ``inputs_spec`` (types, defaults), from the list; empty if it cannot be read."""
        if str(workflow_pk) not in self.known:
            try:
                await self.mojodex_list_workflows(ctx)
            except NetworkError:
                raise  # creating the run would fail the same way
            except MojodexError as exc:  # no types then: whole numbers are still sent as numbers
                ctx.log_exception(exc, "reading inputs_spec")
        info = self.known.get(str(workflow_pk))
        return {s.name: s for s in parse_inputs(info.data.get("inputs_spec") if info else None)}

    # -- completion --------------------------------------------------------------------------------------

    def complete_workflows(self, ctx: Any, args: list[str]) -> list[tuple[str, str]]:
        """Workflow refs with their names, from the last listing; the first completion starts one quietly."""
        if args:
            return []
        if not self.listed and (self._refresh is None or self._refresh.done()):
            import asyncio

            self._refresh = asyncio.get_running_loop().create_task(self._quiet_refresh(ctx))
        refs = {**{w.ref: w for w in self.known.values()}, **self.listed}
        return [(ref, f"{w.icon} {w.name}".strip()) for ref, w in sorted(refs.items())]

    async def _quiet_refresh(self, ctx: Any) -> None:
        try:
            results = await ctx.plugins.call("mojodex_list_workflows", ctx=ctx, on_error=lambda plugin, exc: None)
            self._remember(results)
        except Exception as exc:
            ctx.log_exception(exc, "refreshing workflow completions")

    def _remember(self, results: list[Any]) -> list[WorkflowInfo]:
        workflows = [w for batch in results if isinstance(batch, list) for w in batch if isinstance(w, WorkflowInfo)]
        self.listed.update({w.ref: w for w in workflows})
        return workflows


def _typed(inputs: list[InputSpec], spec: dict[str, InputSpec]) -> list[InputSpec]:
    """The execution's inputs with the types and defaults its workflow's ``inputs_spec`` gives."""
    if not inputs:
        return list(spec.values())
    return [InputSpec(i.name, spec[i.name].type, spec[i.name].description,
                      i.default if i.default is not None else spec[i.name].default)
            if i.name in spec else i for i in inputs]
