"""The ``account`` commands' bodies: show the account, list or set its language.

Imported when an ``account`` command runs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mojodex_core import Account, ArgumentParser, Purchase, UsageError, one_line

if TYPE_CHECKING:
    from mojodex_core import Context


def offset_text(offset: int | None) -> str:
    """A JavaScript-style offset (minutes to add to local time to get UTC) as the zone it means: ``UTC+01:00``."""
    if offset is None:
        return "not sent (this server has no timezone from the shell)"
    east = -offset
    sign = "+" if east >= 0 else "-"
    hours, minutes = divmod(abs(east), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d} (offset {offset} minutes)"


def purchase_text(plan: Purchase) -> str:
    """``Pro Digital Assistant: unlimited tasks (7 used), 999 days left``."""
    if plan.tasks_limit is None:
        tasks = f"unlimited tasks ({plan.tasks_used} used)"
    else:
        tasks = f"{plan.tasks_left} of {plan.tasks_limit} task{'s' if plan.tasks_limit != 1 else ''} left"
    days = "" if plan.days_left is None else f", {plan.days_left} day{'s' if plan.days_left != 1 else ''} left"
    return f"{one_line(plan.name, 80)}: {tasks}{days}"


def purchase_json(plan: Purchase) -> dict[str, Any]:
    return {"name": plan.name, "tasks_limit": plan.tasks_limit, "tasks_used": plan.tasks_used,
            "tasks_left": plan.tasks_left, "days_left": plan.days_left, "tasks": list(plan.tasks),
            "expired": plan.expired}


def account_json(ctx: Context, account: Account) -> dict[str, Any]:
    plan = account.plan
    return {"server": ctx.server_url, "name": account.name or None, "email": account.email or None,
            "language": account.language or None, "timezone_offset": account.timezone_offset,
            "plans": [purchase_json(p) for p in plan.current] if plan else [],
            "expired_plans": [purchase_json(p) for p in plan.expired] if plan else []}


def account_parser() -> ArgumentParser:
    parser = ArgumentParser("account", description="Show your account: language, timezone, plan and tasks left",
                            epilog="`account language CODE` changes the language of your tasks and assistant.")
    parser.add_argument("--json", action="store_true", help="print the account as JSON")
    return parser


async def cmd_account(ctx: Context, args: list[str]) -> int:
    ns = account_parser().parse(ctx, args)
    await ctx.require_user()
    account = await ctx.server.account()
    if ns.json:
        ctx.print(json.dumps(account_json(ctx, account), ensure_ascii=False, indent=2))
        return 0
    who = f"{account.name} <{account.email}>" if account.name and account.email else (
        account.name or account.email or "(token from MOJODEX_TOKEN)")
    ctx.print(f"{who} on {ctx.server_url}")
    ctx.print(f"Language: {account.language or 'unknown (`account language CODE` sets it)'}")
    ctx.print(f"Timezone: {offset_text(account.timezone_offset)}")
    plan = account.plan
    if plan is None or not (plan.current or plan.expired):
        ctx.print("Plan: none (`signup` chooses a first, free one)")
        return 0
    for current in plan.current:
        ctx.print(f"Plan: {purchase_text(current)}")
    if not plan.usable:
        spent = plan.ran_out
        ended = f"{one_line(spent.name, 80)} has no task left" if spent else "no plan has a task left"
        ctx.print(ctx.style(f"Plan: {ended}: renew it in Mojodex's web app", "warning"))
    return 0


def language_parser() -> ArgumentParser:
    parser = ArgumentParser("account language", description="List the server's languages, or set yours: the names "
                            "of your tasks and the assistant's words follow it")
    parser.add_argument("code", nargs="?", metavar="CODE", help="the language to use (en, fr, ...)")
    parser.add_argument("--json", action="store_true", help="print the languages (or the change) as JSON")
    return parser


async def cmd_language(ctx: Context, args: list[str], plugin: Any) -> int:
    ns = language_parser().parse(ctx, args)
    await ctx.require_user()
    languages = await ctx.server.languages()
    plugin.languages = sorted(languages.items())
    current = ctx.server.recall("language")
    if ns.code is None:
        if ns.json:
            ctx.print(json.dumps({"languages": languages, "current": current}, ensure_ascii=False, indent=2))
        else:
            ctx.table(([f"{code} *" if code == current else code, name] for code, name in sorted(languages.items())),
                      ("CODE", "LANGUAGE"))
        return 0
    code = ns.code.strip().lower()
    if code not in languages:
        raise UsageError(f"the server has no language {one_line(ns.code, 20)!r}: choose one of "
                         f"{', '.join(sorted(languages))}")
    await ctx.server.set_language(code)
    if ns.json:
        ctx.print(json.dumps({"language": code}))
    else:
        ctx.print(f"Language set to {code} ({languages[code]}): your tasks' names and the assistant follow it.")
    return 0


def describe_parser() -> ArgumentParser:
    parser = ArgumentParser("account describe", description="Tell the assistant who you are (what you do, how you "
                            "write): your own description, which it reads in every task")
    parser.add_argument("text", nargs="+", metavar="TEXT", help="your description (quote it, or give it as words)")
    parser.add_argument("--json", action="store_true", help="print the change as JSON")
    return parser


async def cmd_describe(ctx: Context, args: list[str]) -> int:
    ns = describe_parser().parse(ctx, args)
    text = " ".join(ns.text).strip()
    if not text:
        raise UsageError("give your description: `account describe \"I write short poems.\"`")
    await ctx.require_user()
    await ctx.server.set_description(text)
    if ns.json:
        ctx.print(json.dumps({"description": text}, ensure_ascii=False))
    else:
        ctx.print("Your description is saved: the assistant reads it in your tasks.")
    return 0
