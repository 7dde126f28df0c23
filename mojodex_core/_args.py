"""argparse for command handlers: errors become one-line UsageErrors instead of exiting the shell."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from mojodex_core._errors import UsageError


class HelpShown(UsageError):
    """Raised after ``--help`` printed the usage; the command does nothing else."""

    exit_code = 0


class ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser for a command's arguments: never calls ``sys.exit``, never prints a traceback.

    ``parse(ctx, args)`` prints ``--help`` through ``ctx.print`` and raises ``HelpShown``; any other problem
    raises ``UsageError`` with argparse's message and the usage line.
    """

    def __init__(self, prog: str, **kwargs: Any) -> None:
        super().__init__(prog=prog, add_help=False, exit_on_error=False, **kwargs)
        self.add_argument("-h", "--help", action="store_true", help="show this help")

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (usage: {self.format_usage().strip().removeprefix('usage: ')})")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(message.strip() if message else f"usage: {self.format_usage().strip()}")

    def parse(self, ctx: Any, args: list[str]) -> argparse.Namespace:
        try:
            ns = self.parse_args(args)
        except argparse.ArgumentError as exc:
            self.error(str(exc))
        if ns.help:
            ctx.print(self.format_help().rstrip())
            raise HelpShown("")
        return ns
