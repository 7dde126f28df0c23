"""The shell's context, handed to every command and hook: the public face a plugin works with.

What a plugin may use is documented in docs/plugins.md (the ``Context`` protocol of ``mojodex_core``); the
login (``_session``), the HTTP client (``_server``) and the plugin host stay behind it.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core._debuglog import log_exception
from mojodex_core._errors import CommandCancelled, NotInteractiveError
from mojodex_core._text import sanitize

if TYPE_CHECKING:
    import argparse

    from mojodex_core._config import Config
    from mojodex_core._credentials import User
    from mojodex_core._plugins import PluginHost
    from mojodex_core._plugins_view import Plugins
    from mojodex_core._registry import CommandRegistry
    from mojodex_core._server import Server
    from mojodex_core._status import StatusLine


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ShellContext:
    """Everything a command or a hook may use. One per shell; tests build their own."""

    def __init__(self, config: Config, home: Path, *, interactive: bool | None = None,
                 debug_log: Path | None = None, options: argparse.Namespace | None = None) -> None:
        import argparse as _argparse

        from mojodex_core._plugins import PluginHost
        from mojodex_core._server import Server
        from mojodex_core._session import Session

        self.config = config
        self.home = home
        self.options = options or _argparse.Namespace()
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.debug_log = debug_log
        self.hooks: PluginHost = PluginHost(self.warn, self.log_exception)
        self.session = Session(self, lambda: self.call_hook("mojodex_auth_changed"))
        self.server: Server = Server(self)
        self.in_shell = False  # True while the interactive prompt loop runs
        self._plugins: Plugins | None = None
        self._asker: Any = None
        self._status: StatusLine | None = None
        self._page: list[str] | None = None  # what a paged block printed, while it runs
        self.rearm_sigint: Any = None  # set while a command runs: gives Ctrl-C back to it after a question

    # -- output --------------------------------------------------------------------------------------------

    def print(self, *parts: object, sep: str = " ", end: str = "\n", err: bool = False) -> None:
        """Print text that may come from a server or a model: control sequences are stripped.

        A dict or a list is printed as JSON (``json.dumps``, non-ASCII kept as is; a value JSON has no type for
        becomes its ``str``), so that ``ctx.print({"words": 3})`` is a document a script can read; anything else
        as ``str`` gives it. A part made by ``ctx.style`` is coloured where colour is on. On a terminal, lines
        wider than it wrap at spaces with a hanging indent (``ctx.error`` and ``ctx.warn`` lines never: they stay
        one line). While the prompt is shown, the text appears above it.
        """
        import json

        from mojodex_core._output import Styled, paint

        stream = sys.stderr if err else sys.stdout
        colour = self._colour(stream)
        text = sep.join(paint(p, p.style, colour) if isinstance(p, Styled)
                        else sanitize(json.dumps(p, ensure_ascii=False, default=str) if isinstance(p, dict | list)
                                      else p)
                        for p in parts) + end
        if _isatty(stream):
            from mojodex_core._output import wrap_text

            text = wrap_text(text, self.columns)
        self._emit(text, err)

    def write(self, text: str, *, err: bool = False) -> None:
        """Write ``text`` as it is, without adding a newline (for streamed text); control sequences stripped."""
        self._emit(sanitize(text), err)

    def _emit(self, text: str, err: bool) -> None:
        if self._page is not None and not err:
            self._page.append(text)
            return
        stream = sys.stderr if err else sys.stdout
        if self._status is not None:
            self._status.clear()
        stream.write(text)
        stream.flush()

    def style(self, text: object, style: str) -> str:
        """``text`` to print in a style: ``"error"`` (red), ``"warning"`` (yellow), ``"ok"`` (green), ``"muted"``
        (grey) or ``"bold"``. Coloured by ``ctx.print`` and ``ctx.table`` on a terminal only, never with
        ``NO_COLOR`` or ``shell.color = "never"``; elsewhere it is the plain text."""
        from mojodex_core._output import Styled

        return Styled(text, style)

    def table(self, rows: Iterable[Iterable[object]], headers: Iterable[str] | None = None, *,
              styles: Iterable[str | None] = (), gap: int = 2) -> None:
        """Print ``rows`` as aligned columns, ``gap`` spaces apart, as gh and pgcli list things. ``headers`` are
        shown on a terminal only (a script reading the output gets the rows alone); on a terminal the last column
        wraps under itself. ``styles`` colours whole columns (``None`` for plain), ``ctx.style`` single cells."""
        from mojodex_core._output import table

        tty = _isatty(sys.stdout)
        lines = table([list(r) for r in rows], list(headers) if headers and tty else None,
                      self.columns if tty else 0, self._colour(sys.stdout), list(styles), gap)
        if lines:
            self._emit("\n".join(lines) + "\n", False)

    @contextmanager
    def paged(self) -> Iterator[None]:
        """Show what the block prints through a pager (``shell.pager``, else ``$PAGER``, else ``less -R``) when
        it is taller than the terminal, as pgcli does; straight to the terminal otherwise, or when the block asks
        a question. Only on a terminal: into a pipe or a file, the text goes as it is."""
        from mojodex_core._output import page, pager_command, terminal_size

        command = pager_command(self.config.get("shell.pager", ""))
        if self._page is not None or command is None or not (_isatty(sys.stdout) and _isatty(sys.stdin)):
            yield
            return
        self._page = []
        try:
            yield
        finally:
            text, self._page = "".join(self._page), None
            rows = terminal_size()[1]
            if not rows or text.count("\n") < rows - 1 or not page(text, command):
                self._emit(text, False)

    def _flush_page(self) -> None:
        """A question is about to be asked: what the paged block printed goes to the terminal now, unpaged."""
        if self._page is not None:
            text, self._page = "".join(self._page), None
            self._emit(text, False)

    @property
    def columns(self) -> int:
        """The terminal's width in columns (``$COLUMNS`` first), or 0 when it cannot be known: a terminal nobody
        gave a size (a pty opened by a program, as pexpect's) shows lines whole, as they are written."""
        from mojodex_core._output import terminal_size

        return terminal_size()[0]

    def refresh_toolbar(self) -> None:
        """Have the prompt draw its bottom toolbar again, now: for a plugin whose ``mojodex_toolbar`` text changed
        while the prompt waits for a key (a count read in the background). Nothing happens without a prompt."""
        from prompt_toolkit.application import get_app_or_none

        app = get_app_or_none()
        if app is not None and app.is_running:
            app.invalidate()

    @property
    def color(self) -> bool:
        """Whether what goes to stdout may have colour and other styles (a terminal, no ``NO_COLOR``,
        ``shell.color`` not ``"never"``): a plugin that renders on its own (rich, say) asks this first."""
        return self._colour(sys.stdout)

    def _colour(self, stream: Any) -> bool:
        from mojodex_core._output import colour_on

        return colour_on(stream, self.config.get("shell.color", "auto"))

    def warn(self, message: str) -> None:
        """One warning line on stderr (yellow on a terminal), never wrapped: a script or a person reads it whole."""
        self._one_line(f"warning: {message}", "warning")

    def error(self, message: str) -> None:
        """One error line on stderr (red on a terminal), never wrapped: a script or a person reads it whole."""
        self._one_line(f"error: {message}", "error")

    def _one_line(self, text: str, style: str) -> None:
        from mojodex_core._output import paint

        self._emit(paint(sanitize(text), style, self._colour(sys.stderr)) + "\n", True)

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

    async def ask(self, prompt: str, *, password: bool = False, default: str | None = None,
                  choices: Iterable[str] | None = None, paths: bool = False, toolbar: str | None = None) -> str:
        """Ask the user for one line. Ctrl-C or Ctrl-D cancels the command (``CommandCancelled``).

        ``default`` is shown as the answer's editable text (Enter accepts it). ``choices`` are offered as
        completions, ``paths`` completes file names; ``toolbar`` is a hint shown below the question. With no
        terminal, raises ``NotInteractiveError``: callers that can take the answer from a flag should catch it
        and name the flag.
        """
        if not self.interactive:
            raise NotInteractiveError(f"'{prompt.strip()}' needs an answer, but there is no terminal to ask")
        from mojodex_core._questions import ask

        self._flush_page()
        if self._status is not None:
            self._status.clear()
        try:
            return await ask(self, prompt, password=password, default=default, choices=choices, paths=paths,
                             toolbar=toolbar)
        except (KeyboardInterrupt, EOFError) as exc:
            raise CommandCancelled("cancelled") from exc
        finally:
            if self.rearm_sigint is not None:
                self.rearm_sigint()

    async def confirm(self, question: str = "Continue (Y/n)?", default: bool = True, *,
                      refusal: str | None = None) -> bool:
        """Ask a yes/no question: Enter takes the default, ``y``/``yes`` and ``n``/``no`` in any case.

        With no terminal, raises ``NotInteractiveError``: with ``refusal`` as its line (say which flag answers
        the question there, as in "deleting todo 3 asks first: pass --yes to delete it").
        """
        while True:
            try:
                answer = (await self.ask(question.rstrip() + " ")).strip().lower()
            except NotInteractiveError:
                if refusal is None:
                    raise
                raise NotInteractiveError(refusal) from None
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.print("Please answer y or n.")

    # -- hooks and plugins ---------------------------------------------------------------------------------

    async def call_hook(self, hook_name: str, /, *, on_error: Any = None, **kwargs: Any) -> Any:
        """Call a hook on every plugin (``ctx`` is passed for you), the way the hookspec says.

        A *first result* hook returns the first answer that is not None (or None); an error it raises is the
        call's error. Any other hook returns the list of answers; a plugin that raises is named in one warning
        and the others still run, or ``on_error(plugin_name, exc)`` is called instead of the warning.
        """
        return await self.hooks.call(hook_name, ctx=self, on_error=on_error, **kwargs)

    @property
    def plugins(self) -> Plugins:
        """The plugins of this shell: list them, load new ones, enable and disable them."""
        from mojodex_core._plugins_view import Plugins

        if self._plugins is None:
            self._plugins = Plugins(self)
        return self._plugins

    @property
    def commands(self) -> CommandRegistry:
        """The registered commands (for help and completion): ``get``, iteration, ``children``, ``suggest``."""
        return self.hooks.registry

    # -- files ---------------------------------------------------------------------------------------------

    def write_private(self, path: str | Path, data: str | bytes) -> Path:
        """Write a file of the user's own, atomically and readable by the user alone (0600).

        A relative ``path`` is under ``ctx.home`` (``~/.mojodex``); missing folders are made, private (0700).
        Returns the file's path.
        """
        from mojodex_core._files import atomic_write, ensure_private_dir

        target = Path(path) if Path(path).is_absolute() else self.home / path
        ensure_private_dir(target.parent)
        atomic_write(target, data, mode=0o600)
        return target

    # -- server and login ----------------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        return str(self.config.get("server.url")).rstrip("/")

    @property
    def user(self) -> User | None:
        """Who is logged in to the configured server (None if nobody is)."""
        return self.session.current()

    @property
    def token_source(self) -> str:
        """Where the token came from: ``"saved"``, ``"login"``, ``"env"`` (``MOJODEX_TOKEN``) or ``""``."""
        return self.session.source if self.user is not None else ""

    async def require_user(self) -> User:
        """The logged-in user; asks to log in on a terminal, else raises ``NotLoggedInError``."""
        return await self.session.require_user()

    async def login(self, email: str | None = None, password: str | None = None, *, save: bool = True) -> User | None:
        """Log in (asking for what is not given); ``save=False`` keeps the token for this process only."""
        return await self.session.login(email, password, save=save)

    async def logout(self) -> bool:
        """Forget the token for this server. Returns False if there was none."""
        return await self.session.logout()

    async def aclose(self) -> None:
        await self.server.aclose()
