"""argparse for command handlers: errors become one-line UsageErrors instead of exiting the shell."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from mojodex_core._errors import UsageError


class HelpShown(UsageError):
    """Raised after ``--help`` printed the usage; the command does nothing else."""

    exit_code = 0


class _ShowHelp(argparse.Action):
    """``-h``/``--help``: shown as soon as it is read, as argparse's own, so a missing argument does not hide it."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        out = parser._print_help_text if isinstance(parser, ArgumentParser) else print
        out(parser.format_help().rstrip())
        raise HelpShown("")


class ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser for a command's arguments: never calls ``sys.exit``, never prints a traceback.

    ``parse(ctx, args)`` (or ``parse_args(args)``) prints ``--help`` (through ``ctx.print`` with ``parse``) and
    raises ``HelpShown``; any other problem raises ``UsageError`` (exit status 2) with argparse's message and the
    usage, on one line.
    """

    def __init__(self, prog: str, **kwargs: Any) -> None:
        super().__init__(prog=prog, add_help=False, **kwargs)
        self.add_argument("-h", "--help", action=_ShowHelp, help="show this help")
        self._print_help_text: Callable[[str], None] = print

    def _one_line_usage(self) -> str:
        # argparse wraps a long usage to the terminal's width; an error must stay one line.
        return " ".join(self.format_usage().split()).removeprefix("usage: ")

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (usage: {self._one_line_usage()})")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status == 0:
            # An action that printed what was asked (``action="version"``) and ends the command successfully.
            if message:
                self._print_help_text(message.rstrip())
            raise HelpShown("")
        raise UsageError(" ".join(message.split()) if message else f"usage: {self._one_line_usage()}")

    # exit_on_error stays True: argparse then hands its ArgumentErrors (a bad type, a bad choice) to ``error``,
    # which raises a UsageError instead of exiting.

    def parse(self, ctx: Any, args: list[str]) -> argparse.Namespace:
        self._print_help_text = ctx.print
        return self.parse_args(args)
