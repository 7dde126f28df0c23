"""The ``mojodex`` command: options, plugin loading, then the interactive shell or one command (one-shot)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from mojodex_core import __version__

if TYPE_CHECKING:
    import argparse

    from mojodex_core._context import ShellContext as Context

DESCRIPTION = "Mojodex shell: run AI workflows from a terminal, one validated step at a time."


def _core_parser() -> argparse.ArgumentParser:
    import argparse

    class TopLevelParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # One line, as every other usage error of the shell, and argparse's status.
            print(f"error: {message} (see `mojodex --help`)", file=sys.stderr)
            raise SystemExit(2)

    # No abbreviations: argparse matches them in every word, the command's too (`workflow run 1 --de` would be
    # an ambiguous --debug/--demo), and an option after the command word is the command's.
    parser = TopLevelParser(
        prog="mojodex", description=DESCRIPTION, add_help=False, allow_abbrev=False,
        epilog="With no command, opens the interactive `mojodex>` prompt. `mojodex help` lists the commands. "
               "Options are read before the command's words only: what follows them is the command's.",
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    parser.add_argument("--version", action="version", version=f"mojodex {__version__}")
    parser.add_argument("--debug", action="store_true", help="write full tracebacks to ~/.mojodex/debug.log")
    parser.add_argument("--server", metavar="URL", help="use this server for this run (overrides server.url)")
    return parser


def _with_words(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``parser`` taking the first word that is not an option (or an option's value) and all that follows as
    the command: argparse's REMAINDER, so `mojodex task text 5 --version 2` gives the command its --version."""
    import argparse

    parser.add_argument("words", nargs=argparse.REMAINDER, help="a command to run, e.g. `workflow list`")
    return parser


def _full_parser(ctx: Context) -> argparse.ArgumentParser:
    parser = _core_parser()
    ctx.hooks.call_sync("mojodex_cli_options", parser=parser)
    return _with_words(parser)


def build_context(argv: list[str], *, interactive: bool | None = None) -> tuple[Context, argparse.Namespace]:
    """Read config, load plugins and parse the command line. Raises MojodexError (ConfigError) on a bad config."""
    from mojodex_core._config import Config
    from mojodex_core._context import ShellContext as Context
    from mojodex_core._discovery import entry_points
    from mojodex_core._files import home_dir

    # Before the plugins add their options: an option of theirs that takes a value may end this early reading
    # too soon (its value looks like the command), never too late; the full reading below completes it.
    early, _ = _with_words(_core_parser()).parse_known_args(argv)
    home = home_dir()
    debug = early.debug or bool(os.environ.get("MOJODEX_DEBUG"))
    config = Config.load(home / "config.toml")
    if early.server:
        config.override("server.url", early.server)
    ctx = Context(config, home, interactive=interactive, debug_log=home / "debug.log" if debug else None)
    disabled = config.get("plugins.disabled", [])
    disabled = [str(d) for d in disabled] if isinstance(disabled, list) else []
    ctx.hooks.load_all(entry_points(home / "plugin-cache.json"), disabled, ctx)
    options = _full_parser(ctx).parse_args(argv)
    if options.words[:1] == ["--"]:  # `mojodex -- CMD`: the conventional end of the options
        options.words = options.words[1:]
    if options.server and options.server != early.server:
        config.override("server.url", options.server)
    if options.debug and ctx.debug_log is None:
        ctx.debug_log = home / "debug.log"
    ctx.options = options
    for warning in config.validate():
        ctx.warn(warning)
    return ctx, options


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script. Never lets a traceback reach the terminal."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-V"]):
        print(f"mojodex {__version__}")
        return 0
    # prompt_toolkit would otherwise wait for, then warn about, terminals that never answer a cursor request.
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    ctx: Context | None = None
    try:
        from mojodex_core._errors import MojodexError

        try:
            ctx, options = build_context(argv)
        except MojodexError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if options.help:
            _full_parser(ctx).print_help()
            return 0
        from mojodex_core._runner import run

        return run(ctx, options.words)
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _output_closed()
    except SystemExit as exc:  # argparse's own errors and --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except BaseException as exc:
        _last_resort(ctx, exc)
        return 1


def _output_closed() -> int:
    """The reader of stdout (or stderr) left, as ``head`` does: exit quietly with 141 (128 + SIGPIPE), as git does.

    Both streams are pointed at /dev/null first, so that Python's final flush has nothing to complain about.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
    return 141


def _last_resort(ctx: Any, exc: BaseException) -> None:
    from mojodex_core._debuglog import log_exception
    from mojodex_core._files import home_dir
    from mojodex_core._text import one_line

    log = ctx.debug_log if ctx is not None else None
    log_exception(log or (home_dir() / "debug.log" if os.environ.get("MOJODEX_DEBUG") else None), exc, "main")
    hint = "" if log else " (run with --debug for details)"
    print(f"error: unexpected {type(exc).__name__}: {one_line(exc, 200)}{hint}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
