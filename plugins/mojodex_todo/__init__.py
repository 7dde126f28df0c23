"""The ``todo`` commands: Mojodex 0.4's to-do list, the follow-ups the assistant finds in each run ("send the
minutes to Paul by Friday"); and the unread count in the toolbar, as the web app's badge.

This module is imported at every start of the shell: it holds the hooks and the command table only. The commands'
bodies and parsers (``commands``) are imported when one is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl

if TYPE_CHECKING:
    import asyncio  # imported when a count is read: `mojodex help` does not pay for it

    from mojodex_core import Context

# After these, Tab's todo numbers and the unread count are read again (a run may have written todos).
CHANGES_TODOS = ("todo done", "todo delete", "task run", "task resume", "workflow run", "workflow resume", "login")


def _commands() -> Any:
    from mojodex_todo import commands

    return commands


class TodoPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.unread: int | None = None  # the to-do list's unread count, as last read (None: unknown)
        self.seen: dict[str, Any] = {}  # Todo by pk, from the last listing: Tab's values, and the hook's todos
        self._tasks: set[asyncio.Task[None]] = set()

    # -- hooks -----------------------------------------------------------------------------------------------

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("todo list", self.cmd_list, help="List your open todos, the follow-ups the assistant found in runs",
                 parser=lambda: _commands().list_parser())
        register("todo done", self.cmd_done, help="Tick a todo: it leaves the list", complete=self.complete,
                 parser=lambda: _commands().done_parser())
        register("todo delete", self.cmd_delete, help="Delete a todo (asks first)", complete=self.complete,
                 parser=lambda: _commands().delete_parser())

    @hookimpl
    def mojodex_toolbar(self) -> str | None:
        return f"todos: {self.unread} new" if self.unread else None

    @hookimpl
    def mojodex_auth_changed(self, ctx: Context) -> None:
        self.unread, self.seen = None, {}
        if ctx.user is not None and ctx.in_shell:
            self._refresh(ctx)  # a login at the prompt: the badge of the new account

    @hookimpl
    def mojodex_run_ended(self, ctx: Context) -> None:
        if ctx.in_shell and ctx.user is not None:
            self._refresh(ctx)  # the run's todos are written when it ends

    @hookimpl
    async def mojodex_completions(self, ctx: Context, after: str | None) -> dict[str, Any] | None:
        """The todo numbers for Tab, and the unread count, as the prompt first shows and after what may change
        them (the loader asks nothing of the user, and the core tells it apart from a command)."""
        if ctx.user is None or (after is not None and after not in CHANGES_TODOS):
            return None
        if not (await ctx.server.capabilities()).todos:
            return None
        page = await ctx.server.todos()
        self.unread = page.unread
        self.seen = {str(t.pk): t for t in page.todos}
        return {name: self.complete(ctx, []) for name in ("todo done", "todo delete")}

    @hookimpl
    def mojodex_shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _refresh(self, ctx: Context) -> None:
        async def read() -> None:
            count = await ctx.server.unread_todos()
            if count is not None and count != self.unread:
                self.unread = count
                ctx.refresh_toolbar()  # the count came while the prompt waited for a key

        import asyncio

        try:
            task = asyncio.get_running_loop().create_task(read())
        except RuntimeError:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def complete(self, ctx: Context, args: list[str]) -> list[tuple[str, str]]:
        """The todos of the last listing (no request: Tab must be quick)."""
        if args:
            return []
        return [(pk, f"{t.due} {t.description}".strip()[:60]) for pk, t in self.seen.items() if not t.done]

    # -- commands (their bodies are in mojodex_todo.commands) --------------------------------------------------

    async def cmd_list(self, ctx: Context, args: list[str]) -> int:
        with ctx.paged():
            return int(await _commands().cmd_list(ctx, args, self))

    async def cmd_done(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_done(ctx, args, self))

    async def cmd_delete(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_delete(ctx, args, self))
