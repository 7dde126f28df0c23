"""The ``help`` command: every registered command with its one-line help, or one command's usage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import UsageError, hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context


def help_command(ctx: Context, args: list[str]) -> None:
    with ctx.paged():
        _help(ctx, args)


def _help(ctx: Context, args: list[str]) -> None:
    registry = ctx.commands
    if args:
        cmd = registry.get(" ".join(args))
        if cmd is None:
            subs = registry.children(tuple(args))
            if not subs:
                hint = registry.did_you_mean(args)
                raise UsageError(f"no command '{' '.join(args)}'.{hint} Type `help` to list the commands.")
            ctx.print(f"{' '.join(args)} commands:")
            _table(ctx, subs)
            return
        ctx.print(cmd.help_text())
        if cmd.aliases:
            ctx.print(f"aliases: {', '.join(cmd.aliases)}")
        ctx.print(f"(from plugin {cmd.plugin})")
        return
    ctx.print("Commands:")
    _table(ctx, list(registry))
    ctx.print("Type `help <command>` for its usage; `exit`, `quit` or Ctrl-D leave the shell.")


def _table(ctx: Context, commands: list[Any]) -> None:
    ctx.table(("", cmd.name, cmd.help) for cmd in commands)


def _complete(ctx: Context, args: list[str]) -> list[tuple[str, str]]:
    prefix = tuple(args)
    return sorted(ctx.commands.next_words(prefix).items())


@hookimpl
def mojodex_register_commands(register: Any) -> None:
    register("help", help_command, help="List the commands, or show how to use one",
             usage="help [COMMAND]", complete=_complete)
