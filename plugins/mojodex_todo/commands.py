"""The ``todo`` commands' bodies: list the to-do list (or a run's todos) and mark what was shown as read, tick a
todo, delete one.

Imported when a ``todo`` command runs (``mojodex help`` does not pay for it).
"""

from __future__ import annotations

import asyncio
import datetime
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    ArgumentParser,
    MojodexError,
    Todo,
    one_line,
    pk_arg,
)

if TYPE_CHECKING:
    from mojodex_core import Context

PAGE = 50  # the server's pages
HEADERS = ("TODO", "DUE", "RUN", "DESCRIPTION")


def due_text(due: str, today: datetime.date | None = None) -> str:
    """``today``, ``tomorrow`` or the date as the server gives it (``2026-12-09``)."""
    try:
        day = datetime.date.fromisoformat(due)
    except ValueError:
        return one_line(due, 12) or "-"
    today = today or datetime.date.today()
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get((day - today).days, due)


def todo_row(ctx: Context, todo: Todo, with_state: bool) -> tuple[str, ...]:
    description = todo.description or "(no description)"
    if with_state and todo.done:
        description = f"[done] {description}"
    pk = ctx.style(str(todo.pk), "bold") if not todo.read else str(todo.pk)  # new ones stand out
    return (pk, due_text(todo.due), str(todo.run_pk) if todo.run_pk is not None else "-", description)


def todo_json(todo: Todo) -> dict[str, Any]:
    return {"todo_pk": todo.pk, "description": todo.description, "due": todo.due or None, "run_pk": todo.run_pk,
            "done": todo.done, "read": todo.read, "created": todo.created or None}


# -- todo list ---------------------------------------------------------------------------------------------------


def list_parser() -> ArgumentParser:
    parser = ArgumentParser("todo list", description="List your open todos due today or later, soonest first (the "
                            "follow-ups the assistant found in your runs); what is shown is marked as read",
                            epilog="A todo shows under the date it is due; one scheduled again later shows under "
                                   "its latest date.")
    parser.add_argument("--run", "-r", metavar="RUN", help="the todos of run RUN instead, done and past ones too")
    parser.add_argument("--all", "-a", action="store_true", help=f"every page (the server gives {PAGE} at a time)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


async def cmd_list(ctx: Context, args: list[str], plugin: Any) -> int:
    ns = list_parser().parse(ctx, args)
    run_pk = pk_arg(ns.run, "RUN") if ns.run is not None else None
    await ctx.require_user()
    page = await ctx.server.todos(run_pk)
    todos, unread, more = list(page.todos), page.unread, len(page.todos) >= PAGE
    while ns.all and more:
        page = await ctx.server.todos(run_pk, offset=len(todos))
        known = {str(t.pk) for t in todos}
        todos += [t for t in page.todos if str(t.pk) not in known]
        unread, more = page.unread, len(page.todos) >= PAGE and bool(page.todos)
    if ns.json:
        ctx.print(json.dumps([todo_json(t) for t in todos], ensure_ascii=False, indent=2))
    elif todos:
        ctx.table((todo_row(ctx, t, run_pk is not None) for t in todos), HEADERS)
        if more:
            ctx.print(f"(the first {len(todos)}: `todo list --all` lists them all)", err=True)
    elif run_pk is not None:
        ctx.print(f"Run {run_pk} has no todos.")
    elif page.never_had:
        ctx.print("No todos yet: the assistant writes them when a task run ends.")
    else:
        ctx.print("No open todos due today or later.")
    # Marked one by one, exactly those shown: the run-wide and user-wide marks would also clear todos nobody saw
    # (past ones, those of other pages), and the badge would lie.
    fresh = [t for t in todos if not t.read]
    marked = await _mark_read(ctx, fresh)
    if run_pk is None:
        plugin.unread = max(0, unread - marked)  # every todo shown counts in the to-do list's badge
    else:
        plugin._refresh(ctx)
    plugin.seen = {str(t.pk): t for t in todos}
    await ctx.call_hook("mojodex_todos", todos=todos, change="listed")
    return 0


async def _mark_read(ctx: Context, todos: list[Todo]) -> int:
    """Mark ``todos`` as read (a few at a time); returns how many were. A failure is logged: the list was shown."""
    marked = 0
    for start in range(0, len(todos), 8):
        results = await asyncio.gather(*(ctx.server.todo_read(t.pk) for t in todos[start:start + 8]),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, MojodexError):
                ctx.log_exception(result, "marking a todo as read")
            elif isinstance(result, BaseException):
                raise result
            else:
                marked += 1
    return marked


# -- todo done, todo delete ----------------------------------------------------------------------------------------


def done_parser() -> ArgumentParser:
    parser = ArgumentParser("todo done", description="Tick a todo: it leaves the to-do list (`todo list --run RUN` "
                                                     "still shows it, done)")
    parser.add_argument("pk", metavar="TODO", help="the todo's number (`todo list`)")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    return parser


def delete_parser() -> ArgumentParser:
    parser = ArgumentParser("todo delete", description="Delete a todo (asks first at a terminal)")
    parser.add_argument("pk", metavar="TODO", help="the todo's number (`todo list`)")
    parser.add_argument("--yes", "-y", action="store_true", help="delete without asking")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    return parser


def _known(plugin: Any, pk: int) -> Todo:
    """The todo as last listed, or one that only has its number."""
    return plugin.seen.get(str(pk)) or Todo(pk=pk, description="")


async def cmd_done(ctx: Context, args: list[str], plugin: Any) -> int:
    ns = done_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "TODO")
    await ctx.require_user()
    await ctx.server.todo_done(pk)
    todo = replace(_known(plugin, pk), done=True)
    plugin.seen[str(pk)] = todo
    if ns.json:
        ctx.print(json.dumps({"todo_pk": pk, "done": True}))
    else:
        ctx.print(f"Todo {pk} done" + (f": {todo.description}" if todo.description else "."))
    if ctx.in_shell:
        plugin._refresh(ctx)
    await ctx.call_hook("mojodex_todos", todos=[todo], change="done")
    return 0


async def cmd_delete(ctx: Context, args: list[str], plugin: Any) -> int:
    ns = delete_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "TODO")
    await ctx.require_user()
    todo = _known(plugin, pk)
    if not ns.yes:
        what = f" ({one_line(todo.description, 60)})" if todo.description else ""
        if not await ctx.confirm(f"Delete todo {pk}{what}? (y/N)", default=False,
                                 refusal=f"deleting todo {pk} asks first: pass --yes to delete it"):
            raise MojodexError(f"todo {pk} was not deleted")
    await ctx.server.delete_todo(pk)
    plugin.seen.pop(str(pk), None)
    if ns.json:
        ctx.print(json.dumps({"todo_pk": pk, "deleted": True}))
    else:
        ctx.print(f"Deleted todo {pk}.")
    if ctx.in_shell:
        plugin._refresh(ctx)
    await ctx.call_hook("mojodex_todos", todos=[todo], change="deleted")
    return 0
