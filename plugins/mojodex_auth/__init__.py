"""The ``login``, ``logout`` and ``whoami`` commands."""

from __future__ import annotations

from typing import Any

from mojodex_core import hookimpl
from mojodex_core._errors import NotInteractiveError, NotLoggedInError, UsageError


async def login_command(ctx: Any, args: list[str]) -> int:
    if args:
        raise UsageError("usage: login (asks for the username and password)")
    try:
        user = await ctx.login()
    except NotInteractiveError:
        raise NotInteractiveError(
            "login asks for a username and password: run `mojodex login` in a terminal, or set MOJODEX_TOKEN"
        ) from None
    return 0 if user is not None else 1


async def logout_command(ctx: Any, args: list[str]) -> None:
    if await ctx.logout():
        ctx.print(f"Logged out of {ctx.server_url}.")
    else:
        ctx.print(f"Not logged in to {ctx.server_url}.")


def whoami_command(ctx: Any, args: list[str]) -> int:
    user = ctx.user
    if user is None or user.server != ctx.server_url:
        if ctx.in_shell:
            ctx.print(f"Not logged in to {ctx.server_url}. Run `login`.")
            return 1
        raise NotLoggedInError(f"not logged in to {ctx.server_url}: run `mojodex login`, or set MOJODEX_TOKEN")
    if ctx.token_source == "env":
        ctx.print(f"Using the token from MOJODEX_TOKEN on {ctx.server_url}.")
    else:
        name = f"{user.name} <{user.email}>" if user.name else user.email
        ctx.print(f"{name} on {ctx.server_url}")
    return 0


@hookimpl
def mojodex_register_commands(register: Any) -> None:
    register("login", login_command, help="Log in to the Mojodex server", usage="login")
    register("logout", logout_command, help="Forget the login token for this server", usage="logout")
    register("whoami", whoami_command, help="Show who is logged in, on which server", usage="whoami")
