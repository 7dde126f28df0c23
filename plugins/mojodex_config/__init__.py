"""The ``config`` commands: show, get, set, unset and path of ~/.mojodex/config.toml."""

from __future__ import annotations

from typing import Any

from mojodex_core import ConfigError, UsageError, hookimpl


def _show_value(value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def parse_value(text: str) -> Any:
    """A TOML value (``3``, ``true``, ``["a"]``, ``"quoted"``) or, failing that, the text as a string."""
    import tomllib  # here: importing it costs every start, and only `config set` needs it

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def show(ctx: Any, args: list[str]) -> None:
    if args:
        raise UsageError("usage: config show")
    for key, value in ctx.config.keys():
        note = "  # from the environment" if ctx.config.overridden(key) else ""
        ctx.print(f"{key} = {_show_value(value)}{note}")


def get(ctx: Any, args: list[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: config get KEY")
    if not ctx.config.known(args[0]):
        raise ConfigError(f"unknown config key {args[0]!r} (see `config show`)")
    value = ctx.config.get(args[0])
    ctx.print(value if isinstance(value, str) else _show_value(value))
    return 0


def set_(ctx: Any, args: list[str]) -> None:
    if len(args) < 2:
        raise UsageError("usage: config set KEY VALUE")
    key, text = args[0], " ".join(args[1:])
    value = ctx.config.set(key, parse_value(text))
    ctx.print(f"{key} = {_show_value(value)}")
    if ctx.config.overridden(key):
        ctx.print(f"note: the environment overrides {key} for this run")


def unset(ctx: Any, args: list[str]) -> None:
    if len(args) != 1:
        raise UsageError("usage: config unset KEY")
    ctx.config.unset(args[0])
    ctx.print(f"{args[0]} is back to its default")


def path(ctx: Any, args: list[str]) -> None:
    ctx.print(str(ctx.config.path))


def _complete_keys(ctx: Any, args: list[str]) -> list[tuple[str, str]]:
    if args:
        return []
    return [(k, _show_value(v)) for k, v in ctx.config.keys()]


@hookimpl
def mojodex_register_commands(register: Any) -> None:
    register("config show", show, help="Show every setting with its current value", usage="config show")
    register("config get", get, help="Print one setting", usage="config get KEY", complete=_complete_keys)
    register("config set", set_, help="Change a setting in config.toml", usage="config set KEY VALUE",
             complete=_complete_keys)
    register("config unset", unset, help="Put a setting back to its default", usage="config unset KEY",
             complete=_complete_keys)
    register("config path", path, help="Print where the config file is", usage="config path")
