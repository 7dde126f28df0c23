"""What Tab offers after ``task run`` (the server's tasks) and after the commands that take a run (its history of
runs, on servers that keep one), loaded in the background through ``mojodex_completions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, RunInfo

if TYPE_CHECKING:
    from mojodex_core import Context

TASK_COMMANDS = ("task run",)
# `task resume` reopens any run: an instruct run's conversation, a workflow run's steps or its result chat.
ANY_RUN = ("task show", "task text", "task edit", "task rename", "task delete", "task resume", "workflow show")
GOING_ON = ("workflow resume",)  # instruct runs reopen whatever their state; workflow runs until done
FIRST_STEP = ("workflow restart",)
# The commands after which the history of runs may have changed (or been listed, freshly).
CHANGE_RUNS = {"task run", "task resume", "task runs", "task rename", "task delete", "workflow run", "workflow resume",
               "workflow restart"}


def task_pairs(tasks: list[Any]) -> list[tuple[str, str]]:
    return [(t.ref, f"{t.icon} {t.name} ({t.kind})".strip()) for t in tasks]


def run_pairs(runs: list[RunInfo]) -> dict[str, list[tuple[str, str]]]:
    def meta(run: RunInfo) -> str:
        return f"{run.icon} {run.title or run.name}".strip() + f" ({run.kind})"

    going_on = [r for r in runs if r.kind == "instruct" or r.produced is None]
    out: dict[str, list[tuple[str, str]]] = {}
    for commands, shown in ((ANY_RUN, runs), (GOING_ON, going_on),
                            (FIRST_STEP, [r for r in going_on if r.kind != "instruct"])):
        for command in commands:
            out[command] = [(str(r.pk), meta(r)) for r in shown]
    return out


class TaskCompletions:
    """Loads the tasks once per server and login (again after ``task list`` shows them), and the newest runs then
    and after each command that may have made one."""

    def __init__(self) -> None:
        self.tasks_for: tuple[str, str] | None = None
        self.runs_for: tuple[str, str] | None = None

    async def load(self, ctx: Context, after: str | None, listed: dict[str, Any]) -> dict[str, Any]:
        user = ctx.user
        who = (ctx.server_url, str(getattr(user, "token", ""))) if user is not None else None
        if who is None:
            self.tasks_for = self.runs_for = None
            return {command: [] for command in TASK_COMMANDS + ANY_RUN + GOING_ON + FIRST_STEP}
        out: dict[str, Any] = {}
        try:
            if after == "task list" and listed:
                out["task run"], self.tasks_for = task_pairs(list(listed.values())), who  # as fresh as a load
            elif after is None or who != self.tasks_for:
                can = await ctx.server.capabilities()
                tasks = await (ctx.server.list_tasks() if can.instruct_tasks else ctx.server.list_workflows())
                out["task run"], self.tasks_for = task_pairs(tasks), who
            if after is None or who != self.runs_for or after in CHANGE_RUNS:
                if (await ctx.server.capabilities()).run_history:
                    out.update(run_pairs(await ctx.server.list_runs(limit=50)))
                self.runs_for = who
        except MojodexError as exc:
            ctx.log_exception(exc, "loading the tasks and runs for completion")  # what was loaded still holds
        return out
