"""The interactive shell in this process, driven like the ``mojodex`` script in a pseudo-terminal (terminal.py).

``InProcessTerminal`` has the ``Terminal`` API (``line``, ``type``, ``ctrl``, ``expect``, ``text``, ``raw``,
``wait_exit``): a test written for one runs on the other unchanged. The keys go into prompt_toolkit's pipe input,
the output is read as plain text, and the shell is the console script's own loop (startup hooks, the prompt, the
commands, shutdown) on an event loop of this (main) thread, which runs only while the test waits on it: in
``expect`` and ``wait_exit``. A program at rest between two expectations, as a process whose output nobody reads.

Ctrl-C is what a terminal makes of it: a key while a question or the prompt reads the keyboard (raw mode), and
SIGINT to the process otherwise (cooked mode, while a command runs), taken by the handler the command set.

What it does not give: the terminal's width and its escape sequences (prompt_toolkit writes plain text here), a
real tty for child programs, Python's start-up. Tests of those keep the pseudo-terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import threading
from pathlib import Path
from typing import Any

from terminal import screen_text


class _LiveScreen(io.StringIO):
    """What the shell prints, not a tty; each write wakes whoever waits for new text."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.changed = asyncio.Event()
        self._main = threading.get_ident()

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        n = super().write(s)
        if threading.get_ident() == self._main:
            self.changed.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                self.loop.call_soon_threadsafe(self.changed.set)
        return n


class InProcessTerminal:
    """The shell of ``shell`` (an ``InProcessShell`` of conftest.py) as a terminal a test types into."""

    PROMPT = "mojodex>"

    def __init__(self, shell: Any) -> None:
        from prompt_toolkit.application import create_app_session
        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output.plain_text import PlainTextOutput

        from mojodex_core._runner import _run_shell, _with_lifecycle

        self.shell = shell
        self.pos = 0
        self.exitstatus: int | None = None
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.screen = _LiveScreen(self.loop)
        self._stack = contextlib.ExitStack()
        self.pipe = self._stack.enter_context(create_pipe_input())
        self._stack.enter_context(contextlib.redirect_stdout(self.screen))
        self._stack.enter_context(contextlib.redirect_stderr(self.screen))
        # The shell's task takes a copy of this context: the app session stays its own for its whole life.
        with create_app_session(input=self.pipe, output=PlainTextOutput(self.screen)) as session:
            self.session = session
            self.task = self.loop.create_task(_with_lifecycle(shell.ctx, _run_shell(shell.ctx)))

    @property
    def raw(self) -> str:
        return self.screen.getvalue()

    @property
    def text(self) -> str:
        return screen_text(self.raw)

    # -- what the test types ----------------------------------------------------------------------------------

    def type(self, text: str) -> None:
        """Type ``text`` without Enter."""
        self.pipe.send_text(text)

    def line(self, text: str) -> None:
        """Type ``text`` and Enter."""
        self.pipe.send_text(text + "\r")

    def ctrl(self, key: str) -> None:
        """Ctrl-``key``. Ctrl-C is a key only while something reads the keyboard; else SIGINT, as a terminal does."""
        if key.lower() == "c" and self.session.app is None and self._command_takes_sigint():
            os.kill(os.getpid(), signal.SIGINT)  # the loop's handler notes it; the command hears it when run
            return
        self.pipe.send_text(chr(ord(key.lower()) - ord("a") + 1))

    @staticmethod
    def _command_takes_sigint() -> bool:
        handler = signal.getsignal(signal.SIGINT)
        return handler not in (signal.default_int_handler, signal.SIG_DFL, signal.SIG_IGN, None)

    # -- what the test reads ----------------------------------------------------------------------------------

    def _pump(self, regex: re.Pattern[str] | None, timeout: float) -> re.Match[str] | None:
        """Run the shell until ``regex`` shows after the previous match (or, with None, until it exits)."""

        async def until() -> re.Match[str] | None:
            while True:
                if regex is not None:
                    found = regex.search(self.text, self.pos)
                    if found:
                        return found
                if self.task.done():
                    return None
                self.screen.changed.clear()
                changed = asyncio.ensure_future(self.screen.changed.wait())
                try:
                    await asyncio.wait({changed, self.task}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    changed.cancel()

        try:
            return self.loop.run_until_complete(asyncio.wait_for(until(), timeout))
        except TimeoutError:
            return None

    def expect(self, pattern: str | re.Pattern[str], timeout: float = 5.0) -> re.Match[str]:
        """Wait until ``pattern`` (text, or a compiled regex) shows after the previous match."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        found = self._pump(regex, timeout)
        if found is None:
            why = "the shell exited" if self.task.done() else f"not shown within {timeout} s"
            self._raise_failure()
            raise AssertionError(f"{regex.pattern!r}: {why}. The screen after the last match:\n"
                                 f"{self.text[self.pos:][-3000:]}")
        self.pos = found.end()
        return found

    def expect_prompt(self, timeout: float = 5.0) -> None:
        self.expect(self.PROMPT, timeout)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Run the shell until it leaves; returns its exit status."""
        self._pump(None, timeout)
        if not self.task.done():
            raise AssertionError(f"the shell did not exit within {timeout} s:\n{self.text[-2000:]}")
        self._raise_failure()
        self.exitstatus = int(self.task.result())
        return self.exitstatus

    def drain(self) -> None:
        """Let the shell print what it has ready, without waiting for anything."""
        if not self.loop.is_closed():
            self.loop.run_until_complete(asyncio.sleep(0))

    def _raise_failure(self) -> None:
        if self.task.done() and not self.task.cancelled() and self.task.exception() is not None:
            raise AssertionError(f"the shell failed:\n{self.text[-2000:]}") from self.task.exception()

    def kill(self) -> None:
        """End the shell (its shutdown hooks run, as after Ctrl-D), then the loop and the redirections.

        A cancelled command only brings the shell back to its prompt (Ctrl-C's meaning), where Ctrl-D leaves it:
        both, until it has left.
        """
        if self.loop.is_closed():
            return
        try:
            for _ in range(10):
                if self.task.done():
                    break
                self.task.cancel()
                self.pipe.send_text("\x04")
                self.loop.run_until_complete(asyncio.wait({self.task}, timeout=2))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
        finally:
            self.loop.close()
            asyncio.set_event_loop(None)
            self._stack.close()


def shell_as_configured(make_shell: Any, home: Path, server_url: str) -> Any:
    """An ``InProcessShell`` with the plugins the config file in ``home`` leaves enabled, as the script loads."""
    from mojodex_core._config import Config

    disabled = Config.load(home / "config.toml").get("plugins.disabled", [])
    return make_shell(server_url=server_url, disabled=tuple(str(d) for d in disabled or ()))
