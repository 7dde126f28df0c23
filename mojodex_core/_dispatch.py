"""Running one command line: find the command, call its handler, turn every failure into one line."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from mojodex_core._errors import CommandCancelled, MojodexError, UsageError
from mojodex_core._registry import Command, split_line

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext as Context

CO_COROUTINE = inspect.CO_COROUTINE


def is_async(func: Any) -> bool:
    """True if ``func`` is an ``async def`` (or cannot be told apart: then it runs on the event loop)."""
    code = getattr(func, "__code__", None)
    return code is None or bool(code.co_flags & CO_COROUTINE)


def unknown_command(ctx: Context, words: list[str]) -> MojodexError:
    """The error for a line that names no command: subcommands of a group, or the closest name."""
    reg = ctx.commands
    subs = reg.children(tuple(words[:1]))
    if subs and len(words) == 1:
        names = ", ".join(c.words[-1] for c in subs)
        return UsageError(f"'{words[0]}' needs a subcommand: {names} (see `help {words[0]}`)")
    typed = " ".join(words[:2]) if subs else words[0]
    return UsageError(f"unknown command '{typed}'.{reg.did_you_mean(words)} Type `help` to list the commands.")


def resolve(ctx: Context, line_or_words: str | list[str]) -> tuple[Command, list[str]] | None:
    """Find the command for a line; None for an empty line. Raises UsageError for an unknown one."""
    words = split_line(line_or_words) if isinstance(line_or_words, str) else list(line_or_words)
    if not words:
        return None
    found = ctx.commands.resolve(words)
    if found is None:
        raise unknown_command(ctx, words)
    return found


def _help_requested(cmd: Command, args: list[str]) -> bool:
    return bool(args) and args[0] in ("--help", "-h")


def report(ctx: Context, cmd: Command | None, exc: BaseException) -> int:
    """Print one line for ``exc`` and return the exit status it stands for.

    ``CommandCancelled`` (Ctrl-C at a question) prints its message, ``cancelled`` as ``ctx.ask`` raises it; a
    command that already said what Ctrl-C did (``Left run 1 waiting on the server...``) raises it with an empty
    message, and nothing more is printed. Either way the status is 130. (Ctrl-C while a command runs cancels its
    task: ``run_cancellable`` says ``cancelled``, unless the command ended with ``asyncio.CancelledError("")``.)
    """
    if isinstance(exc, CommandCancelled):
        if str(exc):
            ctx.print(str(exc), err=True)
        return 130
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if code:
            ctx.error(f"command '{cmd.name if cmd else '?'}' exited with status {code}")
        return code
    if isinstance(exc, MojodexError):
        if str(exc) or exc.exit_code != 0:
            ctx.error(str(exc) or type(exc).__name__)
        return exc.exit_code
    where = f"command '{cmd.name}' (plugin {cmd.plugin})" if cmd else "the shell"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    ctx.error(f"{where} failed: {type(exc).__name__}{': ' + detail if detail else ''}"
              f"{'' if ctx.debug_log else ' (run with --debug for details)'}")
    ctx.log_exception(exc, f"running {where}")
    return 1


def _status(result: Any) -> int:
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def run_sync(ctx: Context, cmd: Command, args: list[str]) -> int:
    """Run a plain (not async) handler without an event loop."""
    if _help_requested(cmd, args):
        ctx.print(cmd.help_text())
        return 0
    try:
        return _status(cmd.handler(ctx, args))
    except BrokenPipeError:
        raise  # the reader of our output went away (`| head`): the program ends quietly (cli.main)
    except (Exception, SystemExit) as exc:  # sys.exit() or argparse in a handler must not end the shell
        return report(ctx, cmd, exc)


async def run_async(ctx: Context, cmd: Command, args: list[str]) -> int:
    """Run any handler (plain or async) on the running event loop."""
    if _help_requested(cmd, args):
        ctx.print(cmd.help_text())
        return 0
    try:
        result = cmd.handler(ctx, args)
        if inspect.isawaitable(result):
            result = await result
        return _status(result)
    except BrokenPipeError:
        raise  # the reader of our output went away (`| head`): the program ends quietly (cli.main)
    except (Exception, SystemExit) as exc:  # sys.exit() or argparse in a handler must not end the shell
        return report(ctx, cmd, exc)


async def run_cancellable(ctx: Context, task: Any) -> int:
    """Await ``task``; Ctrl-C (SIGINT) while it runs cancels it instead of killing the shell."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()

    def arm() -> None:
        try:
            loop.add_signal_handler(signal.SIGINT, task.cancel)
        except (NotImplementedError, RuntimeError, ValueError):
            pass

    ctx.rearm_sigint = arm
    arm()
    try:
        return await task
    except asyncio.CancelledError as exc:
        if task.cancelled():
            if exc.args != ("",):  # CancelledError(""): the command already said what Ctrl-C did
                ctx.print("cancelled", err=True)
            return 130
        raise
    finally:
        ctx.rearm_sigint = None
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
