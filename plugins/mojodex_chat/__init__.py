"""The ``chat`` commands: Mojodex 0.4's assistant outside any task. It answers, and when a message asks for one of
the user's tasks it starts a run of it, which the shell then follows as ``task run`` does.

This module is imported at every start of the shell: it holds the command table only. The commands' bodies and
parsers (``commands``) and the chat's owner (``conversation``, built on the task plugin's) are imported when a
command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core import hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context


def _commands() -> Any:
    from mojodex_chat import commands

    return commands


class ChatPlugin:
    """Built-in plugin object (one per shell)."""

    @hookimpl
    def mojodex_register_commands(self, register: Any) -> None:
        register("chat", self.cmd_chat, help="Chat with the assistant outside any task; it can start a task for you",
                 parser=lambda: _commands().chat_parser())
        register("chat list", self.cmd_list, help="List your chats with the assistant, the latest first",
                 parser=lambda: _commands().list_parser())
        register("chat resume", self.cmd_resume, help="Reopen a chat with the assistant",
                 parser=lambda: _commands().resume_parser())
        register("chat delete", self.cmd_delete, help="Delete a chat with the assistant (asks first)",
                 parser=lambda: _commands().delete_parser())

    async def cmd_chat(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_chat(ctx, args))

    async def cmd_list(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_list(ctx, args))

    async def cmd_resume(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_resume(ctx, args))

    async def cmd_delete(self, ctx: Context, args: list[str]) -> int:
        return int(await _commands().cmd_delete(ctx, args))
