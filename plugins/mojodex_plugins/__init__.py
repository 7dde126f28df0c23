"""The ``plugins`` commands: list what is loaded, install and uninstall with pip, enable and disable.

pip runs in the shell's own interpreter (``sys.executable -m pip``); a plugin installed during a session is
loaded at once, so its commands work without a restart.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, UsageError, __version__, hookimpl, one_line

if TYPE_CHECKING:
    from mojodex_core import Context


def _summary(ctx: Context, rec: Any) -> str:
    if rec.status == "disabled":
        return ctx.style("disabled", "muted")
    if rec.status == "broken":
        return ctx.style(f"broken: {one_line(rec.reason, 200)}", "error")
    if rec.commands:
        return ", ".join(sorted(rec.commands))
    hooks = [h.removeprefix("mojodex_") for h in rec.hooks]
    return f"hooks: {', '.join(hooks)}" if hooks else ""


def list_plugins(ctx: Context, args: list[str]) -> None:
    if args:
        raise UsageError("usage: plugins (list), plugins install|uninstall|enable|disable NAME")
    rows = [(r.name, r.version if not r.builtin else __version__, r.origin, _summary(ctx, r)) for r in ctx.plugins]
    ctx.table(rows, ("NAME", "VERSION", "FROM", "COMMANDS OR STATE"))


def _normal(dist: str) -> str:
    """A distribution name as pip compares them: ``Mojodex_Transcript`` is ``mojodex-transcript``."""
    import re

    return re.sub(r"[-_.]+", "-", dist).lower()


async def _pip(ctx: Context, *pip_args: str) -> None:
    """Run pip in this interpreter, showing its output as it comes; a failure is one error line."""
    import asyncio

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pip", *pip_args, "--disable-pip-version-check",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    last = ""
    try:
        async for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                last = line
                ctx.print(f"  pip: {line}")
        code = await proc.wait()
    except BaseException:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if code != 0:
        raise MojodexError(f"pip {pip_args[0]} failed (exit {code}): {one_line(last, 200)}")


async def install(ctx: Context, args: list[str]) -> int:
    if not args:
        raise UsageError("usage: plugins install REQUIREMENT (a name, a path or a URL, as pip takes it)")
    await _pip(ctx, "install", *args)
    new = await ctx.plugins.load_new()
    if not new:
        ctx.print("Installed, but no new Mojodex plugin was found in it (entry point group `mojodex`).")
        return 0
    for rec in new:
        what = f"new commands: {', '.join(rec.commands)}" if rec.commands else _summary(ctx, rec) or "no commands"
        if rec.status != "loaded":
            what = _summary(ctx, rec)
        ctx.print(f"Installed {rec.dist or rec.name} {rec.version}: {what}")
    return 0


async def uninstall(ctx: Context, args: list[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: plugins uninstall NAME")
    rec = ctx.plugins.get(args[0])
    if rec is not None and rec.builtin:
        raise MojodexError(f"{rec.name} is built in: it can be disabled (`plugins disable {rec.name}`), "
                           "not uninstalled")
    dist = rec.dist if rec is not None and rec.dist else args[0]
    if rec is None and not ctx.plugins.provides_plugins(dist):
        # pip would remove anything, the shell's own dependencies too, and call a missing name a success.
        raise MojodexError(f"no plugin or plugin distribution named {args[0]!r} (`plugins` lists them); "
                         "`plugins uninstall` removes plugins only")
    await _pip(ctx, "uninstall", "-y", dist)
    gone = [r for r in list(ctx.plugins) if r.dist and _normal(r.dist) == _normal(dist)]
    for r in gone:
        await ctx.plugins.unload(r.name)
    ctx.print(f"Uninstalled {dist}" + (f" (plugins: {', '.join(r.name for r in gone)})" if gone else ""))
    return 0


async def disable(ctx: Context, args: list[str]) -> None:
    if len(args) != 1:
        raise UsageError("usage: plugins disable NAME")
    if ctx.plugins.get(args[0]) is None:
        raise MojodexError(f"no plugin {args[0]!r} (see `plugins`)")
    rec = await ctx.plugins.disable(args[0])
    ctx.print(f"Disabled {rec.name}: it will not be loaded (nor imported) from now on.")
    if rec.name == "plugins":
        ctx.print("To enable it again: `mojodex config set plugins.disabled []`.")


async def enable(ctx: Context, args: list[str]) -> None:
    if len(args) != 1:
        raise UsageError("usage: plugins enable NAME")
    name = args[0]
    rec = ctx.plugins.get(name)
    key = rec.name if rec is not None else name
    if key not in ctx.plugins.disabled and (rec is None or rec.status != "disabled"):
        raise MojodexError(f"{name} is not disabled")
    await ctx.plugins.enable(key)
    ctx.print(f"Enabled {key}.")


def _complete_names(ctx: Context, args: list[str]) -> list[tuple[str, str]]:
    if args:
        return []
    return [(r.name, r.status) for r in ctx.plugins]


@hookimpl
def mojodex_register_commands(register: Any) -> None:
    register("plugins", list_plugins, help="List plugins: version, origin, commands, state",
             usage="plugins")
    register("plugins install", install, help="Install a plugin with pip and load it now",
             usage="plugins install REQUIREMENT")
    register("plugins uninstall", uninstall, help="Uninstall a plugin's distribution with pip",
             usage="plugins uninstall NAME", complete=_complete_names)
    register("plugins enable", enable, help="Enable a disabled plugin", usage="plugins enable NAME",
             complete=_complete_names)
    register("plugins disable", disable, help="Disable a plugin: it is not even imported any more",
             usage="plugins disable NAME", complete=_complete_names)
