"""The interactive ``mojodex>`` prompt: one PromptSession, history, completion, toolbar, Ctrl-C handling."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.utils import is_dumb_terminal

from mojodex_core._dispatch import report, resolve, run_async, run_cancellable
from mojodex_core._errors import MojodexError
from mojodex_core._questions import literal_prompt, toolbar_output
from mojodex_core._registry import split_line
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext

LEAVE_WORDS = ("exit", "quit")


class SharedHistory(FileHistory):
    """The history file, which every shell of the user appends to: each entry is written whole, in one write,
    under the file's lock, so that entries of shells typing at the same moment never interleave."""

    def store_string(self, string: str) -> None:
        import datetime

        from mojodex_core._files import file_lock

        entry = f"\n# {datetime.datetime.now()}\n" + "".join(f"+{line}\n" for line in string.split("\n"))
        with file_lock(Path(str(self.filename))), open(self.filename, "ab") as f:
            f.write(entry.encode("utf-8", errors="replace"))

class CommandCompleter(Completer):
    """Completes command words (nested, from the registry), then a command's own arguments."""

    def __init__(self, ctx: ShellContext) -> None:
        self.ctx = ctx

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        try:
            words = split_line(text)
        except MojodexError:
            return
        current = "" if not words or text.endswith((" ", "\t")) else words.pop()
        reg = self.ctx.commands
        choices: dict[str, str] = reg.next_words(tuple(words))
        if not words:
            choices.update({w: "leave the shell" for w in LEAVE_WORDS})
        found = reg.resolve(words) if words else None
        complete = found[0].complete if found is not None else None
        if found is not None and complete is not None:
            cmd, args = found
            try:
                for value, meta in complete(self.ctx, args):
                    choices.setdefault(str(value), str(meta))
            except Exception as exc:  # a plugin's completer must never break typing
                self.ctx.log_exception(exc, f"completer of {cmd.name}")
        for word in sorted(choices):
            if word.startswith(current):
                yield Completion(word, start_position=-len(current), display_meta=one_line(choices[word], 60))


class Shell:
    """Runs the prompt loop of one Context until exit, quit or Ctrl-D."""

    def __init__(self, ctx: ShellContext) -> None:
        self.ctx = ctx
        self.dumb = is_dumb_terminal()
        self.session: PromptSession[str] = PromptSession(
            history=self._history(),
            completer=CommandCompleter(ctx),
            complete_while_typing=False,
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
        parts = [f" {who}", ctx.server_url + (f" ({ctx.server.api})" if ctx.server.api else "")]
        try:
            parts += [str(t) for t in ctx.hooks.call_sync("mojodex_toolbar", ctx=ctx) if t]
        except Exception as exc:
            ctx.log_exception(exc, "toolbar")
        return one_line("  |  ".join(parts), 200)

    async def run(self) -> int:
        ctx = self.ctx
        ctx.in_shell = True
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
        task = asyncio.get_running_loop().create_task(run_async(ctx, cmd, args))
        return await run_cancellable(ctx, task)

