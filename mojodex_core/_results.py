"""How a step's result is shown before the validation question, the same for server and local runs."""

from __future__ import annotations

from typing import Any

from mojodex_core._text import sanitize

QUESTION = "Continue (Y/n)?"
INDENT = "    "  # a multi-line value's lines, under its entry


def _label(key: str) -> str:
    # "stanza_topic" -> "Stanza", so the specification's `- Stanza 1: "..."` comes out of its payloads.
    word = key.replace("-", "_").split("_", 1)[0] or key
    return word[:1].upper() + word[1:]


def _value_text(value: Any) -> str:
    """`` "text"`` after an entry's label; a value of several lines starts on the next line, each line indented."""
    text = sanitize(value if isinstance(value, str) else _compact(value)).strip()
    if "\n" in text:
        return "\n" + "\n".join(INDENT + line if line.strip() else "" for line in text.splitlines())
    return f' "{text}"'


def _compact(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def result_lines(result: Any) -> list[str]:
    """Return the lines that show ``result``: ``Results:`` then one ``- `` line per entry.

    A dict entry with one key reads ``- Stanza 1: "..."``; several keys are listed ``key: "value"``.
    Entries are numbered when there is more than one. A value of several lines follows its entry's line, each of
    its lines indented by four spaces. Every item is one screen line (none holds a line break), so a caller that
    indents the lines (``workflow show``) keeps the value's lines under their entry. Any shape is accepted:
    nothing here raises.
    """
    entries = result if isinstance(result, list) else ([] if result is None else [result])
    lines = ["Results:"]
    if not entries:
        lines.append("- (no result)")
    numbered = len(entries) > 1
    for i, entry in enumerate(entries, 1):
        num = f" {i}" if numbered else ""
        if isinstance(entry, dict) and len(entry) == 1:
            key, value = next(iter(entry.items()))
            lines.append(f"- {_label(sanitize(key))}{num}:{_value_text(value)}")
        elif isinstance(entry, dict) and entry:
            parts = ", ".join(f"{sanitize(k)}:{_value_text(v)}" for k, v in entry.items())
            lines.append(f"- Result{num}: {parts}")
        else:
            lines.append(f"- Result{num}:{_value_text(entry)}")
    return [line for item in lines for line in item.split("\n")]


def report_event(ctx: Any, jsonl: bool, line: str, **event: Any) -> None:
    """Print ``line`` for a person, or with ``jsonl`` (``--jsonl``) the event as one JSON line, as it happens.

    An empty ``line`` prints nothing for a person, an event without fields nothing with ``jsonl``: an event only
    a script wants, or a line only a person does. Workflow runs, from a server or local, report every event
    through this, so both speak the same way. (With ``--json`` a run prints nothing until its one document.)
    """
    if not jsonl:
        if line:
            ctx.print(line)
    elif event:
        import json

        ctx.print(json.dumps(event, ensure_ascii=False, default=str))
