"""The ``resource`` commands: the documents Mojodex 0.4's assistant knows and learns from (websites you add), listed,
added and removed.

This module is imported at every start of the shell: it holds the hooks and the command table only. The commands'
bodies (``commands``) are imported when one is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context

# The server fetches a website while `resource add` waits, with no timeout of its own: generous, but bounded.
DEFAULTS = {"resource": {"fetch_timeout_seconds": 300.0}}


def _commands() -> Any:
    from mojodex_resource import commands

    return commands


class ResourcePlugin:
    """Built-in plugin object (one per shell)."""

    @hookimpl
    def mojodex_config_defaults(self) -> dict[str, Any]:
        return DEFAULTS

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("resource list", self.cmd_list, help="List the documents the assistant knows (websites you added)",
                 parser=lambda: _commands().list_parser())
        register("resource add", self.cmd_add, help="Add a website to what the assistant knows (the server fetches it)",
                 parser=lambda: _commands().add_parser())
        register("resource remove", self.cmd_remove, help="Remove a resource (asks first)",
                 parser=lambda: _commands().remove_parser())

    async def cmd_list(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_list(ctx, args))

    async def cmd_add(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_add(ctx, args))

    async def cmd_remove(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_remove(ctx, args))
