"""What ``mojodex`` does once set up: one command (one-shot), lines from a pipe, or the interactive shell.

A one-shot command whose handler and startup hooks are plain functions runs without an event loop, so
that `mojodex help` does not pay for importing asyncio.
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Any

from mojodex_core._dispatch import is_async, report, resolve, run_async, run_cancellable, run_sync
from mojodex_core._errors import MojodexError

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext as Context


def run(ctx: Context, words: list[str]) -> int:
    """Run ``words`` as one command, or the shell when there are none. Returns the exit status."""
    if words:
        return _one_shot(ctx, words)
    import asyncio

    if not sys.stdin.isatty():
        return asyncio.run(_with_lifecycle(ctx, _run_piped_lines(ctx)))
    return asyncio.run(_with_lifecycle(ctx, _run_shell(ctx)))


def _one_shot(ctx: Context, words: list[str]) -> int:
    try:
        found = resolve(ctx, words)
    except MojodexError as exc:
        return report(ctx, None, exc)
    assert found is not None
    cmd, args = found
    ctx.session.restore()
    pending = [r for r in ctx.hooks.call_sync("mojodex_startup", ctx=ctx) if inspect.isawaitable(r)]
    if pending or is_async(cmd.handler):
        import asyncio

        async def go() -> int:
            await _await_all(ctx, pending)
            task = asyncio.get_running_loop().create_task(run_async(ctx, cmd, args))
            return await run_cancellable(ctx, task)

        return asyncio.run(_with_lifecycle(ctx, go(), startup=False))
    try:
        status = run_sync(ctx, cmd, args)
    finally:
        pending = [r for r in ctx.hooks.call_sync("mojodex_shutdown", ctx=ctx) if inspect.isawaitable(r)]
        if pending:
            import asyncio

            asyncio.run(_await_all(ctx, pending))
    return status


async def _await_all(ctx: Context, awaitables: list[Any]) -> None:
    """Await what async startup or shutdown hooks returned; a failure is one warning.

    The reader of our output leaving (``| head``) is no plugin's failure: it ends the program quietly, as it
    does without plugins (``BrokenPipeError`` goes on to ``_cli.main``), once every hook has been awaited.
    """
    closed: BrokenPipeError | None = None
    for aw in awaitables:
        try:
            await aw
        except BrokenPipeError as exc:
            closed = exc
        except Exception as exc:
            ctx.warn(f"a plugin failed while starting or stopping: {type(exc).__name__}: {exc}")
            ctx.log_exception(exc, "startup/shutdown hook")
    if closed is not None:
        raise closed


def _lifecycle_errors(ctx: Context, hook_name: str, closed: list[BrokenPipeError]) -> Any:
    """``on_error`` for the startup and shutdown hooks: one warning per failing plugin, as for any hook; a
    closed output is no plugin's failure: it is kept in ``closed``, for the caller to end the program with."""

    def on_error(plugin: str, exc: BaseException) -> None:
        if isinstance(exc, BrokenPipeError):
            closed.append(exc)
        else:
            ctx.hooks.report(plugin, hook_name, exc)

    return on_error


async def _with_lifecycle(ctx: Context, body: Any, startup: bool = True) -> int:
    """Fire startup, run ``body``, and always fire shutdown and close the HTTP client."""
    from mojodex_core._watchdog import LoopWatchdog

    watchdog = LoopWatchdog(ctx, float(ctx.config.get("shell.block_warning_seconds", 1.0)))
    watchdog.start()
    closed: list[BrokenPipeError] = []
    try:
        if startup:
            ctx.session.restore()
            await ctx.call_hook("mojodex_startup", on_error=_lifecycle_errors(ctx, "mojodex_startup", closed))
            if closed:
                body.close()  # never started: no "never awaited" warning at exit
                raise closed[0]
        return int(await body)
    finally:
        watchdog.stop()
        try:
            # A closed output seen here ends nothing more: what ends the program is already on its way.
            await ctx.call_hook("mojodex_shutdown", on_error=_lifecycle_errors(ctx, "mojodex_shutdown", closed))
        finally:
            await ctx.aclose()


async def _run_shell(ctx: Context) -> int:
    from mojodex_core._session import LoginFailed
    from mojodex_core._shell import Shell

    if ctx.user is None:
        try:
            await ctx.login()
        except LoginFailed:
            ctx.error("login failed three times")
            return 1
        except MojodexError as exc:
            report(ctx, None, exc)
    return await Shell(ctx).run()


async def _run_piped_lines(ctx: Context) -> int:
    """Commands read from a pipe, one per line, as if typed (nothing is asked). Returns the last status."""
    import asyncio

    status = 0
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        if line.strip() in ("exit", "quit"):
            break
        try:
            found = resolve(ctx, line)
        except MojodexError as exc:
            status = report(ctx, None, exc)
            continue
        if found is not None:
            status = await run_async(ctx, *found)
    return status
