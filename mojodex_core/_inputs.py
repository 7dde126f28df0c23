"""A run's inputs: asking for them, checking what was given, and the JSON value each becomes."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mojodex_core._errors import NotInteractiveError, UsageError
from mojodex_core._events import InputSpec
from mojodex_core._text import one_line, sanitize

INT_TYPES = {"int", "integer", "number_int", "whole", "long"}
FLOAT_TYPES = {"float", "number", "double", "decimal"}
BOOL_TYPES = {"bool", "boolean"}
TEXT_TYPES = {"str", "string", "text", "textarea", "text_area", "drop_down_list"}
_WHOLE = re.compile(r"[+-]?\d+")


def coerce(name: str, text: str, kind: str = "") -> Any:
    """The value for input ``name``: typed as ``kind`` says, else a whole number becomes a JSON number."""
    value = text.strip()
    if kind in TEXT_TYPES:
        return text
    if kind in INT_TYPES:
        if not _WHOLE.fullmatch(value):
            raise UsageError(f"{name} must be a whole number, not {value!r}")
        return int(value)
    if kind in FLOAT_TYPES:
        try:
            number = float(value)
        except ValueError:
            raise UsageError(f"{name} must be a number, not {value!r}") from None
        return int(number) if _WHOLE.fullmatch(value) else number
    if kind in BOOL_TYPES:
        if value.lower() in ("true", "yes", "y", "1"):
            return True
        if value.lower() in ("false", "no", "n", "0"):
            return False
        raise UsageError(f"{name} must be yes or no, not {value!r}")
    if _WHOLE.fullmatch(value) and len(value.lstrip("+-")) <= 15:
        return int(value)
    return text


def input_text(value: Any, width: int = 200) -> str:
    """An input's value as the shell shows it (``workflow show``, ``task show``): plain, on one line.

    Text is shown as it is (``Spring``, and ``3`` whether the server keeps a number or, as 0.4 does, its text);
    it is quoted as JSON only where plain text would hide something: empty, spaces around it, a line break or
    another control character. Other values are JSON (``3``, ``true``, ``null``). At most ``width`` characters.
    """
    import json

    if isinstance(value, str):
        plain = value and value == value.strip() and value.isprintable()
        text = value if plain else json.dumps(value, ensure_ascii=False)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = str(value)
    text = sanitize(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def pk_arg(text: str, what: str) -> int:
    """A command's number argument (a run's pk, ``RUN``): a whole number, else a ``UsageError`` naming ``what``."""
    value = text.strip()
    if value.isdigit() and len(value) < 19:
        return int(value)
    raise UsageError(f"{what} must be a number, not {one_line(text, 40)!r}")


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``--input name=value`` items as a dict; an item without ``=`` is a usage error."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--input takes name=value, not {item!r}")
        out[name.strip()] = value
    return out


def _problem(spec: InputSpec, text: str) -> str | None:
    """Why ``text`` cannot be ``spec``'s value (None when it can)."""
    if spec.choices:
        if not any(text.strip().lower() == c.lower() for c in spec.choices):
            return f"{spec.name} must be one of: {', '.join(spec.choices)}"
        return None
    if spec.is_file:
        paths = _paths(text)
        if not paths:
            return f"{spec.name} needs the path of a file"
        if not spec.multiple and len(paths) > 1:
            return f"{spec.name} takes one file"
        for path in paths:
            if not path.is_file():
                return f"{spec.name}: no file {str(path)!r}"
            if not os.access(path, os.R_OK):
                return f"{spec.name}: {str(path)!r} cannot be read"
        return None
    try:
        coerce(spec.name, text, spec.type)
    except UsageError as exc:
        return str(exc)
    return None


def _paths(text: str) -> list[Path]:
    import shlex

    try:
        words = shlex.split(text.strip().removeprefix("@"))
    except ValueError:
        words = [text.strip().removeprefix("@")]
    return [Path(w.removeprefix("@")).expanduser() for w in words if w.strip()]


def _canonical(spec: InputSpec, text: str) -> str:
    if spec.choices:
        return next(c for c in spec.choices if c.lower() == text.strip().lower())
    return text


def check_inputs(specs: list[InputSpec], given: dict[str, str], *, interactive: bool, assume_yes: bool,
                 what: str = "this workflow") -> None:
    """Refuse, before anything is created, what ``ask_inputs`` would refuse: unknown names, bad values given on
    the command line, and inputs that nobody could answer (no terminal, no ``--input``, no default)."""
    unknown = sorted(set(given) - {s.name for s in specs})
    if unknown and specs:
        raise UsageError(f"{what} has no input {unknown[0]!r} (it takes: {', '.join(s.name for s in specs)})")
    for spec in specs:
        if spec.name in given:
            problem = _problem(spec, given[spec.name])
            if problem is not None:
                raise UsageError(f"--input {spec.name}: {problem}")
        elif spec.default is None and (assume_yes or not interactive):
            raise NotInteractiveError(f"input {spec.name} has no value and no default: pass --input {spec.name}="
                                      f"{'@PATH' if spec.is_file else 'VALUE'}")
        elif not interactive and not assume_yes:
            raise NotInteractiveError(f"input {spec.name} is needed and there is no terminal to ask: pass "
                                      f"--input {spec.name}=VALUE, or --yes to take its default")


def _toolbar(spec: InputSpec) -> str | None:
    parts: list[str] = []
    if spec.choices:
        parts.append(f"one of: {', '.join(spec.choices)} (Tab completes)")
    elif spec.is_file:
        parts.append("the path of " + ("one or more files" if spec.multiple else "a file") + " (Tab completes)")
    if spec.default is not None:
        parts.append("Enter keeps the value shown")
    return "  ".join(parts) or None


async def ask_inputs(ctx: Any, specs: list[InputSpec], given: dict[str, str], *, assume_yes: bool = False,
                     what: str = "this workflow") -> tuple[dict[str, Any], dict[str, list[Path]]]:
    """Ask for each input in turn (``poem_topic: ``), taking ``given`` ones (``--input``) as they are.

    A default is shown as the answer's editable text; with ``assume_yes`` it is taken without asking. A
    ``drop_down_list`` completes and checks its choices; a file input completes paths and checks the file can be
    read. Returns the values by name (text as typed, or a default) and the file inputs' paths by name.
    """
    check_inputs(specs, given, interactive=ctx.interactive, assume_yes=assume_yes, what=what)
    values: dict[str, Any] = {}
    files: dict[str, list[Path]] = {}
    for spec in specs:
        if spec.name in given:
            text = given[spec.name]
        elif assume_yes and spec.default is not None:
            text = spec.default
        else:
            if spec.description:
                ctx.print(spec.description)  # the server's words for the input, above its prompt
            while True:
                default = None if spec.default is None else str(spec.default)
                text = await ctx.ask(f"{spec.name}: ", default=default, choices=spec.choices or None,
                                     paths=spec.is_file, toolbar=_toolbar(spec))
                if not text.strip():
                    ctx.print(f"{spec.name} needs a value.")
                    continue
                problem = _problem(spec, text)
                if problem is None:
                    break
                ctx.print(f"{problem}.")
            if default is not None and text == default:
                text = spec.default  # accepted as shown: the default keeps its own type
        if spec.is_file:
            files[spec.name] = _paths(str(text))
            values[spec.name] = ", ".join(p.name for p in files[spec.name])
        else:
            values[spec.name] = _canonical(spec, text) if isinstance(text, str) else text
    return values, files
