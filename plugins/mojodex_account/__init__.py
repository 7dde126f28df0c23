"""The ``account`` commands: who you are on the server, its language, the timezone the shell told it and your plan
(Mojodex 0.4); ``account language`` lists the server's languages or changes yours; ``account describe`` tells
the assistant who you are.

This module is imported at every start of the shell: the commands' bodies (``commands``) are imported when one is
used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context


def _commands() -> Any:
    from mojodex_account import commands

    return commands


class AccountPlugin:
    """Built-in plugin object (one per shell)."""

    def __init__(self) -> None:
        self.languages: list[tuple[str, str]] = []  # (code, name) of the last listing, for Tab

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("account", self.cmd_account, help="Show your account: language, timezone, plan and tasks left",
                 parser=lambda: _commands().account_parser())
        register("account language", self.cmd_language, help="List the server's languages, or set yours",
                 complete=self.complete_language, parser=lambda: _commands().language_parser())
        register("account describe", self.cmd_describe, help="Tell the assistant who you are: your own description",
                 parser=lambda: _commands().describe_parser())

    @hookimpl
    def mojodex_auth_changed(self) -> None:
        self.languages = []

    def complete_language(self, ctx: Context, args: list[str]) -> list[tuple[str, str]]:
        return list(self.languages) if not args else []

    async def cmd_account(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_account(ctx, args))

    async def cmd_language(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_language(ctx, args, self))

    async def cmd_describe(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_describe(ctx, args))
