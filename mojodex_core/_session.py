"""Who is logged in to which server: the token, where it came from, the login prompt and the credentials file.

The session is the one place that asks for a username and password, at the first login and again when the
server refuses a token (``refused``). The HTTP client only asks it for a token.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mojodex_core._credentials import CredentialStore, User
from mojodex_core._errors import AuthError, MojodexError, NetworkError, NotLoggedInError, ServerError
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext

ATTEMPTS = 3


class LoginFailed(MojodexError):
    """Three wrong passwords in a row."""


class Session:
    """The login of one shell. ``source`` says where the token came from: "saved", "login", "env" or ""."""

    def __init__(self, ctx: ShellContext, notify: Callable[[], Awaitable[Any]]) -> None:
        self.ctx = ctx
        self.credentials = CredentialStore(ctx.home / "credentials")
        self.user: User | None = None
        self.source = ""
        self._notify = notify  # fires mojodex_auth_changed
        self._insecure_ok: set[str] = set()  # plain-HTTP servers the user agreed to send secrets to, this session
        self.ephemeral = False  # a login kept for this process only (save=False): nothing about it is written

    @property
    def server_url(self) -> str:
        return self.ctx.server_url

    def restore(self) -> None:
        """Take the token from ``MOJODEX_TOKEN`` or the credentials saved for this server, if any."""
        env = os.environ.get("MOJODEX_TOKEN")
        if env:
            self.user, self.source = User(server=self.server_url, token=env), "env"
        else:
            self.user = self.credentials.load(self.server_url)
            self.source = "saved" if self.user else ""

    def current(self) -> User | None:
        """The user logged in to the configured server, or None."""
        user = self.user
        return user if user is not None and user.server == self.server_url else None

    async def check_transport(self, what: str) -> None:
        """Before a password or a token goes to the server: over plain HTTP to a host that is not this machine,
        say so and ask (the default is no), or refuse without a terminal, unless ``server.allow_insecure``."""
        url = self.server_url
        if url in self._insecure_ok or not plain_to_another_host(url):
            return
        if self.ctx.config.get("server.allow_insecure", False):
            return
        line = f"{url} is plain HTTP: the {what} would cross the network unencrypted"
        if not self.ctx.interactive:
            raise MojodexError(f"{line}; use https://, or set server.allow_insecure = true for this server")
        self.ctx.warn(line + ".")
        if not await self.ctx.confirm("Send it anyway? (y/N)", default=False):
            raise MojodexError(f"nothing was sent to {url}: use https://, or set server.allow_insecure = true")
        self._insecure_ok.add(url)

    async def require_user(self) -> User:
        """The logged-in user; asks to log in on a terminal, else raises ``NotLoggedInError``."""
        user = self.current()
        if user is not None:
            await self.check_transport("login token")
            return user
        self.user = None
        if not self.ctx.interactive:
            raise NotLoggedInError(f"not logged in to {self.server_url}: run `mojodex login`, or set MOJODEX_TOKEN")
        user = await self.login()
        if user is None:
            raise NotLoggedInError("not logged in")
        return user

    async def token(self) -> str:
        """The token to send (the HTTP client's token provider)."""
        return (await self.require_user()).token

    async def refused(self) -> None:
        """The server refused the token: forget it and, on a terminal, ask to log in again (else raise)."""
        from mojodex_core._questions import IN_BACKGROUND

        if IN_BACKGROUND.get():  # a load behind the prompt changes nothing: the next command meets the refusal
            raise AuthError("the server refused the login token (expired or invalid)", 403)
        source = self.source
        await self.drop_token()
        if not self.ctx.interactive or source == "env":
            how = "set a valid MOJODEX_TOKEN" if source == "env" else "run `mojodex login`"
            raise AuthError(f"the server refused the login token (expired or invalid): {how}", 403)
        self.ctx.print("Your login has expired or is no longer valid; please log in again.", err=True)
        if await self.login() is None:
            raise AuthError("not logged in", 403)

    async def login(self, email: str | None = None, password: str | None = None, *, save: bool = True,
                    attempts: int = ATTEMPTS) -> User | None:
        """Log in to the server, asking for what is not given; greet the user and keep the token.

        What a plugin answers to ``mojodex_login_hint`` is said before the questions (the demo says its
        account). Wrong credentials: one line, ask again, up to ``attempts`` times (then ``LoginFailed``). Server
        unreachable: one line naming the URL and None, so that the shell can still open. With ``save=False``
        the token is kept for this process only.
        """
        ctx = self.ctx
        await self.check_transport("password")  # before anything is typed
        # What to type, when a plugin knows (the demo's account, once its user logged out): before the questions.
        if ctx.interactive and (email is None or password is None):
            hint = await ctx.call_hook("mojodex_login_hint")
            if hint:
                ctx.print(str(hint), err=True)
        for attempt in range(1, attempts + 1):
            user_email = email if email is not None else (await ctx.ask("Username: ")).strip()
            user_password = password if password is not None else await ctx.ask("Password: ", password=True)
            try:
                data = await ctx.server.http.request(
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
            user = await self.keep(data, user_email, save=save)
            # Messages about the session, never a command's output: a login asked for by `task list --json` on a
            # terminal leaves its stdout to the JSON.
            ctx.print(f"Welcome, {user.name or user.email}.", err=True)
            if data.get("terms_and_conditions_agreed") is False:
                ctx.print(f"This account has not accepted the terms and conditions of {self.server_url} yet: "
                          "`terms accept` accepts them.", err=True)
            return user
        raise LoginFailed("login failed")

    async def keep(self, data: Any, email: str, *, save: bool = True) -> User:
        """Keep the login a server answered (a login's, or a sign-up's, which answers the same): its token, the
        account's name, language and whether it accepted the terms; tell the server the timezone. Says nothing."""
        ctx = self.ctx
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise MojodexError("the server's login answer has no token")
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        user = User(server=self.server_url, token=token, name=one_line(name, 80), email=email)
        if save:
            self.credentials.save(user)  # a new login forgets what was cached for the old one
        self.user, self.source, self.ephemeral = user, "login", not save
        language = data.get("language_code")
        if isinstance(language, str) and language:
            ctx.server.remember("language", one_line(language, 10))
        if isinstance(data.get("terms_and_conditions_agreed"), bool):
            ctx.server.remember("terms", data["terms_and_conditions_agreed"])
        await ctx.server.sync_timezone(login=True)  # as the web app does on loading: the to-do list needs it
        await self._notify()
        return user

    async def logout(self) -> bool:
        """Forget the token for this server. Returns False if there was none."""
        had = self.user is not None
        self.credentials.delete(self.server_url)
        self.user, self.source = None, ""
        await self._notify()
        return had

    async def drop_token(self) -> None:
        """Forget a refused token (the saved copy too, unless it came from the environment)."""
        if self.source != "env":
            self.credentials.delete(self.server_url)
        self.user, self.source = None, ""
        await self._notify()


def plain_to_another_host(url: str) -> bool:
    """True for an ``http://`` (or ``ws://``) URL whose host is not a loopback address nor ``localhost``.

    The host is judged by its name, never resolved: nothing is sent anywhere to decide.
    """
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "ws"):
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True
