"""What Tab offers after ``workflow run`` (the server's workflows) and after ``workflow resume``, ``show`` and
``restart`` (the server runs this shell knows of), loaded in the background through ``mojodex_completions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, WorkflowInfo

if TYPE_CHECKING:
    from mojodex_core import Context

RUN_COMMANDS = ("workflow resume", "workflow show", "workflow restart")


def workflow_pairs(workflows: list[WorkflowInfo]) -> list[tuple[str, str]]:
    return [(w.ref, f"{w.icon} {w.name}".strip()) for w in workflows]


def known_runs(ctx: Context) -> dict[str, tuple[str, bool]]:
    """The runs of this server in ``waiting-runs.json``: pk -> (what they wait for, whether they can go on)."""
    from mojodex_workflow.waiting import WaitingRuns

    out: dict[str, tuple[str, bool]] = {}
    for pk, entry in WaitingRuns.of_server(ctx).all().items():
        if entry.get("finished"):
            out[pk] = ("finished", False)
        elif entry.get("inputs_pending"):
            out[pk] = ("its inputs to be given", True)
        else:
            out[pk] = ("left waiting", True)
    return out


class WorkflowCompletions:
    """Loads the server's workflows once per server and login (again after ``workflow list`` shows them), and
    the runs left waiting after every command (a file: no network)."""

    def __init__(self) -> None:
        self.loaded_for: tuple[str, str] | None = None

    async def load(self, ctx: Context, after: str | None, listed: dict[str, WorkflowInfo]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        user = ctx.user
        who = (ctx.server_url, str(getattr(user, "token", ""))) if user is not None else None
        if after == "workflow list" and who is not None and any(w.source == "server" for w in listed.values()):
            # Every source's, as just listed: the server's list is as fresh as a load would make it.
            out["workflow run"], self.loaded_for = workflow_pairs(list(listed.values())), who
        elif who is None:
            out["workflow run"], self.loaded_for = [], None
        elif after is None or who != self.loaded_for:
            try:
                workflows = await ctx.server.list_workflows()
            except MojodexError as exc:
                ctx.log_exception(exc, "loading the workflows for completion")  # what was loaded still holds
            else:
                out["workflow run"], self.loaded_for = workflow_pairs(workflows), who
        runs = known_runs(ctx)
        for command in RUN_COMMANDS:
            out[command] = [(pk, state) for pk, (state, going) in runs.items()
                            if going or command == "workflow show"]
        return out
