"""Turning what the user typed for a workflow input into the JSON value the server gets."""

from __future__ import annotations

import re
from typing import Any

from mojodex_core._errors import UsageError

INT_TYPES = {"int", "integer", "number_int", "whole", "long"}
FLOAT_TYPES = {"float", "number", "double", "decimal"}
BOOL_TYPES = {"bool", "boolean"}
TEXT_TYPES = {"str", "string", "text", "textarea"}
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


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``--input name=value`` items as a dict; an item without ``=`` is a usage error."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--input takes name=value, not {item!r}")
        out[name.strip()] = value
    return out
