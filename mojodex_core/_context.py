"""The shell's context, handed to every command and hook: config, user, HTTP client, output and questions."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core._credentials import CredentialStore, User
from mojodex_core._debuglog import log_exception
from mojodex_core._errors import CommandCancelled, NotInteractiveError, NotLoggedInError
from mojodex_core._text import sanitize

if TYPE_CHECKING:
    import argparse

    from mojodex_core._api import ApiClient
    from mojodex_core._config import Config
    from mojodex_core._plugins import PluginHost
    from mojodex_core._status import StatusLine


class Context:
    """Everything a command or a hook may use. One per shell; tests build their own.

    Public: ``config``, ``home``, ``options``, ``user``, ``interactive``, ``api``, ``plugins``, ``print``,
    ``warn``, ``ask``, ``confirm``, ``status``, ``fire``, ``require_user``, ``login``, ``logout``.
    """

    def __init__(self, config: Config, home: Path, *, interactive: bool | None = None,
                 debug_log: Path | None = None, options: argparse.Namespace | None = None) -> None:
        import argparse as _argparse

        from mojodex_core._plugins import PluginHost

        self.config = config
        self.home = home
        self.options = options or _argparse.Namespace()
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.debug_log = debug_log
        self.credentials = CredentialStore(home / "credentials")
        self.plugins: PluginHost = PluginHost(self.warn, self.log_exception)
        self.user: User | None = None
        self.token_source = ""  # "saved", "login" or "env"
        self.in_shell = False  # True while the interactive prompt loop runs
        self._api: ApiClient | None = None
        self._asker: Any = None
        self._status: StatusLine | None = None
        self.rearm_sigint: Any = None  # set while a command runs: gives Ctrl-C back to it after a question

    # -- output --------------------------------------------------------------------------------------------

    def print(self, *parts: object, sep: str = " ", end: str = "\n", err: bool = False) -> None:
        """Print text that may come from a server or a model: control sequences are stripped.

        While the prompt is shown, the text appears above it.
        """
        stream = sys.stderr if err else sys.stdout
        if self._status is not None:
            self._status.clear()
        stream.write(sanitize(sep.join(str(p) for p in parts)) + end)
        stream.flush()

    def warn(self, message: str) -> None:
        """One warning line on stderr."""
        self.print(f"warning: {message}", err=True)

    def error(self, message: str) -> None:
        """One error line on stderr."""
        self.print(f"error: {message}", err=True)

    def log_exception(self, exc: BaseException, context: str = "") -> None:
        """Write ``exc``'s full traceback to the debug log (with ``--debug``); nothing reaches the terminal."""
        log_exception(self.debug_log, exc, context)

    @asynccontextmanager
    async def status(self, text: str) -> AsyncIterator[StatusLine]:
        """Show ``text`` with a spinner and the elapsed time while the block runs (on a terminal only)."""
        from mojodex_core._status import StatusLine

        line = StatusLine(text, enabled=sys.stdout.isatty() and self.interactive)
        previous, self._status = self._status, line
        line.start()
        try:
            yield line
        finally:
            line.stop()
            self._status = previous

    # -- questions -----------------------------------------------------------------------------------------

    async def ask(self, prompt: str, *, password: bool = False, default: str | None = None) -> str:
        """Ask the user for one line. Ctrl-C or Ctrl-D cancels the command (``CommandCancelled``).

        With no terminal, raises ``NotInteractiveError``: callers that can take the answer from a flag should
        catch it and name the flag.
        """
        if not self.interactive:
            raise NotInteractiveError(f"'{prompt.strip()}' needs an answer, but there is no terminal to ask")
        from mojodex_core._questions import ask

        if self._status is not None:
            self._status.clear()
        try:
            answer = await ask(self, prompt, password=password)
        except (KeyboardInterrupt, EOFError) as exc:
            raise CommandCancelled("cancelled") from exc
        finally:
            if self.rearm_sigint is not None:
                self.rearm_sigint()
        return answer if answer or default is None else default

    async def confirm(self, question: str = "Continue (Y/n)?", default: bool = True) -> bool:
        """Ask a yes/no question: Enter takes the default, ``y``/``yes`` and ``n``/``no`` in any case."""
        while True:
            answer = (await self.ask(question.rstrip() + " ")).strip().lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.print("Please answer y or n.")

    # -- hooks ---------------------------------------------------------------------------------------------

    async def fire(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call a hook on every plugin (``ctx`` is passed for you); plugins that raise are named and skipped."""
        return await self.plugins.call(hook_name, ctx=self, **kwargs)

    async def fire_first(self, hook_name: str, **kwargs: Any) -> Any:
        """Call a ``firstresult`` hook: the first plugin that answers (not None) wins. None if none does."""
        results = await self.plugins.call(hook_name, firstresult=True, ctx=self, **kwargs)
        return results[0] if results else None

    # -- server and login ----------------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        return str(self.config.get("server.url")).rstrip("/")

    @property
    def api(self) -> ApiClient:
        """The HTTP client for the configured server (created on first use)."""
        from mojodex_core._api import ApiClient

        if self._api is None or self._api.base_url != self.server_url:
            old, self._api = self._api, ApiClient(self)
            if old is not None:
                old.close_later()
        return self._api

    def restore_user(self) -> None:
        """Take the token from ``MOJODEX_TOKEN`` or the credentials saved for this server, if any."""
        env = os.environ.get("MOJODEX_TOKEN")
        if env:
            self.user, self.token_source = User(server=self.server_url, token=env), "env"
        else:
            self.user = self.credentials.load(self.server_url)
            self.token_source = "saved" if self.user else ""

    async def require_user(self) -> User:
        """The logged-in user; asks to log in on a terminal, else raises ``NotLoggedInError``."""
        if self.user is not None and self.user.server == self.server_url:
            return self.user
        if self.user is not None:
            self.user = None
        if not self.interactive:
            raise NotLoggedInError(
                f"not logged in to {self.server_url}: run `mojodex login`, or set MOJODEX_TOKEN"
            )
        from mojodex_core._auth import login

        user = await login(self)
        if user is None:
            raise NotLoggedInError("not logged in")
        return user

    async def login(self, email: str | None = None, password: str | None = None) -> User | None:
        """Log in (asking for what is not given); see ``mojodex_core._auth.login``."""
        from mojodex_core._auth import login

        return await login(self, email=email, password=password)

    async def logout(self) -> bool:
        """Forget the token for this server. Returns False if there was none."""
        had = self.user is not None
        self.credentials.delete(self.server_url)
        self.user, self.token_source = None, ""
        await self.fire("mojodex_auth_changed")
        return had

    async def drop_token(self) -> None:
        """The server refused the token: forget it (the saved copy too, unless it came from the environment)."""
        if self.token_source != "env":
            self.credentials.delete(self.server_url)
        self.user, self.token_source = None, ""
        await self.fire("mojodex_auth_changed")

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.aclose()
            self._api = None
