"""The ``resource`` commands' bodies: list, add (a website) and remove the documents the assistant knows.

Imported when a ``resource`` command runs.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    ArgumentParser,
    MojodexError,
    NetworkError,
    Resource,
    ServerError,
    UsageError,
    one_line,
    pk_arg,
)

if TYPE_CHECKING:
    from mojodex_core import Context

HEADERS = ("RESOURCE", "NAME", "TYPE", "ADDED", "UPDATED")


def local_date(text: str) -> str:
    """A server date (ISO, with its offset) as the user's local ``2026-12-07 15:24``; "-" for none."""
    import datetime

    if not text:
        return "-"
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return one_line(text, 20)
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


def resource_row(resource: Resource) -> tuple[str, ...]:
    return (str(resource.pk), one_line(resource.name, 80), one_line(resource.kind, 20) or "-",
            local_date(resource.created), local_date(resource.updated))


def resource_json(resource: Resource) -> dict[str, Any]:
    return {"resource_pk": resource.pk, "name": resource.name, "type": resource.kind, "author": resource.author,
            "created": resource.created or None, "updated": resource.updated or None}


# -- resource list -------------------------------------------------------------------------------------------------


def list_parser() -> ArgumentParser:
    parser = ArgumentParser("resource list", description="List the documents the assistant knows: the websites you "
                            "added, with their type and dates, newest first")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    return parser


async def cmd_list(ctx: Context, args: list[str]) -> int:
    ns = list_parser().parse(ctx, args)
    await ctx.require_user()
    resources = await ctx.server.resources()
    if ns.json:
        ctx.print(json.dumps([resource_json(r) for r in resources], ensure_ascii=False, indent=2))
    elif not resources:
        ctx.print("No resources yet: `resource add URL` adds a website for the assistant to learn from.")
    else:
        with ctx.paged():
            ctx.table((resource_row(r) for r in resources), HEADERS)
    return 0


# -- resource add ----------------------------------------------------------------------------------------------------


def add_parser() -> ArgumentParser:
    parser = ArgumentParser("resource add", description="Add a website to the documents the assistant knows: the "
                            "server fetches the page while this waits (resource.fetch_timeout_seconds at most)")
    parser.add_argument("url", metavar="URL", help="the website's address (http:// or https://)")
    parser.add_argument("--json", action="store_true", help="print the new resource as JSON")
    return parser


async def cmd_add(ctx: Context, args: list[str]) -> int:
    ns = add_parser().parse(ctx, args)
    url = ns.url.strip()
    shown = one_line(url, 100)
    if not url.lower().startswith(("http://", "https://")) or len(url) <= len("https://"):
        raise UsageError(f"{shown!r} is not a website's address: give one that starts with http:// or https://")
    timeout = float(ctx.config.get("resource.fetch_timeout_seconds", 300.0))
    if not timeout > 0:
        raise UsageError("resource.fetch_timeout_seconds must be a number of seconds above 0")
    await ctx.require_user()
    ctx.print(f"The server is fetching {shown}: waiting for it, {timeout:g} s at most.", err=True)
    started = time.monotonic()
    try:
        async with ctx.status(f"Waiting while the server fetches {shown}"):
            resource = await ctx.server.add_website(url, timeout)
    except NetworkError:
        if time.monotonic() - started < timeout * 0.9:
            raise  # not the wait: the server could not be reached at all
        raise MojodexError(f"the server did not finish fetching {shown} within {timeout:g} s "
                           "(resource.fetch_timeout_seconds): it may still add it; `resource list` shows it") from None
    except ServerError as exc:
        if exc.route_missing:
            raise
        if exc.text == "invalid_url":
            raise MojodexError(f"the server cannot reach {shown} (invalid_url): check the address") from None
        if "already exist" in exc.text:
            raise MojodexError(f"{shown} is already among your resources (`resource list`)") from None
        raise MojodexError(f"the server could not add {shown}: {exc.text}") from None
    if ns.json:
        ctx.print(json.dumps(resource_json(resource) if resource else {"name": url}, ensure_ascii=False, indent=2))
    elif resource is not None:
        ctx.print(f"Added resource {resource.pk}: {one_line(resource.name, 100)}")
    else:
        ctx.print(f"Added {shown}: `resource list` shows it.")
    return 0


# -- resource remove -------------------------------------------------------------------------------------------------


def remove_parser() -> ArgumentParser:
    parser = ArgumentParser("resource remove", description="Remove a resource: the assistant forgets it (asks first "
                            "at a terminal)")
    parser.add_argument("pk", metavar="RESOURCE", help="the resource's number (`resource list`)")
    parser.add_argument("--yes", "-y", action="store_true", help="remove without asking")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    return parser


async def cmd_remove(ctx: Context, args: list[str]) -> int:
    ns = remove_parser().parse(ctx, args)
    pk = pk_arg(ns.pk, "RESOURCE")
    await ctx.require_user()
    if not ns.yes and not await ctx.confirm(
        f"Remove resource {pk}? The assistant forgets it. (y/N)", default=False,
        refusal=f"removing resource {pk} asks first: pass --yes to remove it",
    ):
        raise MojodexError(f"resource {pk} was not removed")
    await ctx.server.remove_resource(pk)
    if ns.json:
        ctx.print(json.dumps({"resource_pk": pk, "removed": True}))
    else:
        ctx.print(f"Removed resource {pk}.")
    return 0
