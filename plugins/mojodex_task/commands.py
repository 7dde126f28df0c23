"""The ``task`` commands' bodies: list tasks, run one and talk with its assistant, read past runs back.

Imported when a ``task`` command runs (``mojodex help`` does not pay for it).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    ArgumentParser,
    CommandCancelled,
    MojodexError,
    NotInteractiveError,
    RunInfo,
    UsageError,
    WorkflowInfo,
    ask_inputs,
    atomic_write,
    input_text,
    one_line,
    parse_assignments,
    pk_arg,
    result_lines,
    sanitize,
)
from mojodex_task import render
from mojodex_task.conversation import Conversation, Reply, message_parts

if TYPE_CHECKING:
    from mojodex_core import Context

RUNS_PAGE = 20  # runs shown at a time by `task runs` (the server's pages are 50)


# -- arguments -------------------------------------------------------------------------------------------------


TASK_HEADERS = ("TASK", "NAME", "KIND", "DESCRIPTION")


def task_row(info: WorkflowInfo) -> tuple[str, str, str, str]:
    """``("14", "🌸 Write poem", "workflow", "Write a poem stanza by stanza")``: a row of `task list`."""
    return (info.ref, " ".join([info.icon, info.name] if info.icon else [info.name]), info.kind, info.description)


def run_date(text: str) -> str:
    """A server date (``2026-12-02T14:24:09+00:00``) as the user's local ``2026-12-02 15:24``."""
    import datetime

    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return one_line(text, 20) or "-"
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


RUN_HEADERS = ("RUN", "STARTED", "TITLE", "TASK", "TEXT")


def run_row(ctx: Context, run: RunInfo) -> tuple[str, ...]:
    """``("57", "2026-12-02 15:24", "💡 Note to the team", "General Assistance", "text")``: a row of `task runs`."""
    title = run.title or run.name or "(untitled)"
    has_text = run.produced is not None and bool(run.produced.text.strip())
    return (str(run.pk), run_date(run.started) if run.started else "-", f"{run.icon} {title}" if run.icon else title,
            run.name if run.name and run.name != title else "",
            ctx.style("text", "ok") if has_text else ctx.style("no text yet", "muted"))


def run_json(run: RunInfo) -> dict[str, Any]:
    produced = run.produced
    return {"run_pk": run.pk, "started": run.started or None, "title": run.title, "task": run.name,
            "task_type": run.kind, "icon": run.icon, "user_task_pk": run.ref or None,
            "has_text": produced is not None and bool(produced.text.strip()),
            "produced_text_title": produced.title if produced else None}


# -- task list ---------------------------------------------------------------------------------------------------


async def list_tasks(ctx: Context, args: list[str], remember: Any) -> int:
    ns = list_parser().parse(ctx, args)
    await ctx.require_user()
    if (await ctx.server.capabilities()).instruct_tasks:
        tasks = await ctx.server.list_tasks()
    else:
        tasks = await ctx.server.list_workflows()  # a server without tasks: its workflows are all there is
    remember(tasks)
    if ns.json:
        ctx.print(json.dumps([{"ref": t.ref, "name": t.name, "icon": t.icon, "description": t.description,
                               "type": t.kind} for t in tasks], ensure_ascii=False, indent=2))
    elif not tasks:
        ctx.print("No tasks.")
    else:
        with ctx.paged():
            ctx.table((task_row(t) for t in tasks), TASK_HEADERS)
    return 0


def list_parser() -> ArgumentParser:
    parser = ArgumentParser("task list", description="List the tasks you can run, instruct tasks and workflows")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


# -- running and talking -------------------------------------------------------------------------------------------


def run_parser(name: str) -> ArgumentParser:
    parser = ArgumentParser(name, epilog="After a draft, `you> ` takes a message that changes it; an empty line, "
                                         "Ctrl-D or /done ends the conversation (`task resume RUN` reopens it).")
    parser.add_argument("ref", metavar="TASK" if name.endswith("run") else "RUN",
                        help="the task's number (`task list`)" if name.endswith("run")
                        else "the run's number (`task runs`)")
    if name.endswith("run"):
        parser.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                            help="give an input's value instead of being asked (NAME=@PATH for a file)")
        parser.add_argument("--audio", metavar="PATH",
                            help="start the run from a voice message (an audio file) instead of its form")
    else:
        parser.add_argument("--message", "-m", metavar="TEXT", help="send TEXT, print the answer and stop")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="ask nothing: inputs take their defaults, and the command ends at the first draft")
    parser.add_argument("--json", action="store_true", help="print the first answer as one JSON document")
    parser.add_argument("--plain", action="store_true", help="show drafts as plain text, not rendered Markdown")
    return parser


async def cmd_run(ctx: Context, args: list[str]) -> int:
    ns = run_parser("task run").parse(ctx, args)
    given = parse_assignments(ns.input)
    ref = ns.ref.strip()
    await ctx.require_user()
    info = await ctx.server.workflow(ref) if ref.isdigit() else None
    if info is None or info.kind != "instruct":
        # A workflow (or something another plugin runs): the workflow commands' own route.
        if ns.audio is not None and info is not None:
            raise UsageError(f"task {one_line(ref, 60)} is a workflow: --audio starts instruct tasks only")
        status = await ctx.call_hook("mojodex_run_workflow", ref=ref, inputs=given, assume_yes=ns.yes,
                                     json_mode=ns.json, jsonl=False, output=None)
        if status is None:
            raise MojodexError(f"no task {one_line(ref, 60)!r}: `task list` shows what you can run")
        return int(status)
    if ns.audio is not None:
        if given:
            raise UsageError("--audio starts the run from a voice message instead of its form: no --input with it")
        return await run_by_voice(ctx, ref, ns.audio, assume_yes=ns.yes, json_mode=ns.json, plain=ns.plain)
    return await run_instruct(ctx, ref, given, assume_yes=ns.yes, json_mode=ns.json, plain=ns.plain)


async def run_by_voice(ctx: Context, ref: str, audio: str, *, assume_yes: bool, json_mode: bool,
                       plain: bool = False) -> int:
    """Create a run of instruct task ``ref`` and start it with the voice message in the file ``audio`` instead of
    its form (Mojodex 0.4 starts a run that way, without the form's inputs); then as ``run_instruct``."""
    from mojodex_task.voice import check_audio, send_audio

    path = check_audio(audio)  # before the run is created: a wrong file leaves nothing behind
    run = await ctx.server.create_run(ref)
    run.kind = "instruct"
    conv = Conversation(ctx, run, plain=plain, json_mode=json_mode)
    chat = ctx.interactive and not assume_yes and not json_mode

    async def body() -> int:
        try:
            heard = await send_audio(ctx, run, path)
        except MojodexError as exc:
            raise MojodexError(f"{exc} (run {run.pk} has not started: `task resume {run.pk}` asks its inputs)"
                               ) from None
        await ctx.call_hook("mojodex_run_started", run=run)
        if conv.show:
            ctx.print(f"Run {run.pk} started by a voice message: {run.name or 'the task'}.")
            ctx.print(f"You (voice): {heard}")
        return await answer(ctx, conv, await conv.reply(), chat)

    return await converse(ctx, conv, body())


async def run_instruct(ctx: Context, ref: str, given: dict[str, str], *, assume_yes: bool, json_mode: bool,
                       plain: bool = False) -> int:
    """Create a run of instruct task ``ref``, ask its inputs, start it, and show the assistant's answer; then,
    at a terminal, the conversation goes on at ``you>`` until the user leaves."""
    run = await ctx.server.create_run(ref)
    return await start_instruct(ctx, run, given, assume_yes=assume_yes, json_mode=json_mode, plain=plain)


async def start_instruct(ctx: Context, run: RunInfo, given: dict[str, str], *, assume_yes: bool, json_mode: bool,
                         plain: bool = False) -> int:
    """Ask the inputs of a created run of an instruct task, start it, and show the assistant's answer (then the
    conversation, at a terminal). Ctrl-C at an input leaves the run created and not started: `task resume` asks
    its inputs again."""
    run.kind = "instruct"
    conv = Conversation(ctx, run, plain=plain, json_mode=json_mode)
    chat = ctx.interactive and not assume_yes and not json_mode

    async def body() -> int:
        try:
            values, files = await ask_inputs(ctx, run.inputs, given, assume_yes=assume_yes,
                                             what=f"task {run.ref or run.pk}")
        except CommandCancelled:
            ctx.print(f"Run {run.pk} has not started; `task resume {run.pk}` asks its inputs.", err=True)
            raise CommandCancelled("") from None  # that line said what Ctrl-C did
        run.values = await ctx.server.start_run(run, values, files)
        await ctx.call_hook("mojodex_run_started", run=run)
        if conv.show:
            ctx.print(f"Run {run.pk} started: {run.name or 'the task'}.")
        return await answer(ctx, conv, await conv.reply(), chat)

    return await converse(ctx, conv, body())


async def answer(ctx: Context, conv: Conversation, reply: Reply, chat: bool) -> int:
    """After the assistant's first answer: the conversation (at a terminal), or the answer printed for a script."""
    if chat and reply.kind in ("draft", "question"):
        await conv.chat()
        return 0
    if conv.json_mode:
        conv.print_document(reply)
    elif reply.kind == "draft" and reply.draft is not None and not conv.show:
        ctx.write(render.plain(reply.draft.title, reply.draft.text))
    elif reply.kind == "question" and not conv.show:
        ctx.print(reply.text)
    if reply.kind == "question":
        ctx.error(f"the assistant asks a question before it writes: answer it with `mojodex task resume {conv.pk} "
                  f"--message \"...\"` (or `task resume {conv.pk}` in the shell)")
        conv.status = "left"
        return 1
    if reply.kind == "error":
        ctx.error(f"the assistant failed: {reply.text}")
        conv.status = "failed"
        return 1
    return 0


async def converse(ctx: Context, conv: Conversation, body: Any) -> int:
    """Follow the run's session around ``body`` (which shows the conversation), then say how it ended.

    Ctrl-C while the assistant writes stops the display only: the run goes on on the server; its session stays
    followed (detached) until the reply is in, so that the reply is still acknowledged.
    """
    await ctx.server.follow(conv.run.session_id, conv)
    status = 1
    try:
        status = int(await body)
        return status
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is None or task.uncancel() > 0:
            conv.detach()
            raise
        conv.detach()
        ctx.print(f"Stopped showing {conv.label}; the assistant carries on on the server: {conv.reopen()} reopens the "
                  "conversation.", err=True)
        conv.status = "left"
        status = 130
        return status
    except CommandCancelled:
        conv.end_stream()
        conv.status = "left"
        raise
    except MojodexError:
        conv.end_stream()
        conv.status = "left" if conv.status == "running" else conv.status
        raise
    finally:
        if conv.must_stay and not conv.detached:
            conv.detach()
        if not conv.detached:  # a detached one lets go by itself once the reply is in (and acknowledged)
            await ctx.server.unfollow(conv.run.session_id)
        if conv.status == "running":
            conv.status = "finished" if conv.draft is not None else "left"
        if conv.show and status == 0 and conv.draft is not None:
            ctx.print(f"Run {conv.pk} stays on the server: `task text {conv.pk}` prints its text, `task resume "
                      f"{conv.pk}` reopens the conversation.")
        if conv.run.kind != "chat":  # a chat that started no task has no run to end
            await ctx.call_hook("mojodex_run_ended", run=conv.run, status=conv.status)


async def cmd_resume(ctx: Context, args: list[str]) -> int:
    ns = run_parser("task resume").parse(ctx, args)
    pk = pk_arg(ns.ref, "RUN")
    await ctx.require_user()
    run = await ctx.server.read_run(pk)
    if run.kind != "instruct" and (await ctx.server.capabilities()).result_chat:
        from mojodex_task.result_chat import finished, resume_result

        if finished(run):
            return await resume_result(ctx, run, message=ns.message, json_mode=ns.json, plain=ns.plain,
                                       assume_yes=ns.yes)
    if run.kind != "instruct":
        if ns.message:
            raise MojodexError(f"run {pk} is a workflow run that has not finished: --message is for instruct tasks "
                               "and finished workflow runs")
        status = await ctx.call_hook("mojodex_resume_workflow", ref=str(pk), assume_yes=ns.yes, json_mode=ns.json,
                                     jsonl=False, output=None)
        if status is None:
            raise MojodexError(f"no run {pk} to resume")
        return int(status)
    return await resume_instruct(ctx, run, message=ns.message, json_mode=ns.json, plain=ns.plain,
                                 assume_yes=ns.yes)


async def resume_instruct(ctx: Context, run: RunInfo, *, message: str | None = None, json_mode: bool = False,
                          plain: bool = False, assume_yes: bool = False) -> int:
    """Reopen an instruct run's conversation: its latest draft (or pending question), then ``you>``."""
    if not message and (not ctx.interactive or json_mode or assume_yes):
        raise NotInteractiveError(f"reopening the conversation of run {run.pk} needs a terminal: pass --message "
                                  "TEXT to send one message and print the answer")
    if not run.started and run.produced is None and not message:
        # Left at its first input question: nothing was said yet, so ask its inputs and start it now.
        return await start_instruct(ctx, run, {}, assume_yes=assume_yes, json_mode=json_mode, plain=plain)
    conv = Conversation(ctx, run, plain=plain, json_mode=json_mode)
    messages = await ctx.server.messages(run)
    conv.seen(messages)
    pending = ""
    if messages:
        sender, text, draft = message_parts(messages[0])  # newest first
        if sender == "mojo" and draft is None:
            pending = sanitize(text).strip()

    async def body() -> int:
        await ctx.call_hook("mojodex_run_started", run=run)
        if conv.show:
            draft = conv.draft if not message else None
            same = draft is not None and draft.title == run.title  # the draft's heading shows it: once is enough
            ctx.print(f"Run {run.pk}: {run.name or 'a task'}" + (f" - {run.title}" if run.title and not same else ""))
            if draft is not None:
                conv.show_draft(draft)
                ctx.print(f"(version {conv.version} of run {run.pk})")
            if pending:
                ctx.print(f"Assistant: {pending}")
        if message:
            return await answer(ctx, conv, await conv.send(message), chat=False)
        await conv.chat()
        return 0

    return await converse(ctx, conv, body())


# -- past runs -------------------------------------------------------------------------------------------------


async def cmd_runs(ctx: Context, args: list[str]) -> int:
    ns = runs_parser().parse(ctx, args)
    if ns.limit is not None and ns.limit < 1:
        raise UsageError("--limit must be at least 1")
    await ctx.require_user()
    if not (await ctx.server.capabilities()).run_history:
        raise MojodexError(f"the list of past runs is not in the {ctx.server.api} dialect of the protocol this "
                           "server speaks")
    refs = tuple(dict.fromkeys(str(pk_arg(ref, "--task")) for ref in ns.task))
    if refs and not (await ctx.server.capabilities()).tidy_history:
        raise MojodexError(f"listing runs by task is not in the {ctx.server.api} dialect of the protocol this "
                           "server speaks")
    target = None if ns.all else (ns.limit or RUNS_PAGE)
    pager = ctx.interactive and not ns.json and not ns.all and ns.limit is None  # Enter shows the next ones
    found: list[RunInfo] = []
    known: set[str] = set()
    offset, exhausted, shown = 0, False, 0
    while True:
        # One run more than is shown, to know whether there are more to offer.
        while not exhausted and (target is None or len(found) <= target):
            page = await ctx.server.list_runs(limit=50, offset=offset, search=ns.search, refs=refs)
            offset += 50
            exhausted = len(page) < 50
            for run in page:  # a run started meanwhile shifts the pages: never list one twice
                if str(run.pk) not in known:
                    known.add(str(run.pk))
                    found.append(run)
        upto = len(found) if target is None else min(target, len(found))
        if not ns.json and upto > shown:
            ctx.table((run_row(ctx, run) for run in found[shown:upto]), RUN_HEADERS if not shown else None)
        shown = upto
        if not pager or target is None or shown >= len(found):
            break
        try:
            go_on = await ctx.confirm("More runs? (Y/n)")
        except CommandCancelled:
            go_on = False
        if not go_on:
            break
        target += RUNS_PAGE
    if ns.json:
        ctx.print(json.dumps([run_json(r) for r in found[:shown]], ensure_ascii=False, indent=2))
    elif not found:
        which = [f"whose title contains {ns.search!r}"] if ns.search else []
        which += [f"of task {' or '.join(refs)}"] if refs else []
        ctx.print("No runs " + " and ".join(which) + "." if which else "No runs yet.")
    return 0


def runs_parser() -> ArgumentParser:
    parser = ArgumentParser("task runs", description="List your past runs, newest first")
    parser.add_argument("--limit", "-n", type=int, default=None, metavar="N",
                        help=f"show N runs (default {RUNS_PAGE}; in the shell, Enter shows more)")
    parser.add_argument("--all", "-a", action="store_true", help="every run, every page")
    parser.add_argument("--search", "-s", default="", metavar="TEXT", help="runs whose title contains TEXT")
    parser.add_argument("--task", "-t", action="append", default=[], metavar="PK",
                        help="runs of task PK only (`task list`); repeat it for several tasks")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


# -- reading a run back ------------------------------------------------------------------------------------------


async def cmd_show(ctx: Context, args: list[str]) -> int:
    ns = show_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "RUN")
    await ctx.require_user()
    run = await ctx.server.read_run(pk)
    messages: list[dict[str, Any]] = []
    if (await ctx.server.capabilities()).instruct_tasks:
        messages = list(reversed(await ctx.server.messages(run)))  # the server lists them newest first
    if ns.json:
        ctx.print(json.dumps({**run.raw, "messages": messages}, ensure_ascii=False, indent=2))
        return 0
    head = f"Run {run.pk}: {run.icon + ' ' if run.icon else ''}{run.name or '(unnamed task)'} ({run.kind})"
    ctx.print(head + (f" - {run.title}" if run.title else ""))
    if run.started:
        ctx.print(f"Started: {run_date(run.started)}")
    elif run.kind == "instruct" and run.produced is None and not messages:
        ctx.print(f"Run {run.pk} has not started: `task resume {run.pk}` asks its inputs.")
        return 0
    if run.values:
        ctx.print("Inputs:")
    for name, value in run.values.items():
        ctx.print(f"  {name} = {input_text(value)}")
    if run.steps or run.step_names:
        ctx.print("Steps:")
    for step in run.steps:
        state = ("validated" if step.validated is True else f"failed: {step.error}" if step.error
                 else "waiting for validation" if step.result is not None else "running")
        ctx.print(f"  {step.step_name} (execution {step.step_execution_pk}): {state}")
        for line in result_lines(step.result)[1:] if step.result is not None else []:
            ctx.print(f"    {line}")
    if messages:
        ctx.print("Conversation:")
    for message in messages:
        sender, text, draft = message_parts(message)
        if message.get("sender") == "system":
            continue  # the backend's own state ("ACHIEVED WORKFLOW STEPS ..."): the web app never shows it
        who = "you" if sender == "user" else "assistant"
        if draft is not None:
            ctx.print(f"  {who}: [draft] {one_line(draft.title, 100) or '(untitled)'}")
        else:
            lines = sanitize(text).strip().splitlines() or [""]
            ctx.print(f"  {who}: {lines[0]}")
            for line in lines[1:]:
                ctx.print(f"    {line}")
    produced = run.produced
    if produced is not None and produced.text.strip():
        version = f", version {produced.version}" if produced.version else ""
        ctx.print(f"Produced text{version}:")
        ctx.write(render.markdown(produced, run.title or run.name))
    else:
        ctx.print("No produced text yet.")
    return 0


async def cmd_text(ctx: Context, args: list[str]) -> int:
    ns = text_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "RUN")
    if ns.version is not None and ns.version < 1:
        raise UsageError("--version counts from 1")
    if ns.delete:
        if ns.version is not None or ns.output is not None:
            raise UsageError("--delete deletes the whole produced text: it takes no --version or --output")
        from mojodex_task.history import delete_text

        return await delete_text(ctx, pk, ns.yes, ns.json)
    await ctx.require_user()
    produced = await ctx.server.produced_text(pk, ns.version)
    if produced is None or not (produced.text.strip() or produced.title):
        which = f" version {ns.version}" if ns.version else ""
        raise MojodexError(f"run {pk} has no produced text{which} yet")
    text = render.markdown(produced)
    if ns.json:
        ctx.print(json.dumps({"run_pk": pk, "title": produced.title, "body": produced.text,
                              "produced_text_pk": produced.pk, "produced_text_version_pk": produced.version_pk,
                              "version": produced.version}, ensure_ascii=False, indent=2))
        return 0
    if ns.output is None:
        ctx.write(text)
        return 0
    path = Path(ns.output).expanduser()
    try:
        await asyncio.to_thread(atomic_write, path, text, 0o644)
    except OSError as exc:
        raise MojodexError(f"cannot write {path}: {exc.strerror or exc}") from None
    ctx.print(f"Wrote {path}.", err=True)
    return 0


def show_parser() -> ArgumentParser:
    parser = ArgumentParser("task show", description="Show a run: its inputs, steps, conversation and produced text")
    parser.add_argument("pk", metavar="RUN", help="the run's number (`task runs` lists them)")
    parser.add_argument("--json", action="store_true", help="print the run and its conversation as JSON")
    return parser


def text_parser() -> ArgumentParser:
    parser = ArgumentParser("task text", description="Print a run's produced text (Markdown), or write it to a file")
    parser.add_argument("pk", metavar="RUN", help="the run's number (`task runs` lists them)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the text to FILE (Markdown) instead")
    # -V as well: short, as -o is for --output.
    parser.add_argument("--version", "-V", type=int, default=None, metavar="K",
                        help="the K-th version (1 is the first draft; default: the latest)")
    parser.add_argument("--json", action="store_true", help="print the text and its numbers as JSON")
    parser.add_argument("--delete", action="store_true", help="delete the produced text (asks first)")
    parser.add_argument("--yes", "-y", action="store_true", help="with --delete: delete without asking")
    return parser
