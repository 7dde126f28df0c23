"""The interactive ``mojodex>`` prompt: one PromptSession, history, completion, toolbar, Ctrl-C handling."""

from __future__ import annotations

import asyncio
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.utils import is_dumb_terminal

from mojodex_core._completion import LEAVE_WORDS, CommandCompleter, CompletionValues
from mojodex_core._dispatch import report, resolve, run_async, run_cancellable
from mojodex_core._errors import MojodexError
from mojodex_core._output import cell_width, cut
from mojodex_core._questions import literal_prompt, toolbar_output
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext

__all__ = ["LEAVE_WORDS", "CommandCompleter", "SharedHistory", "Shell", "fit_toolbar"]


class SharedHistory(FileHistory):
    """The history file, which every shell of the user appends to: each entry is written whole, in one write,
    under the file's lock, so that entries of shells typing at the same moment never interleave."""

    def store_string(self, string: str) -> None:
        import datetime

        from mojodex_core._files import file_lock

        entry = f"\n# {datetime.datetime.now()}\n" + "".join(f"+{line}\n" for line in string.split("\n"))
        with file_lock(Path(str(self.filename))), open(self.filename, "ab") as f:
            f.write(entry.encode("utf-8", errors="replace"))


def fit_toolbar(who: str, server: str, api: str, extras: list[str], width: int) -> str:
    """The toolbar's line in ``width`` cells: ``who | server (api) | extras``, shortened as much as it must be.

    What goes first is what says least: the dialect, then the URL's scheme, then a long user name is cut, then the
    server goes; what plugins add (the live connection) stays to the end, when the whole line is cut.
    """
    who, server, api = one_line(who, 200), one_line(server, 200), one_line(api, 40)
    extras = [one_line(e, 100) for e in extras if one_line(e, 100)]
    bare = server.split("://", 1)[-1]
    tries = [
        [who, f"{server} ({api})" if api else server, *extras],
        [who, server, *extras],
        [who, bare, *extras],
        [cut(who, 16), bare, *extras],
        [cut(who, 16), *extras],
    ]
    for parts in tries:
        line = " | ".join(parts)
        if cell_width(line) <= width:
            return line
    return cut(" | ".join(tries[-1]), width)


class Shell:
    """Runs the prompt loop of one Context until exit, quit or Ctrl-D."""

    def __init__(self, ctx: ShellContext) -> None:
        self.ctx = ctx
        self.dumb = is_dumb_terminal()
        self.completions = CompletionValues(ctx)
        self.session: PromptSession[str] = PromptSession(
            history=self._history(),
            completer=CommandCompleter(ctx, self.completions),
            complete_while_typing=False,
            auto_suggest=AutoSuggestFromHistory(),
            bottom_toolbar=self.toolbar,
            enable_history_search=True,
            output=toolbar_output(),
        )
        self.last_status = 0

    def _history(self) -> Any:
        if not self.ctx.config.get("shell.history", True):
            return InMemoryHistory()
        from mojodex_core._files import ensure_private_dir

        try:
            ensure_private_dir(self.ctx.home)
            path = self.ctx.home / "history"
            path.touch(mode=0o600, exist_ok=True)
            return SharedHistory(str(path))
        except OSError:
            return InMemoryHistory()

    def toolbar(self) -> str:
        ctx = self.ctx
        user = ctx.user
        if user is None:
            who = "not logged in"
        else:
            who = user.name or user.email or ("token from MOJODEX_TOKEN" if ctx.token_source == "env" else "logged in")
        extras: list[str] = []
        try:
            extras = [str(t) for t in ctx.hooks.call_sync("mojodex_toolbar", ctx=ctx) if t]
        except Exception as exc:
            ctx.log_exception(exc, "toolbar")
        # The last column stays free: a terminal may wrap a line that fills it.
        return fit_toolbar(who, ctx.server_url, ctx.server.api, extras, self._columns() - 1)

    def _columns(self) -> int:
        try:
            return int(self.session.output.get_size().columns)
        except Exception:  # no terminal to ask: nothing to fit
            return 200

    async def run(self) -> int:
        ctx = self.ctx
        ctx.in_shell = True
        # What Tab offers that needs the server loads while the user reads the prompt, never on a key.
        self.completions.refresh()
        try:
            while True:
                # Read each time: `config set shell.prompt` applies to the shell it is typed in.
                prompt = literal_prompt(str(ctx.config.get("shell.prompt", "mojodex> ")))
                try:
                    # Only while the prompt is shown does other output go above it; a running command writes
                    # straight to the terminal, in order. A dumb terminal's prompt cannot be redrawn at all.
                    with nullcontext() if self.dumb else patch_stdout():
                        line = await self.session.prompt_async(prompt)
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    break
                if line.strip() in LEAVE_WORDS:
                    break
                self.last_status = await self.run_line(line)
        finally:
            await self.completions.aclose()
            ctx.in_shell = False
        return 0

    async def run_line(self, line: str) -> int:
        """Run one line as a task that Ctrl-C cancels; the shell goes on whatever happens."""
        ctx = self.ctx
        try:
            found = resolve(ctx, line)
        except MojodexError as exc:
            return report(ctx, None, exc)
        if found is None:
            return 0
        cmd, args = found
        self.completions.pause()  # the command has the server to itself
        task = asyncio.get_running_loop().create_task(run_async(ctx, cmd, args))
        try:
            return await run_cancellable(ctx, task)
        finally:
            # Whatever the command changed (a new run, a login, another server), completion catches up with it.
            self.completions.refresh(cmd.name)

