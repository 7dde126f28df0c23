"""The ``task`` commands: Mojodex 0.4's tasks, instruct tasks above all (the assistant writes a document that the
user refines by chatting), their past runs and produced texts.

This module is imported at every start of the shell: it holds the hooks and the command table only. The commands'
bodies (``commands``, ``history`` for hand edits, renames and deletes), the run's owners (``conversation``,
``result_chat``), the streaming (``stream``) and the Markdown rendering (``render``, which imports rich) are
imported when a command needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context

DEFAULTS = {"task": {"reply_timeout_seconds": 120.0, "markdown": True}}


def _commands() -> Any:
    """The commands' bodies and parsers, imported when one is used (help and Tab build the parsers)."""
    from mojodex_task import commands

    return commands


def _history() -> Any:
    """Editing, renaming and deleting (their bodies and parsers), imported when one is used."""
    from mojodex_task import history

    return history


class TaskPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.ctx: Context | None = None
        self.listed: dict[str, Any] = {}  # WorkflowInfo by ref, from the last `task list`, for completion
        self._completions: Any = None  # mojodex_task.completion.TaskCompletions, once the shell asks

    # -- hooks -----------------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return DEFAULTS

    @hookimpl
    def mojodex_startup(self, ctx: Context) -> None:
        self.ctx = ctx

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        # No `workflow runs` alias: the workflow plugin owns that name (local and server runs, each marked).
        register("task list", self.cmd_list, help="List the tasks you can run, instruct tasks and workflows",
                 aliases=("tl",), parser=lambda: _commands().list_parser())
        register("task run", self.cmd_run, help="Run a task: the assistant writes a draft, you refine it by chatting",
                 aliases=("tr",), parser=lambda: _commands().run_parser("task run"))
        register("task runs", self.cmd_runs, help="List your past runs, newest first",
                 parser=lambda: _commands().runs_parser())
        register("task show", self.cmd_show, help="Show a run: its inputs, steps, conversation and produced text",
                 parser=lambda: _commands().show_parser())
        register("task text", self.cmd_text, help="Print a run's produced text (Markdown), or write it to a file",
                 parser=lambda: _commands().text_parser())
        register("task resume", self.cmd_resume, help="Reopen a run's conversation, or chat on a workflow's result",
                 parser=lambda: _commands().run_parser("task resume"))
        register("task edit", self.cmd_edit, help="Edit a run's produced text by hand: saving writes a new version",
                 parser=lambda: _history().edit_parser())
        register("task rename", self.cmd_rename, help="Give a run a new title",
                 parser=lambda: _history().rename_parser())
        register("task delete", self.cmd_delete, help="Delete a run from your history (asks first)",
                 parser=lambda: _history().delete_parser())

    @hookimpl
    async def mojodex_run_workflow(self, ctx: Context, ref: str, inputs: dict[str, str], assume_yes: bool,
                                   json_mode: bool) -> Any:
        """``workflow run N`` on an instruct task: the task plugin runs it (workflows are left to the others)."""
        ref = ref.strip()
        if not ref.isdigit():
            return None
        await ctx.require_user()
        if not (await ctx.server.capabilities()).instruct_tasks:
            return None
        info = await ctx.server.workflow(ref)
        if info is None or info.kind != "instruct":
            return None
        from mojodex_task.commands import run_instruct

        return await run_instruct(ctx, ref, inputs, assume_yes=assume_yes, json_mode=json_mode)

    @hookimpl
    async def mojodex_resume_workflow(self, ctx: Context, ref: str, assume_yes: bool, json_mode: bool) -> Any:
        """``workflow resume N`` on an instruct task's run reopens its conversation."""
        ref = ref.strip()
        if not ref.isdigit() or not (await ctx.server.capabilities()).instruct_tasks:
            return None
        run = await ctx.server.read_run(int(ref))
        if run.kind != "instruct":
            return None
        from mojodex_task.commands import resume_instruct

        return await resume_instruct(ctx, run, json_mode=json_mode, assume_yes=assume_yes)

    # -- commands (their bodies are in mojodex_task.commands) --------------------------------------------------

    async def cmd_list(self, ctx: Context, args: list[str]) -> int:
        from mojodex_task.commands import list_tasks

        return await list_tasks(ctx, args, self._remember)

    async def cmd_run(self, ctx: Context, args: list[str]) -> int:
        from mojodex_task.commands import cmd_run

        return await cmd_run(ctx, args)

    async def cmd_runs(self, ctx: Context, args: list[str]) -> int:
        from mojodex_task.commands import cmd_runs

        return await cmd_runs(ctx, args)

    async def cmd_show(self, ctx: Context, args: list[str]) -> int:
        from mojodex_task.commands import cmd_show

        with ctx.paged():
            return await cmd_show(ctx, args)

    async def cmd_text(self, ctx: Context, args: list[str]) -> int:
        from mojodex_task.commands import cmd_text

        with ctx.paged():
            return await cmd_text(ctx, args)

    async def cmd_resume(self, ctx: Context, args: list[str]) -> int:
        from mojodex_task.commands import cmd_resume

        return await cmd_resume(ctx, args)

    async def cmd_edit(self, ctx: Context, args: list[str]) -> int:
        return int(await _history().cmd_edit(ctx, args))

    async def cmd_rename(self, ctx: Context, args: list[str]) -> int:
        return int(await _history().cmd_rename(ctx, args))

    async def cmd_delete(self, ctx: Context, args: list[str]) -> int:
        return int(await _history().cmd_delete(ctx, args))

    # -- completion --------------------------------------------------------------------------------------------

    def _remember(self, tasks: list[Any]) -> None:
        self.listed = {t.ref: t for t in tasks}

    @hookimpl
    async def mojodex_completions(self, ctx: Context, after: str | None) -> dict[str, Any]:
        from mojodex_task.completion import TaskCompletions

        if self._completions is None:
            self._completions = TaskCompletions()
        return await self._completions.load(ctx, after, self.listed)
