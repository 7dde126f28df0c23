"""The controls of a local run at its validation question and after: ``e`` edits a step's result in ``$EDITOR``,
a code artifact's files show as a diff, ``workflow rewind RUN STEP`` goes back to an accepted step.

Imported when a local run asks about a step, or when ``workflow rewind`` runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import ArgumentParser, MojodexError, one_line, open_in_editor

if TYPE_CHECKING:
    from mojodex_core import Context

MAX_DIFF_LINES = 120


def rewind_parser() -> ArgumentParser:
    parser = ArgumentParser("workflow rewind", description="Go back to an accepted step of a local run: the step "
                            "is asked about again, the steps after it run again (the steps before keep their "
                            "results)")
    parser.add_argument("ref", metavar="RUN", help="the local run (`workflow runs`; `last` for the newest)")
    parser.add_argument("step", metavar="STEP", help="the step: its number in the run order (from 1) or its name")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="do not ask first, and accept every step (as `workflow resume --yes`)")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the run as one JSON document at the end")
    shown.add_argument("--jsonl", action="store_true", help="print each event as one JSON line as it happens")
    return parser


async def confirm_rewind(ctx: Context, store: Any, ref: str, assume_yes: bool) -> Any:
    """Which step ``ref`` names, once the user agreed to drop the results after it (``--yes``: no question)."""
    from mojodex_engine.rewind import find_step

    item = find_step(store.definition(), ref)
    st = store.state
    if item.ordinal >= st.ordinal:
        raise MojodexError(f"step {item.ordinal + 1} ({item.step.name}) of run {st.run_id} is not accepted yet: "
                           f"`workflow resume {st.run_id}` carries on")
    later = st.total_steps - item.ordinal - 1
    if assume_yes:
        return item
    steps = "the step after it" if later == 1 else f"the {later} steps after it"
    if later:
        ctx.print(f"Run {st.run_id}: the results of {steps} are dropped and made again.")
    if not await ctx.confirm(f"Go back to step {item.ordinal + 1} ({item.step.name})? (y/N)", default=False,
                             refusal=f"`workflow rewind` drops the results after step {item.ordinal + 1} and "
                                     "there is no terminal to ask: pass --yes"):
        return None
    return item


def editable_text(result: list[dict[str, Any]]) -> str:
    """A local result as the text to edit: the output itself, or one entry per line for a list."""
    values = [str(v) for entry in result for v in entry.values()]
    return values[0] if len(values) == 1 else "\n".join(values)


async def edit_result(ctx: Context, result: list[dict[str, Any]]) -> str | None:
    """The result edited in ``$VISUAL``/``$EDITOR``; None when nothing changed (or only blank space)."""
    before = editable_text(result)
    after = await open_in_editor(before + "\n", prefix="mojodex-local-result-", suffix=".md")
    after = after.strip()
    if after == before.strip():
        return None
    if not after:
        raise MojodexError("the edited result is empty: nothing was changed")
    return after


def show_files(ctx: Context, store: Any, step: Any, result: list[dict[str, Any]]) -> None:
    """For a code artifact: which files of ``workspace/`` accepting this result writes, and their diff."""
    artifact = store.definition().artifact(step.output)
    if artifact is None or not artifact.files or step.fan_index is not None:
        return
    from mojodex_engine.workspace import Workspace, code_files

    files = code_files(editable_text(result))
    workspace = Workspace(store.path)
    changes = workspace.changes(files)
    for path, why in files.refused:
        ctx.warn(f"workspace: {one_line(path, 80)} is not written: {why}")
    if not changes:
        if files.files:
            ctx.print(f"(workspace/: {len(files.files)} files, unchanged)")
        return
    names = ", ".join(f"{c.path}{' (new)' if c.old is None else ''}" for c in changes)
    ctx.print(f"Files in {one_line(workspace.path, 200)} when accepted: {names}")
    lines = [line for change in changes for line in change.diff()]
    styles = {"+": "ok", "-": "error", "@": "muted"}
    for line in lines[:MAX_DIFF_LINES]:
        style = "" if line.startswith(("+++", "---")) else styles.get(line[:1], "")
        ctx.print(ctx.style(line, style) if style else line)
    if len(lines) > MAX_DIFF_LINES:
        ctx.print(f"({len(lines) - MAX_DIFF_LINES} more diff lines)")
