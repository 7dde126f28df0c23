"""The ``config`` commands: show, get, set, unset and path of ~/.mojodex/config.toml."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mojodex_core import ConfigError, MojodexError, UsageError, hookimpl

if TYPE_CHECKING:
    from mojodex_core import Context

_NOT_SET: Any = object()


def _show_value(value: Any) -> str:
    """``value`` as TOML writes it, on one line (a table inline: ``{ a = 1 }``)."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_show_key(k)} = {_show_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show_value(v) for v in value) + "]"
    import tomli_w

    try:
        return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()
    except TypeError:  # a type TOML has not: only a plugin's default could hold one
        return repr(value)


def _show_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _show_value(key)


def parse_value(text: str) -> Any:
    """A TOML value (``3``, ``true``, ``["a"]``, ``"quoted"``) or, failing that, the text as a string."""
    import tomllib  # here: importing it costs every start, and only `config set` needs it

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _line(ctx: Context, key: str, value: Any) -> str:
    """``key = value`` as ``config show`` prints it, with where a value not from the file or a default comes from."""
    if ctx.config.overridden(key):
        note = "  # from the environment"
    elif not ctx.config.known(key):
        note = "  # unknown key: nothing reads it (`config unset` removes it)"
    else:
        note = ""
    return f"{key} = {_show_value(value)}{note}"


def _flatten(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        return [kv for name, sub in value.items() for kv in _flatten(sub, f"{prefix}.{name}")]
    return [(prefix, value)]


def _unknown(ctx: Context, key: str) -> None:
    """A UsageError (status 2, like an unknown option) naming the closest key, if ``key`` is not known."""
    message = ctx.config.unknown_key(key)
    if message:
        raise UsageError(message)


def _applies_later(ctx: Context, key: str) -> None:
    if ctx.in_shell and ctx.config.applies_at_start(key):
        ctx.print(f"note: {key} takes effect the next time mojodex starts", err=True)


def show(ctx: Context, args: list[str]) -> None:
    if args:
        raise UsageError("usage: config show")
    # Keys the file sets that no one declares are listed too, marked: a misspelt key is then easy to spot.
    for key, value in ctx.config.keys():
        ctx.print(_line(ctx, key, value))


def get(ctx: Context, args: list[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: config get KEY")
    key = args[0]
    _unknown(ctx, key)
    value = ctx.config.get(key, _NOT_SET)
    if ctx.config.is_section(key):
        # A section prints as `config show` prints its keys: a value alone would not say whose it is.
        for name, sub in _flatten(value, key):
            ctx.print(_line(ctx, name, sub))
        return 0
    if value is _NOT_SET:  # a key of a free-form table that is not set
        raise MojodexError(f"{key} is not set")
    # A string as it is, for scripts (`mojodex config get server.url`); any other value as TOML writes it.
    ctx.print(value if isinstance(value, str) else _show_value(value))
    return 0


def set_(ctx: Context, args: list[str]) -> None:
    if len(args) < 2:
        raise UsageError("usage: config set KEY VALUE")
    key, text = args[0], " ".join(args[1:])
    _unknown(ctx, key)
    value = ctx.config.set(key, parse_value(text))
    ctx.print(f"{key} = {_show_value(value)}")
    if ctx.config.overridden(key):
        ctx.print(f"note: the environment overrides {key} for this run", err=True)
    else:
        _applies_later(ctx, key)


def unset(ctx: Context, args: list[str]) -> None:
    if len(args) != 1:
        raise UsageError("usage: config unset KEY")
    key = args[0]
    known = ctx.config.known(key)
    try:
        removed = ctx.config.unset(key)
    except ConfigError as exc:
        if str(exc) == ctx.config.unknown_key(key):  # neither known nor in the file: a usage error, as for set
            raise UsageError(str(exc)) from None
        raise
    if not known:
        ctx.print(f"{key} is removed from {ctx.config.path.name}")
        return
    if ctx.config.is_section(key):
        ctx.print(f"every key of {key} is back to its default" if removed else f"{key} sets no key in the file")
    else:
        ctx.print(f"{key} is back to its default" if removed else f"{key} was already at its default")
    if removed:
        _applies_later(ctx, key)


def path(ctx: Context, args: list[str]) -> None:
    ctx.print(str(ctx.config.path))


def _complete_known(ctx: Context, args: list[str]) -> list[tuple[str, str]]:
    if args:
        return []
    return [(k, _show_value(v)) for k, v in ctx.config.keys() if ctx.config.known(k)]


def _complete_set_keys(ctx: Context, args: list[str]) -> list[tuple[str, str]]:
    """What the file sets (even a key no one knows, to remove it), then every known key."""
    if args:
        return []
    return [(k, _show_value(v)) for k, v in ctx.config.file_keys()] + _complete_known(ctx, args)


@hookimpl
def mojodex_register_commands(register: Any) -> None:
    register("config show", show, help="Show every setting with its current value", usage="config show")
    register("config get", get, help="Print one setting, or every key of a section", usage="config get KEY",
             complete=_complete_known)
    register("config set", set_, help="Change a setting in config.toml", usage="config set KEY VALUE",
             complete=_complete_known)
    register("config unset", unset, help="Put a setting back to its default", usage="config unset KEY",
             complete=_complete_set_keys)
    register("config path", path, help="Print where the config file is", usage="config path")
