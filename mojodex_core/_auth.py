"""Logging in: ask for the username and password, POST /user, keep the token for this server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mojodex_core._credentials import User
from mojodex_core._errors import MojodexError, NetworkError, ServerError
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import Context

ATTEMPTS = 3


class LoginFailed(MojodexError):
    """Three wrong passwords in a row."""


async def login(ctx: Context, email: str | None = None, password: str | None = None,
                attempts: int = ATTEMPTS) -> User | None:
    """Log in to ``ctx.server_url``; greet the user and save the token on success.

    Wrong credentials: one line, ask again, up to ``attempts`` times (then ``LoginFailed``). Server unreachable:
    one line naming the URL and None, so that the shell can still open.
    """
    for attempt in range(1, attempts + 1):
        user_email = email if email is not None else (await ctx.ask("Username: ")).strip()
        user_password = password if password is not None else await ctx.ask("Password: ", password=True)
        try:
            data = await ctx.api.request(
                # The login body is exactly protocol.md's: email, password, login_method, datetime.
                "POST", "/user", auth=False, platform=False, what="a login answer",
                json={"email": user_email, "password": user_password, "login_method": "email_password"},
            )
        except NetworkError as exc:
            ctx.error(f"{exc}; log in later with `login`")
            return None
        except ServerError as exc:
            if exc.status >= 500:
                raise
            message = str(exc).removeprefix(f"the server answered {exc.status}: ")
            ctx.error(message if message not in ("bad request", "not allowed") else "wrong email or password")
            if (email is not None and password is not None) or attempt == attempts:
                break
            continue
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise MojodexError("the server's login answer has no token")
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        user = User(server=ctx.server_url, token=token, name=one_line(name, 80), email=user_email)
        ctx.credentials.save(user)
        ctx.user, ctx.token_source = user, "login"
        ctx.print(f"Welcome, {user.name or user.email}.")
        await ctx.fire("mojodex_auth_changed")
        return user
    raise LoginFailed("login failed")
