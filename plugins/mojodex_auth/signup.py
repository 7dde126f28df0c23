"""The ``signup`` command's body, and the first plan a login offers to an account that has none (Mojodex 0.4).

A sign-up is four steps, each of which the server keeps: the account (its token kept as ``login`` keeps one), the
terms (asked, never accepted silently), the free plan of a product category, then ``task list``. Run again, or
after ``login``, it goes on from the first step not done. Imported when ``signup`` or ``login`` runs.
"""

from __future__ import annotations

import inspect
import json
import sys
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    ArgumentParser,
    MojodexError,
    NotInteractiveError,
    Plan,
    ProductCategory,
    Purchase,
    UsageError,
    one_line,
)

if TYPE_CHECKING:
    from mojodex_core import Context

ATTEMPTS = 3


def signup_parser() -> ArgumentParser:
    parser = ArgumentParser(
        "signup", description="Create an account on the Mojodex server (Mojodex 0.4), accept its terms, choose "
        "the plan to start with, and list its tasks. Run again, it goes on where a sign-up stopped.",
        epilog="Without a terminal every answer is an option: --name, --email, --password-stdin, --accept-terms, "
        "--category (and --language, en by default).")
    parser.add_argument("--name", help="your name, as the assistant will call you")
    parser.add_argument("--email", help="the account's email (its username)")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from the first line "
                        "of stdin (never from an option: it would show in the process list)")
    parser.add_argument("--language", help="the language of your tasks and assistant (en, fr, ...; default en)")
    parser.add_argument("--accept-terms", action="store_true",
                        help="accept the server's terms and conditions without asking")
    parser.add_argument("--category", metavar="CATEGORY",
                        help="the product category to start with (its number or its name): its free plan")
    parser.add_argument("--json", action="store_true", help="print the account, its plan and its tasks as JSON")
    return parser


async def cmd_signup(ctx: Context, args: list[str]) -> int:
    ns = signup_parser().parse(ctx, args)
    user = ctx.user
    resume = user is not None and ns.email in (None, user.email) and ctx.token_source != "env"
    if resume and user is not None:  # (resume implies a user: said again for the type checker)
        can = await ctx.server.capabilities()
        if not can.signup:
            raise ctx.server.unsupported("signing up")
        created = False
        if not ns.json:
            ctx.print(f"Going on with the sign-up of {_who(user.name, user.email)} on {ctx.server_url}.")
    else:
        if not (await ctx.server.capabilities(before_login=True)).signup:  # before any question
            raise ctx.server.unsupported("signing up")
        name, email, password, language = await _answers(ctx, ns)
        created = await ctx.server.sign_up(name, email, password, language)
        user = ctx.user
        if not ns.json:
            if created:
                ctx.print(f"Account created: {_who(name, email)} on {ctx.server_url}; you are logged in to it.")
            else:
                ctx.print(f"{email} has an account on {ctx.server_url} already: logged in to it, its sign-up goes "
                          "on where it stopped.")
    await _terms(ctx, ns)
    plan = await choose_plan(ctx, ns.category, quiet=ns.json)
    if ns.json:
        tasks = await ctx.server.list_tasks()
        ctx.print(json.dumps({"server": ctx.server_url, "name": (user.name if user else "") or None,
                              "email": (user.email if user else "") or None, "created": created,
                              "terms_accepted": True, "plans": [_purchase_json(p) for p in plan.current],
                              "tasks": [{"ref": t.ref, "name": t.name, "kind": t.kind} for t in tasks]},
                             ensure_ascii=False, indent=2))
        return 0
    ctx.print("Your tasks (`task run N` runs one):")
    task_list = ctx.commands.get("task list")
    if task_list is None:
        return 0
    result = task_list.handler(ctx, [])
    if inspect.isawaitable(result):
        result = await result
    return int(result or 0)


def _who(name: str, email: str) -> str:
    return f"{one_line(name, 80)} <{one_line(email, 100)}>" if name else one_line(email, 100)


async def _answers(ctx: Context, ns: Any) -> tuple[str, str, str, str]:
    """Name, email, password (typed twice) and language: from the options, else asked on a terminal."""
    name = ns.name if ns.name is not None else await _ask(ctx, "Name: ", "--name")
    name = name.strip()
    if not name:
        raise UsageError("signup needs a name (--name)")
    email = (ns.email if ns.email is not None else await _ask(ctx, "Email: ", "--email")).strip()
    if "@" not in email or any(c.isspace() for c in email):
        raise UsageError(f"{one_line(email, 100)!r} is not an email address")
    password = _stdin_password() if ns.password_stdin else await _new_password(ctx)
    language = ns.language
    if language is None:
        language = await _ask_language(ctx) if ctx.interactive else "en"
    language = language.strip().lower() or "en"
    return name, email, password, language


async def _ask(ctx: Context, prompt: str, flag: str, **kwargs: Any) -> str:
    try:
        return str(await ctx.ask(prompt, **kwargs))
    except NotInteractiveError:
        raise NotInteractiveError(f"signup asks for what {flag} gives: pass {flag} (every answer is an option "
                                  "without a terminal; the password comes from --password-stdin)") from None


def _stdin_password() -> str:
    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    password = password.removesuffix("\r")
    if not password:
        raise UsageError("--password-stdin read no password: give it on the first line of stdin")
    return password


async def _new_password(ctx: Context) -> str:
    """A password typed twice, hidden, as the login's is; three tries to type the same twice."""
    for _ in range(ATTEMPTS):
        first = await _ask(ctx, "Password: ", "--password-stdin", password=True)
        if not first:
            ctx.error("the password cannot be empty")
            continue
        if await _ask(ctx, "Password (again): ", "--password-stdin", password=True) == first:
            return first
        ctx.error("the two passwords differ: type them again")
    raise MojodexError("no password was chosen: nothing was sent")


async def _ask_language(ctx: Context) -> str:
    try:
        languages = await ctx.server.languages()
    except MojodexError as exc:
        ctx.log_exception(exc, "reading the server's languages")
        languages = {}
    codes = sorted(languages)
    hint = f" ({', '.join(f'{c}: {one_line(languages[c], 30)}' for c in codes)})" if codes else ""
    while True:
        answer = (await ctx.ask(f"Language{hint}: ", default="en", choices=codes)).strip().lower()
        if not codes or answer in codes:
            return answer or "en"
        ctx.error(f"the server has no language {one_line(answer, 20)!r}: choose one of {', '.join(codes)}")


async def _terms(ctx: Context, ns: Any) -> None:
    """Ask to accept the server's terms unless the account did: refused, nothing else is done."""
    if ctx.server.terms_accepted() is True:
        return
    url = ctx.server_url
    if not ns.json:
        ctx.print(f"The terms and conditions of {url}: Mojodex serves no text of them; its operator publishes "
                  "them (on a server of your own, you do).")
    if not ns.accept_terms and not await ctx.confirm(
        f"Accept the terms and conditions of {url}? (y/N)", default=False,
        refusal="signup asks to accept the server's terms and conditions: pass --accept-terms to accept them",
    ):
        raise MojodexError("the terms and conditions were not accepted, and nothing else was done: `signup` "
                           "goes on from here (or `terms accept`)")
    await ctx.server.accept_terms()
    if not ns.json:
        ctx.print(f"Accepted the terms and conditions of {url}.")


async def choose_plan(ctx: Context, choice: str | None, *, quiet: bool = False) -> Plan:
    """The account's plan: an account that never had one chooses a product category (its free plan)."""
    plan = await ctx.server.plan()
    if plan.current or plan.expired:
        if not quiet:
            for current in plan.current:
                ctx.print(f"Plan: {purchase_text(current)}")
        return plan
    categories = await ctx.server.product_categories()
    if not categories:
        raise MojodexError(f"{ctx.server_url} offers no product category to start with: its operator adds them "
                           "(Mojodex's back office)")
    category = _pick(categories, choice) if choice is not None else await _ask_category(ctx, categories)
    plan = await ctx.server.choose_free_plan(category)
    if not quiet:
        for current in plan.current:
            ctx.print(f"Plan: {purchase_text(current)} ({one_line(category.name, 80)})")
    return plan


def _pick(categories: list[ProductCategory], choice: str) -> ProductCategory:
    wanted = choice.strip().casefold()
    for category in categories:
        if wanted in (str(category.pk).casefold(), category.name.casefold()):
            return category
    names = ", ".join(f"{c.pk} ({one_line(c.name, 40)})" for c in categories)
    raise UsageError(f"the server has no category {one_line(choice, 40)!r}: choose one of {names}")


async def _ask_category(ctx: Context, categories: list[ProductCategory]) -> ProductCategory:
    ctx.print("Which one do you start with? Each category brings its free plan and its tasks:")
    ctx.table(([str(c.pk), f"{c.emoji} {c.name}".strip(), c.description] for c in categories),
              ("CATEGORY", "NAME", "DESCRIPTION"))
    first = str(categories[0].pk)
    while True:
        try:
            answer = await ctx.ask("Category: ", default=first, choices=[str(c.pk) for c in categories])
        except NotInteractiveError:
            raise NotInteractiveError("signup asks which product category to start with: pass --category "
                                      f"(here: {', '.join(str(c.pk) for c in categories)})") from None
        try:
            return _pick(categories, answer)
        except UsageError as exc:
            ctx.error(str(exc))


def purchase_text(plan: Purchase) -> str:
    """``Pro Digital Assistant: unlimited tasks, 999 days left``."""
    if plan.tasks_limit is None:
        tasks = "unlimited tasks"
    else:
        tasks = f"{plan.tasks_left} of {plan.tasks_limit} task{'s' if plan.tasks_limit != 1 else ''} left"
    days = "" if plan.days_left is None else f", {plan.days_left} day{'s' if plan.days_left != 1 else ''} left"
    return f"{one_line(plan.name, 80)}: {tasks}{days}"


def _purchase_json(plan: Purchase) -> dict[str, Any]:
    return {"name": plan.name, "tasks_limit": plan.tasks_limit, "tasks_left": plan.tasks_left,
            "days_left": plan.days_left, "tasks": list(plan.tasks)}


async def offer_plan(ctx: Context) -> None:
    """After a login: an account of a server with sign-up that has no plan yet is offered the same choice as
    ``signup``'s (on a terminal; a script is told the command). Never fails the login."""
    try:
        if not (await ctx.server.capabilities()).signup:
            return
        plan = await ctx.server.plan()
    except MojodexError as exc:
        ctx.log_exception(exc, "reading the plan after a login")
        return
    if plan.current or plan.expired:
        return
    ctx.print(f"This account has no plan on {ctx.server_url} yet: its tasks come with the first one.", err=True)
    if not ctx.interactive:
        ctx.print("`mojodex signup --category N` chooses it.", err=True)
        return
    await choose_plan(ctx, None)
