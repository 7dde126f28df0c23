"""Editing a step's result in ``$VISUAL``/``$EDITOR``: the result as readable text, and back, same shape only.

A result is a list of entries with the same keys. Each entry is written as ``key: value`` lines (a value of
several lines as ``key: |`` and its lines indented by four spaces), entries separated by a ``---`` line.
Entries may be added, removed or reordered; their keys may not change.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mojodex_core import MojodexError, open_in_editor, sanitize

if TYPE_CHECKING:
    from mojodex_core import Context

HEADER = ("# Edit the result, save and close the editor; lines starting with # are ignored.\n"
          "# One entry per block, blocks separated by a line ---; every entry keeps the keys it has.\n")
INDENT = "    "


def editable(result: list[Any]) -> bool:
    """Only a list of objects with the same (string) keys can be edited and sent back."""
    if not result or not all(isinstance(e, dict) and e for e in result):
        return False
    keys = set(result[0])
    return all(set(e) == keys for e in result)


def to_text(result: list[dict[str, Any]]) -> str:
    blocks = []
    for entry in result:
        lines = []
        for key, value in entry.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            text = sanitize(text)
            if "\n" in text:
                lines.append(f"{key}: |")
                lines.extend(INDENT + line if line else "" for line in text.split("\n"))
            else:
                lines.append(f"{key}: {text}")
        blocks.append("\n".join(lines))
    return HEADER + "\n---\n".join(blocks) + "\n"


def from_text(text: str, original: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The edited result; ``MojodexError`` (one line) when it no longer has the original's shape."""
    keys = list(original[0])
    kinds = {k: type(original[0][k]) for k in keys}
    entries: list[dict[str, Any]] = []
    blocks = [[]]  # type: list[list[str]]
    for line in text.split("\n"):
        if line.startswith("#"):
            continue
        if line.strip() == "---":
            blocks.append([])
        else:
            blocks[-1].append(line)
    for number, block in enumerate((b for b in blocks if any(line.strip() for line in b)), 1):
        entry: dict[str, Any] = {}
        current: str | None = None
        for line in block:
            if current is not None and (line.startswith(INDENT) or not line.strip()):
                entry[current] += ("\n" if entry[current] or not line.strip() else "") + line[len(INDENT):]
                continue
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or key not in kinds:
                raise MojodexError(f"entry {number}: {line.strip()[:40]!r} is not one of the keys "
                                   f"({', '.join(keys)}): nothing was sent")
            if key in entry:
                raise MojodexError(f"entry {number} has {key} twice: nothing was sent")
            value = value.strip()
            if value == "|":
                entry[key], current = "", key
            else:
                entry[key], current = value, None
        for key in entry:
            entry[key] = entry[key].rstrip("\n") if isinstance(entry[key], str) else entry[key]
            if kinds[key] is not str:
                try:
                    entry[key] = json.loads(entry[key])
                except ValueError:
                    pass
        if set(entry) != set(keys):
            missing = ", ".join(k for k in keys if k not in entry)
            raise MojodexError(f"entry {number} lacks {missing}: every entry keeps the keys {', '.join(keys)}; "
                               "nothing was sent")
        entries.append({k: entry[k] for k in keys})
    if not entries:
        raise MojodexError("the edited result has no entry left: nothing was sent")
    return entries


async def edit(ctx: Context, result: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Open the editor on ``result``; the edited result, or None when nothing changed."""
    edited = from_text(await open_in_editor(to_text(result), prefix="mojodex-result-"), result)
    return None if edited == result else edited
