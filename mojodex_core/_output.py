"""How the shell's own output looks: colour, wrapping to the terminal's width, aligned tables, the pager.

Kept to the standard library: a list printed by a one-shot command must not pay for a rendering library's import
(rich costs about 45 ms, wcwidth about 40 ms); rich still renders a draft's Markdown where one is shown.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from typing import IO

# SGR codes, as gh uses them: errors red, warnings yellow, what went well green, what matters less grey.
STYLES = {"error": "31", "warning": "33", "ok": "32", "muted": "90", "bold": "1"}


class Styled(str):
    """Text to print in a style (``"error"``, ``"warning"``, ``"ok"``, ``"muted"``, ``"bold"``); ``ctx.print``
    colours it where colour is on and prints it plain elsewhere. Made by ``ctx.style``; sanitized when made."""

    style: str

    def __new__(cls, text: object, style: str) -> Styled:
        from mojodex_core._text import sanitize

        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}: one of {', '.join(STYLES)}")
        obj = super().__new__(cls, sanitize(text))
        obj.style = style
        return obj


def colour_on(stream: IO[str], setting: object = "auto") -> bool:
    """Whether to colour what goes to ``stream``: never with ``NO_COLOR`` (any value, no-color.org) or
    ``shell.color = "never"``; always with ``"always"``; else only on a terminal that is not dumb."""
    if os.environ.get("NO_COLOR", "") != "" or setting == "never":
        return False
    if setting == "always":
        return True
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


def paint(text: str, style: str, on: bool) -> str:
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m" if on and text else text


def terminal_size() -> tuple[int, int]:
    """(columns, rows) of the terminal on stdout, ``$COLUMNS`` and ``$LINES`` first; 0 for what is not known
    (no terminal, or one nobody gave a size). Unlike ``shutil.get_terminal_size``, no 80x24 is made up."""
    sizes = []
    for name in ("COLUMNS", "LINES"):
        try:
            sizes.append(max(int(os.environ.get(name, "")), 0))
        except ValueError:
            sizes.append(0)
    if not all(sizes):
        import sys

        try:
            real = os.get_terminal_size(sys.__stdout__.fileno()) if sys.__stdout__ is not None else None
        except (AttributeError, ValueError, OSError):
            real = None
        if real is not None:
            sizes = [sizes[0] or real.columns, sizes[1] or real.lines]
    return sizes[0], sizes[1]


def cell_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide (East Asian, emoji) characters take two, combining marks and
    joiners none."""
    if "\x1b" in text:  # colour codes take no room
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200d\ufe0f\ufe0e":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal cells, ending with ``…`` when it had to be cut."""
    if cell_width(text) <= cells:
        return text
    out, used = "", 0
    for char in text:
        used += cell_width(char)
        if used > cells - 1:
            break
        out += char
    return out.rstrip() + "…" if cells > 0 else ""


def fit_hint(hint: str, cells: int) -> str:
    """A question's hint (``Enter or y: accept  n: reject  e: edit the result``) in ``cells``: whole if it fits,
    else each answer in two words (``y: accept  n: reject  e: edit``), else cut."""
    if cell_width(hint) <= cells:
        return hint
    short = []
    for answer in hint.split("  "):
        key, sep, what = answer.partition(": ")
        short.append(f"{key.split()[-1] if key.split() else key}: {what.split()[0]}" if sep and what.split()
                     else answer)
    return cut("  ".join(short), cells)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


# A line's hanging indent: its own indent (a tree's branches count as indent), plus a list marker.
_MARKER = re.compile(r"[\s│├└─]*(?:[-*•] |\d+[.)] )?")


def wrap(line: str, width: int, indent: int | None = None) -> list[str]:
    """``line`` cut at spaces into lines of at most ``width`` columns, the next ones indented under the first
    one's text (a hanging indent, as gh does); a word longer than a line is left whole on a line of its own."""
    if width <= 0 or cell_width(line) <= width:
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    if indent is None:
        marker = _MARKER.match(line)
        indent = min(cell_width(marker.group(0)) if marker else 0, width // 2)
    lines: list[str] = []
    current, used, empty = line[:lead], lead, True
    for token in re.findall(r"\s*\S+", line[lead:]):
        if used + cell_width(token.lstrip() if empty else token) > width and (not empty or used > indent):
            lines.append(current.rstrip())
            current, used, empty = " " * indent, indent, True
        if empty:
            token = token.lstrip()
        # A word wider than a line (a path, a link) stays whole, to be copied whole: the terminal folds it.
        current += token
        used += cell_width(token)
        empty = False
    lines.append(current)
    return lines


def wrap_text(text: str, width: int) -> str:
    """Every complete line of ``text`` wrapped to ``width`` (a last line without its newline is left as is:
    more of it may come)."""
    lines = text.split("\n")
    out = [piece for line in lines[:-1] for piece in wrap(line, width)]
    return "\n".join([*out, lines[-1]])


def table(rows: Sequence[Sequence[object]], headers: Sequence[str] | None, width: int,
          colour: bool, styles: Sequence[str | None] = (), gap: int = 2) -> list[str]:
    """Rows as lines of aligned columns, ``gap`` spaces apart (gh's and pgcli's lists). ``width`` > 0 wraps the
    last column under itself; ``styles`` colours whole columns (``None`` for plain); ``headers`` are muted."""
    from mojodex_core._text import one_line

    cells = [[one_line(c, 500) if not isinstance(c, Styled) else c for c in row] for row in rows]
    if headers:
        cells.insert(0, list(headers))
    if not cells:
        return []
    n = max(len(r) for r in cells)
    cells = [r + [""] * (n - len(r)) for r in cells]
    widths = [max(cell_width(str(r[i])) for r in cells) for i in range(n)]
    start = sum(widths[:-1]) + gap * (n - 1)
    lines: list[str] = []
    for index, row in enumerate(cells):
        head = index == 0 and bool(headers)
        parts = []
        for i, cell in enumerate(row):
            text = str(cell) if i == n - 1 else _pad(str(cell), widths[i])
            style = "muted" if head else (cell.style if isinstance(cell, Styled) else
                                          (styles[i] if i < len(styles) else None))
            if i == n - 1:
                # Under itself while it has room enough, else under the row's start.
                pieces = wrap(" " * start + text, width, start if width - start >= 16 else 4)
                text = "\n".join(p[start:] if k == 0 else p for k, p in enumerate(pieces))
            parts.append(paint(text, style, colour) if style else text)
        lines.extend(line.rstrip() for line in (" " * gap).join(parts).split("\n"))
    return lines


def pager_command(setting: object) -> str | None:
    """The pager to use: ``shell.pager`` if set (``"off"`` for none), else ``$PAGER``, else ``less -R``."""
    value = str(setting or "").strip()
    if value.lower() in ("off", "none", "false", "no"):
        return None
    return value or os.environ.get("PAGER", "").strip() or "less -R"


def page(text: str, command: str) -> bool:
    """Show ``text`` through ``command`` (a shell-style command line). False if it could not be started."""
    import shlex
    import subprocess

    from mojodex_core._watchdog import USER_HOLDS_TERMINAL

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # leave at once if it fits, keep colours, leave the text on the screen
    USER_HOLDS_TERMINAL.set()  # the shell waits for the user to leave the pager: no plugin is to blame
    try:
        argv = shlex.split(command)
        subprocess.run(argv, input=text, text=True, env=env, check=False, errors="replace")
    except (OSError, ValueError):
        return False
    finally:
        USER_HOLDS_TERMINAL.clear()
    return True
