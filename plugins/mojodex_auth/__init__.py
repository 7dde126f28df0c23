"""The ``login``, ``logout``, ``whoami``, ``terms accept`` and ``signup`` commands (``signup``'s body, in
``signup``, is imported when it runs, or when a login finds an account without a plan)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, NotInteractiveError, NotLoggedInError, UsageError, hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context


async def login_command(ctx: Context, args: list[str]) -> int:
    if args:
        raise UsageError("usage: login (asks for the username and password)")
    try:
        user = await ctx.login()
    except NotInteractiveError:
        raise NotInteractiveError(
            "login asks for a username and password: run `mojodex login` in a terminal, or set MOJODEX_TOKEN"
        ) from None
    if user is None:
        return 1
    from mojodex_auth import signup

    await signup.offer_plan(ctx)  # a sign-up that stopped before its plan goes on here
    return 0


async def signup_command(ctx: Context, args: list[str]) -> int:
    from mojodex_auth import signup

    return await signup.cmd_signup(ctx, args)


def _signup_parser() -> Any:
    from mojodex_auth import signup

    return signup.signup_parser()


async def logout_command(ctx: Context, args: list[str]) -> None:
    if await ctx.logout():
        ctx.print(f"Logged out of {ctx.server_url}.")
    else:
        ctx.print(f"Not logged in to {ctx.server_url}.")


def whoami_command(ctx: Context, args: list[str]) -> int:
    user = ctx.user
    if user is None:
        if ctx.in_shell:
            ctx.print(f"Not logged in to {ctx.server_url}. Run `login`.")
            return 1
        raise NotLoggedInError(f"not logged in to {ctx.server_url}: run `mojodex login`, or set MOJODEX_TOKEN")
    api = ctx.server.api
    how = f" ({api} API)" if api else (" (its API is detected at the first request)"
                                      if ctx.config.get("server.api", "auto") == "auto" else "")
    if ctx.token_source == "env":
        ctx.print(f"Using the token from MOJODEX_TOKEN on {ctx.server_url}{how}.")
    else:
        name = f"{user.name} <{user.email}>" if user.name else user.email
        ctx.print(f"{name} on {ctx.server_url}{how}")
    return 0


async def terms_accept_command(ctx: Context, args: list[str]) -> int:
    if args not in ([], ["--yes"], ["-y"]):
        raise UsageError("usage: terms accept [--yes]")
    await ctx.require_user()
    if not args and not await ctx.confirm(
        f"Accept the terms and conditions of {ctx.server_url}? (y/N)", default=False,
        refusal="accepting the terms and conditions asks first: pass --yes to accept them",
    ):
        raise MojodexError("the terms and conditions were not accepted")
    await ctx.server.accept_terms()
    ctx.print(f"Accepted the terms and conditions of {ctx.server_url}.")
    return 0


@hookimpl
def mojodex_register_commands(register: Any) -> None:
    register("login", login_command, help="Log in to the Mojodex server", usage="login")
    register("logout", logout_command, help="Forget the login token for this server", usage="logout")
    register("whoami", whoami_command, help="Show who is logged in, on which server, with which API",
             usage="whoami")
    register("signup", signup_command, help="Create an account on the server, accept its terms, choose your plan",
             parser=_signup_parser)
    register("terms accept", terms_accept_command, help="Accept the server's terms and conditions for your account",
             usage="terms accept [--yes]")
