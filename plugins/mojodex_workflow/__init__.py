"""The ``workflow`` commands: list, run, show, resume and restart workflows, on the server and from other plugins.

A server run has one owner (``run.ServerRun``), which ``ctx.server.follow`` hands the run's events to; other
plugins add workflows of their own through ``mojodex_list_workflows`` / ``mojodex_run_workflow``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    ArgumentParser,
    MojodexError,
    NotFoundError,
    NotLoggedInError,
    RunInfo,
    TermsNotAcceptedError,
    WorkflowInfo,
    atomic_write,
    check_inputs,
    hookimpl,
    input_text,
    one_line,
    parse_assignments,
    pk_arg,
    result_lines,
)

if TYPE_CHECKING:
    from mojodex_core import Context

# The run machinery (and asyncio with it) is imported when a run starts: `mojodex help` does not pay for it.

EXTRA_ANSWERS = ("At `Continue (Y/n)?`: Enter or y accepts; n rejects (on servers that rerun a step, it asks what "
                 "should change); e edits the result in $VISUAL/$EDITOR and r restarts the run with new inputs "
                 "(Mojodex 0.4, r only at the first step).")


def _list_parser() -> ArgumentParser:
    parser = ArgumentParser("workflow list", description="List the workflows you can run")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


def _show_parser() -> ArgumentParser:
    parser = ArgumentParser("workflow show", description="Show a run: its inputs, steps, results and text")
    parser.add_argument("pk", metavar="RUN", help="the run's number, or a local run's id (`workflow runs`)")
    parser.add_argument("--json", action="store_true", help="print the run as JSON")
    return parser


def _runs_parser() -> ArgumentParser:
    parser = ArgumentParser("workflow runs", description="List workflow runs, local and on the server, newest "
                            "first")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


# How a run's status looks in a list: done green, failed red, a run to come back to yellow.
_STATUS_STYLE = {"done": "ok", "failed": "error", "waiting": "warning", "running": "warning"}


def workflow_row(info: WorkflowInfo) -> tuple[str, str, str]:
    """``("1.", "🌸 Write poem", "- Write a poem stanza by stanza")``: a row of `workflow list`."""
    head = f"{info.ref}." if info.source == "server" else info.ref
    name = f"{info.icon} {info.name}" if info.icon else info.name
    return head, name, f"- {info.description}" if info.description else ""


def never_configured(ctx: Context) -> bool:
    """True for a user who never set a server nor logged in anywhere: listing local workflows only is no error."""
    import os

    return (not ctx.config.is_set("server.url") and not os.environ.get("MOJODEX_TOKEN")
            and not (ctx.home / "credentials").exists())


class WorkflowPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.ctx: Context | None = None
        self.listed: dict[str, WorkflowInfo] = {}  # every source's, by ref, for completion
        self.output: Path | None = None  # --output of the running command, until it is written
        self.finished_without_text = False  # a run of the running command finished and produced nothing
        self._completions: Any = None  # mojodex_workflow.completion.WorkflowCompletions, once the shell asks

    # -- hooks: setup ------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return {"workflow": {"end_grace_seconds": 5.0, "step_timeout_seconds": 120.0}}

    @hookimpl
    def mojodex_startup(self, ctx: Context) -> None:
        self.ctx = ctx

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("workflow list", self.cmd_list, help="List the workflows you can run", aliases=("wl",),
                 parser=_list_parser)
        register("workflow run", self.cmd_run, help="Run a workflow, validating each step",
                 aliases=("wr",), parser=lambda: self._run_parser("workflow run", True))
        register("workflow show", self.cmd_show, help="Show a run: its inputs, steps, results and text",
                 parser=_show_parser)
        register("workflow runs", self.cmd_runs, help="List workflow runs, local and on the server, newest first",
                 parser=_runs_parser)
        register("workflow resume", self.cmd_resume, help="Carry on validating a run left waiting",
                 parser=lambda: self._run_parser("workflow resume", False))
        register("workflow restart", self.cmd_restart, help="Restart a run with new inputs (while its first step "
                 "waits; Mojodex 0.4)", parser=lambda: self._run_parser("workflow restart", True, output=False))

    @hookimpl
    async def mojodex_completions(self, ctx: Context, after: str | None) -> dict[str, Any]:
        from mojodex_workflow.completion import WorkflowCompletions

        if self._completions is None:
            self._completions = WorkflowCompletions()
        return await self._completions.load(ctx, after, self.listed)

    @hookimpl
    def mojodex_run_ended(self, run: RunInfo, status: str, ctx: Context) -> None:
        if self.output is not None and status == "finished":
            if run.produced is None:
                self.finished_without_text = True
            else:
                self._write_output(ctx, run)

    def _write_output(self, ctx: Context, run: RunInfo) -> None:
        """``--output FILE``: the run's produced text as Markdown, under its title (every source of runs alike)."""
        if self.output is None or run.produced is None:
            return
        path, self.output = self.output, None
        title = run.produced.title or run.title or run.name
        text = (f"# {title}\n\n" if title else "") + run.produced.text.strip() + "\n"
        try:
            atomic_write(path, text, mode=0o644)  # whole or not at all; a file of the user's, not a secret
        except OSError as exc:
            raise MojodexError(f"cannot write {path}: {exc.strerror or exc}") from None
        ctx.print(f"Wrote {path}.", err=True)

    # -- hooks: the server as a workflow source ----------------------------------------------------------

    @hookimpl
    async def mojodex_list_workflows(self, ctx: Context) -> list[WorkflowInfo] | None:
        if ctx.user is None:
            if never_configured(ctx):
                return None  # no server was ever set up: the other sources are the whole list
            # Listing gathers every source: it does not stop to ask for a login.
            raise NotLoggedInError(f"not logged in to {ctx.server_url}: `login` first"
                                   f"{'' if ctx.in_shell else ' (or set MOJODEX_TOKEN)'}")
        return await ctx.server.list_workflows()

    @hookimpl
    async def mojodex_list_runs(self, ctx: Context) -> list[dict[str, Any]] | None:
        from mojodex_core import UnsupportedError

        if ctx.user is None:
            if never_configured(ctx):
                return None
            raise NotLoggedInError(f"not logged in to {ctx.server_url}: `login` first"
                                   f"{'' if ctx.in_shell else ' (or set MOJODEX_TOKEN)'}")
        try:
            runs = await ctx.server.list_runs()
        except UnsupportedError:
            return None  # this dialect keeps no list of runs: `workflow show N` still reads one
        return [{"run": str(r.pk), "source": "server", "workflow": f"{r.icon} {r.name}".strip(), "title": r.title,
                 "status": "done" if r.produced is not None else "waiting", "step": "", "started": r.started,
                 "tokens": None} for r in runs if r.kind == "workflow"]

    @hookimpl
    async def mojodex_run_workflow(self, ctx: Context, ref: str, inputs: dict[str, str], assume_yes: bool,
                                   json_mode: bool, jsonl: bool) -> Any:
        if not ref.strip().isdigit():
            return None
        # --output needs nothing here: every finished server run has a produced text (made, when the server
        # sends none, as Mojodex 0.4 makes it), written by mojodex_run_ended.
        return await self.run_server(ctx, ref.strip(), inputs, assume_yes, json_mode=json_mode, jsonl=jsonl)

    @hookimpl
    async def mojodex_resume_workflow(self, ctx: Context, ref: str, assume_yes: bool, json_mode: bool,
                                      jsonl: bool) -> Any:
        if not ref.strip().isdigit():
            return None
        return await self.resume_server(ctx, pk_arg(ref, "RUN"), assume_yes, json_mode=json_mode, jsonl=jsonl)

    # -- commands ----------------------------------------------------------------------------------------

    async def cmd_list(self, ctx: Context, args: list[str]) -> int:
        ns = _list_parser().parse(ctx, args)
        failures: list[tuple[str, BaseException]] = []
        results = await ctx.call_hook("mojodex_list_workflows",
                                      on_error=lambda plugin, exc: failures.append((plugin, exc)))
        workflows = self._remember(results)
        if ns.json:
            ctx.print(json.dumps([{"ref": w.ref, "name": w.name, "icon": w.icon, "description": w.description,
                                   "source": w.source, "inputs": list(w.inputs)} for w in workflows],
                                 ensure_ascii=False, indent=2))
        else:
            with ctx.paged():
                # The server's rows are the specification's screen, to the letter: `1. 🌸 Write poem - ...`, one
                # space apart whatever the widths. Other sources (local workflows) are aligned tables.
                for w in workflows:
                    if w.source == "server":
                        ctx.print(" ".join(cell for cell in workflow_row(w) if cell))
                ctx.table((workflow_row(w) for w in workflows if w.source != "server"), gap=1)
            if not workflows and not failures:
                ctx.print("No workflows.")
        # A source that failed is one line after what could be listed, and the command fails (as `ls` does).
        return _report_failures(ctx, failures, "workflows")

    def _run_parser(self, name: str, with_inputs: bool, *, output: bool = True) -> ArgumentParser:
        parser = ArgumentParser(name, epilog=EXTRA_ANSWERS)
        parser.add_argument("ref", metavar="WORKFLOW" if name.endswith("run") else "RUN",
                            help="the workflow (`workflow list`: a number, or local/NAME)" if name.endswith("run")
                            else "the run: a server run's number or a local run's id (`workflow runs` lists both)")
        if with_inputs:
            parser.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                                help="give an input's value instead of being asked (NAME=@PATH for a file)")
        if output:
            parser.add_argument("--yes", "-y", action="store_true",
                                help="accept every step without asking (inputs not given take their defaults)")
            shown = parser.add_mutually_exclusive_group()
            shown.add_argument("--json", action="store_true",
                               help="print the run as one JSON document at the end, nothing else")
            shown.add_argument("--jsonl", action="store_true",
                               help="print each event as one JSON line as it happens, nothing else")
            parser.add_argument("--output", "-o", metavar="FILE",
                                help="write what the run produced to FILE (Markdown) when it finishes")
        return parser

    async def _call_run_hook(self, ctx: Context, ns: Any, hook: str, **kwargs: Any) -> Any:
        """Call the run or resume hook with how the output is wanted; check ``--output`` was honoured."""
        output = Path(ns.output).expanduser() if ns.output else None
        self.output, self.finished_without_text = output, False
        try:
            status = await ctx.call_hook(hook, assume_yes=ns.yes, json_mode=ns.json, jsonl=ns.jsonl, output=output,
                                         **kwargs)
            if status is not None and output is not None and self.output is not None:
                # Nothing was written: say so rather than exit 0 as if the file were there.
                if self.finished_without_text:
                    raise MojodexError(f"the run finished without producing any text: nothing was written to "
                                       f"{output}")
                if int(status) == 0:
                    ctx.print(f"The run has not finished: nothing was written to {output} (`workflow resume` with "
                              "--output writes it when it does).", err=True)
        finally:
            self.output, self.finished_without_text = None, False
        return status

    async def cmd_run(self, ctx: Context, args: list[str]) -> int:
        ns = self._run_parser("workflow run", True).parse(ctx, args)
        inputs = parse_assignments(ns.input)
        try:
            status = await self._call_run_hook(ctx, ns, "mojodex_run_workflow", ref=ns.ref, inputs=inputs)
        except NotFoundError as exc:
            if exc.kind != "task":
                raise
            # Mojodex 0.4 keeps workflows among its tasks: what the user asked for is a workflow.
            raise NotFoundError(f"workflow {exc.ref} not found", exc.status, text=exc.text, kind="workflow",
                                ref=exc.ref) from None
        if status is None:
            raise MojodexError(f"no workflow {one_line(ns.ref, 60)!r}: `workflow list` shows what you can run")
        return int(status)

    async def cmd_resume(self, ctx: Context, args: list[str]) -> int:
        ns = self._run_parser("workflow resume", False).parse(ctx, args)
        status = await self._call_run_hook(ctx, ns, "mojodex_resume_workflow", ref=ns.ref)
        if status is None:
            raise MojodexError(f"no run {one_line(ns.ref, 60)!r} to resume")
        return int(status)

    async def cmd_restart(self, ctx: Context, args: list[str]) -> int:
        ns = self._run_parser("workflow restart", True, output=False).parse(ctx, args)
        pk = pk_arg(ns.ref, "RUN")
        if not (await ctx.server.capabilities()).restart:
            raise MojodexError(f"restarting a run is not in the {ctx.server.api} dialect of the protocol this "
                               "server speaks")
        from mojodex_workflow.run import ServerRun, follow_run

        owner = ServerRun(ctx, await ctx.server.read_run(pk))
        owner.check_restartable()
        given = parse_assignments(ns.input)

        async def body() -> int:
            await owner.restart(given)
            return await owner.drive()

        return await follow_run(ctx, owner, body())

    async def cmd_show(self, ctx: Context, args: list[str]) -> int:
        with ctx.paged():
            return await self._show(ctx, args)

    async def cmd_runs(self, ctx: Context, args: list[str]) -> int:
        ns = _runs_parser().parse(ctx, args)
        failures: list[tuple[str, BaseException]] = []
        results = await ctx.call_hook("mojodex_list_runs", on_error=lambda plugin, exc: failures.append((plugin, exc)))
        runs = [r for batch in results if isinstance(batch, list) for r in batch if isinstance(r, dict)]
        runs.sort(key=lambda r: _started(r.get("started")), reverse=True)
        if ns.json:
            ctx.print(json.dumps(runs, ensure_ascii=False, indent=2))
        elif runs:
            with ctx.paged():
                ctx.table(((str(r.get("run", "")), str(r.get("source", "")), str(r.get("workflow", "")),
                            ctx.style(str(r.get("status", "")), _STATUS_STYLE.get(str(r.get("status")), "muted")),
                            str(r.get("step") or ""),
                            "" if r.get("tokens") is None else f"{r['tokens']} tokens") for r in runs),
                          ("RUN", "SOURCE", "WORKFLOW", "STATUS", "STEP", "TOKENS"))
        elif not failures:
            ctx.print("No runs yet. `workflow run local/write-poem` starts one.")
        return _report_failures(ctx, failures, "runs")

    async def _show(self, ctx: Context, args: list[str]) -> int:
        ns = _show_parser().parse(ctx, args)
        if not ns.pk.strip().isdigit():
            status = await ctx.call_hook("mojodex_show_run", ref=ns.pk.strip(), json_mode=ns.json)
            if status is not None:
                return int(status)
        from mojodex_workflow.run import ServerRun

        pk = pk_arg(ns.pk, "RUN")
        run = await ctx.server.read_run(pk)
        owner = ServerRun(ctx, run)
        steps = owner.steps_known()
        if ns.json:
            ctx.print(json.dumps({**run.raw, "steps_known": [
                {"step_execution_pk": s.step_execution_pk, "step_name": s.step_name, "result": s.result,
                 "validated": s.validated} for s in steps]}, ensure_ascii=False, indent=2))
            return 0
        ctx.print(f"Run {run.pk}: {run.name or '(unnamed workflow)'}" + (f" - {run.title}" if run.title else ""))
        if owner.never_started():
            ctx.print(f"  Not started: its inputs were never given (`workflow resume {run.pk}` asks them).")
        else:
            for name, value in run.values.items():
                ctx.print(f"  {name} = {input_text(value)}")
        names = run.step_names or list(dict.fromkeys(s.step_name for s in steps))
        for name in names + sorted({s.step_name for s in steps} - set(names)):
            ctx.print(f"Step {name}:")
            mine = [s for s in steps if s.step_name == name]
            if not mine:
                ctx.print("  not run yet")
            for s in mine:
                state = ("validated" if s.validated is True else f"failed: {s.error}" if s.error
                         else "waiting for validation" if s.result is not None else "running")
                ctx.print(f"  execution {s.step_execution_pk}: {state}")
                for line in result_lines(s.result)[1:] if s.result is not None else []:
                    ctx.print(f"    {line}")
        if run.produced is not None and run.produced.text:
            ctx.print(run.produced.title or run.title or "Produced text:")
            ctx.print(run.produced.text.strip())
        return 0

    # -- server runs -------------------------------------------------------------------------------------

    async def _create(self, ctx: Context, ref: str) -> RunInfo:
        try:
            return await ctx.server.create_run(ref)
        except TermsNotAcceptedError as exc:
            if not ctx.interactive:
                raise MojodexError(f"{exc} (`mojodex terms accept`)") from None
            ctx.print(f"The account has not accepted the terms and conditions of {ctx.server_url}; nothing can run "
                      "until it does.")
            if not await ctx.confirm("Accept them now? (y/N)", default=False):
                raise MojodexError("the terms and conditions were not accepted: `terms accept` accepts them") from None
            await ctx.server.accept_terms()
            ctx.print("Accepted.")
            return await ctx.server.create_run(ref)

    async def run_server(self, ctx: Context, ref: str, given: dict[str, str], assume_yes: bool,
                         json_mode: bool = False, jsonl: bool = False) -> int | None:
        from mojodex_core import ask_inputs
        from mojodex_workflow.run import ServerRun, follow_run

        await ctx.require_user()
        info = await ctx.server.workflow(ref)
        if info is not None and info.kind == "instruct":
            return None  # not a workflow: the task plugin runs instruct tasks (through this same hook)
        if info is not None and info.inputs:  # check what can be checked before anything is created
            check_inputs(_listed_inputs(info), given, interactive=ctx.interactive, assume_yes=assume_yes,
                         what=f"workflow {ref}")
        values: dict[str, Any] = {}
        files: dict[str, Any] = {}
        if info is not None and info.input_specs and (await ctx.server.capabilities()).inputs_listed:
            # The list gives the inputs: asked before the run exists, so that leaving at a question leaves nothing.
            values, files = await ask_inputs(ctx, list(info.input_specs), given, assume_yes=assume_yes,
                                             what=f"workflow {ref}")
        run = await self._create(ctx, ref)
        owner = ServerRun(ctx, run, assume_yes=assume_yes, json_mode=json_mode, jsonl=jsonl)
        unasked = [spec for spec in run.inputs if spec.name not in values]
        if unasked:
            owner.created()  # `workflow resume` asks them if the user leaves at one of them

        async def body() -> int:
            if unasked:
                more, more_files = await ask_inputs(ctx, unasked, given, assume_yes=assume_yes,
                                                    what=f"workflow {ref}")
                values.update(more)
                files.update(more_files)
            await owner.start(values, files)
            return await owner.drive()

        return await follow_run(ctx, owner, body())

    async def resume_server(self, ctx: Context, pk: int, assume_yes: bool, json_mode: bool = False,
                            jsonl: bool = False) -> int:
        from mojodex_workflow.run import ServerRun, follow_run

        run = await ctx.server.read_run(pk)
        owner = ServerRun(ctx, run, assume_yes=assume_yes, json_mode=json_mode, jsonl=jsonl)
        state = owner.pick_up()
        if state == "not started":
            async def first_start() -> int:
                await owner.ask_and_start()
                return await owner.drive()

            return await follow_run(ctx, owner, first_start())
        if state == "finished":
            owner.say(f"Run {pk} has finished: nothing waits for validation.")
            if json_mode:
                owner.print_document()
            self._write_output(ctx, run)
            return 0
        return await follow_run(ctx, owner, owner.resume())

    # -- completion: what `workflow list` showed (mojodex_workflow.completion loads the rest) ---------------

    def _remember(self, results: list[Any]) -> list[WorkflowInfo]:
        workflows = [w for batch in results if isinstance(batch, list) for w in batch if isinstance(w, WorkflowInfo)]
        self.listed.update({w.ref: w for w in workflows})
        return workflows


def _report_failures(ctx: Context, failures: list[tuple[str, BaseException]], what: str) -> int:
    """One error line per source of a list that failed (``what``: "workflows", "runs"); 1 when one did."""
    for plugin, exc in failures:
        source = f"server {what}" if plugin == "workflow" else f"{what} of plugin {plugin}"
        if isinstance(exc, MojodexError):
            ctx.error(f"{source}: {exc}")
        else:
            ctx.log_exception(exc, f"listing {what} of {plugin}")
            ctx.error(f"{source}: failed with {type(exc).__name__}")
    return 1 if failures else 0


def _started(value: Any) -> float:
    """A run's start as a timestamp, to sort runs of every source together (unknown: oldest)."""
    from datetime import datetime

    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return 0.0
    return when.timestamp() if when.tzinfo is not None else when.astimezone().timestamp()


def _listed_inputs(info: WorkflowInfo) -> list[Any]:
    from mojodex_core import InputSpec

    # The list's defaults, as the parser read them (never the raw payload: a server may send anything there).
    defaults = {spec.name: spec.default for spec in info.input_specs}
    return [InputSpec(name, default=defaults.get(name)) for name in info.inputs]
