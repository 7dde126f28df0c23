"""How a finished draft reads: Markdown rendered for a terminal (with rich, imported here only), plain text
otherwise, and the Markdown file ``task text`` writes."""

from __future__ import annotations

from mojodex_core import ProducedText, sanitize


def markdown(draft: ProducedText, fallback_title: str = "") -> str:
    """The draft as one Markdown document: ``# Title``, a blank line, the text (control sequences stripped)."""
    title = " ".join(sanitize(draft.title or fallback_title).split())
    body = sanitize(draft.text).strip()
    return (f"# {title}\n\n" if title else "") + body + "\n"


def plain(title: str, body: str) -> str:
    """The draft as it streams: its title on a line, a blank line, its text."""
    title = " ".join(sanitize(title).split())
    return (f"{title}\n\n" if title else "") + sanitize(body).rstrip() + "\n"


def hard_breaks(text: str) -> str:
    """A line break in a draft is a line break on the screen (as chat apps render Markdown), not a space:
    outside fenced code, every line that goes on in the next one ends in two spaces (Markdown's hard break)."""
    out = []
    fenced = False
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.strip() and i + 1 < len(lines) and lines[i + 1].strip():
            line = line.rstrip() + "  "
        out.append(line)
    return "\n".join(out)


def rendered(title: str, body: str, width: int, styled: bool = True) -> str:
    """The draft rendered for a terminal of ``width`` columns: a bold title, then the Markdown of the text;
    laid out the same with ``styled=False`` (``NO_COLOR``), but with no bold, colour or any other style.

    The text is sanitized before rich sees it, so every control sequence in the result is rich's own. Links are
    shown, not made clickable (a server's URL never becomes a terminal hyperlink).
    """
    import io

    from rich.console import Console
    from rich.markdown import Markdown
    from rich.text import Text

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, highlight=False, emoji=False, markup=False,
                      soft_wrap=False, color_system="auto" if styled else None)
    title = " ".join(sanitize(title).split())
    if title:
        console.print(Text(title, style="bold"))
        console.print()
    console.print(Markdown(hard_breaks(sanitize(body).strip()), hyperlinks=False))
    # rich pads every line to the width: the spaces cost bytes and nothing else (a styled block ends in a reset).
    return "\n".join(line.rstrip(" ") for line in out.getvalue().split("\n"))
