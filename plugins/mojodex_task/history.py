"""Keeping the history of runs tidy (Mojodex 0.4): a produced text edited by hand or deleted, a run renamed or
deleted. None of these brings an event: every command reads the run again to say what it became.

Imported when one of these commands runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    ArgumentParser,
    MojodexError,
    ProducedText,
    RunInfo,
    one_line,
    open_in_editor,
    pk_arg,
)
from mojodex_task import render

if TYPE_CHECKING:
    from mojodex_core import Context

MAX_FILE = 1_000_000  # characters of a hand edit read from --file


async def need(ctx: Context, flag: str, what: str) -> None:
    """Refuse, in one line and before any request about the run, what the server's dialect cannot do."""
    if not getattr(await ctx.server.capabilities(), flag):
        raise ctx.server.unsupported(what)


def with_text(run: RunInfo, pk: int, what: str) -> ProducedText:
    produced = run.produced
    if produced is None or not (produced.text.strip() or produced.title):
        raise MojodexError(f"run {pk} has no produced text yet: nothing to {what}")
    return produced


# -- task edit ----------------------------------------------------------------------------------------------------


def from_markdown(text: str, title: str) -> tuple[str, str]:
    """(title, body) of an edited file: a first line ``# Title`` is the title (without one, ``title`` stays)."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].startswith("# "):
        title = lines.pop(0)[2:].strip()
    return title, "\n".join(lines).strip("\n").rstrip()


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as f:
        return f.read(MAX_FILE + 1)


async def cmd_edit(ctx: Context, args: list[str]) -> int:
    ns = edit_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "RUN")
    await ctx.require_user()
    await need(ctx, "edit_texts", "editing a produced text by hand")
    run = await ctx.server.read_run(pk)
    produced = with_text(run, pk, "edit")
    original = render.markdown(produced, run.title or run.name)
    if ns.file is not None:
        path = Path(ns.file).expanduser()
        try:
            edited = await asyncio.to_thread(_read, path)
        except OSError as exc:
            raise MojodexError(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(edited) > MAX_FILE:
            raise MojodexError(f"{path} is longer than {MAX_FILE:,} characters: nothing was sent")
    else:
        edited = await open_in_editor(original, prefix=f"mojodex-run-{pk}-", suffix=".md")
    if not edited.strip():
        raise MojodexError("the text is empty: nothing was sent (`task text "
                           f"{pk} --delete` deletes the produced text)")
    if edited.strip() == original.strip():
        ctx.print(f"The text of run {pk} was not changed: nothing was sent.", err=ns.json)
        if ns.json:
            ctx.print(json.dumps(edit_document(run, produced, changed=False), ensure_ascii=False, indent=2))
        return 0
    title, body = from_markdown(edited, produced.title or run.title or run.name)
    await ctx.server.edit_text(pk, produced.pk, title, body)
    run = await ctx.server.read_run(pk)  # no event says what the server made of it
    new = run.produced or ProducedText(title, body)
    if ns.json:
        ctx.print(json.dumps(edit_document(run, new, changed=True), ensure_ascii=False, indent=2))
    elif new.version:
        ctx.print(f"Saved version {new.version} of run {pk}, edited by hand: `task text {pk} -V {new.version}` "
                  "prints it.")
    else:
        ctx.print(f"Saved a version of run {pk}, edited by hand: `task text {pk}` prints it.")
    return 0


def edit_document(run: RunInfo, produced: ProducedText, changed: bool) -> dict[str, Any]:
    return {"run_pk": run.pk, "changed": changed, "produced_text_pk": produced.pk,
            "produced_text_version_pk": produced.version_pk, "version": produced.version,
            "title": produced.title, "body": produced.text}


def edit_parser() -> ArgumentParser:
    parser = ArgumentParser("task edit", description="Edit a run's produced text by hand in $VISUAL or $EDITOR: "
                                                      "saving writes a new version",
                            epilog="The file is Markdown: a first line `# Title`, then the text. An unchanged or "
                                   "empty file sends nothing.")
    parser.add_argument("pk", metavar="RUN", help="the run's number (`task runs` lists them)")
    parser.add_argument("--file", "-f", metavar="FILE",
                        help="take the new version from FILE (Markdown) instead of opening an editor")
    parser.add_argument("--json", action="store_true", help="print the new version as JSON")
    return parser


# -- task text --delete -----------------------------------------------------------------------------------------


async def delete_text(ctx: Context, pk: int, assume_yes: bool, json_mode: bool) -> int:
    await ctx.require_user()
    await need(ctx, "edit_texts", "deleting a produced text")
    run = await ctx.server.read_run(pk)
    produced = with_text(run, pk, "delete")
    if produced.pk is None:
        raise MojodexError(f"the server gave no number for the produced text of run {pk}: it cannot be deleted")
    title = one_line(produced.title or run.title or run.name, 60)
    question = f"Delete the produced text of run {pk}" + (f" ({title})" if title else "") + "? (y/N)"
    if not assume_yes and not await ctx.confirm(
        question, default=False, refusal=f"deleting the produced text of run {pk} asks first: pass --yes to delete it"
    ):
        raise MojodexError(f"the produced text of run {pk} was not deleted")
    await ctx.server.delete_text(pk, produced.pk)
    if json_mode:
        ctx.print(json.dumps({"run_pk": run.pk, "produced_text_pk": produced.pk, "deleted": True}))
    else:
        # Mojodex keeps showing a deleted text as the run's (protocol-0.4-more.md, section 2): say so.
        ctx.print(f"Deleted the produced text of run {pk}; Mojodex may still show it as the run's text.")
    return 0


# -- task rename, task delete -----------------------------------------------------------------------------------


async def cmd_rename(ctx: Context, args: list[str]) -> int:
    ns = rename_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "RUN")
    title = " ".join(" ".join(ns.title).split())
    if not title:
        raise MojodexError("the new title is empty: `task rename RUN TITLE`")
    await ctx.require_user()
    await need(ctx, "tidy_history", "renaming a run")
    await ctx.server.rename_run(pk, title)
    run = await ctx.server.read_run(pk)  # no event: read what the server kept
    if ns.json:
        ctx.print(json.dumps({"run_pk": run.pk, "title": run.title}, ensure_ascii=False))
    else:
        ctx.print(f"Run {pk} is now titled {one_line(run.title, 100)!r}.")
    return 0


def rename_parser() -> ArgumentParser:
    parser = ArgumentParser("task rename", description="Give a run a new title")
    parser.add_argument("pk", metavar="RUN", help="the run's number (`task runs` lists them)")
    parser.add_argument("title", metavar="TITLE", nargs="+", help="the new title (the words after RUN)")
    parser.add_argument("--json", action="store_true", help="print the run's number and title as JSON")
    return parser


async def cmd_delete(ctx: Context, args: list[str]) -> int:
    ns = delete_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "RUN")
    await ctx.require_user()
    await need(ctx, "tidy_history", "deleting a run")
    run = await ctx.server.read_run(pk)
    title = one_line(run.title or run.name, 60)
    question = f"Delete run {pk}" + (f" ({title})" if title else "") + "? (y/N)"
    if not ns.yes and not await ctx.confirm(question, default=False,
                                            refusal=f"deleting run {pk} asks first: pass --yes to delete it"):
        raise MojodexError(f"run {pk} was not deleted")
    await ctx.server.delete_run(pk)
    if ns.json:
        ctx.print(json.dumps({"run_pk": run.pk, "deleted": True}))
    else:
        ctx.print(f"Deleted run {pk}: `task runs` no longer lists it.")
    return 0


def delete_parser() -> ArgumentParser:
    parser = ArgumentParser("task delete", description="Delete a run from your history (asks first)")
    parser.add_argument("pk", metavar="RUN", help="the run's number (`task runs` lists them)")
    parser.add_argument("--yes", "-y", action="store_true", help="delete without asking")
    parser.add_argument("--json", action="store_true", help="print the run's number as JSON")
    return parser
