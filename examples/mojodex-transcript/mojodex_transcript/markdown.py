"""How a transcript reads: its file name, its header, one section per validated step (workflows) or per assistant
message and draft version (instruct tasks), the end of the run."""

from __future__ import annotations

import re
from typing import Any

from mojodex_core import one_line, result_lines, sanitize

STEP_HEADING = "## Step "


def file_name(session_id: str) -> str:
    """A file name for a run. The id comes from a server: it must not be able to point outside the folder."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", session_id)[:100]
    return f"{safe or 'run'}.md"


def header(session_id: str, source: str, when: str) -> str:
    if source == "instruct":
        return f"# Run {one_line(session_id, 100)}\n\nAn instruct task's run, first answer on {when}.\n"
    return f"# Run {one_line(session_id, 100)}\n\nA {source} run, first step validated on {when}.\n"


def step_count(text: str) -> int:
    return sum(line.startswith(STEP_HEADING) for line in text.splitlines())


def step_section(number: int, step_name: str, result: Any) -> str:
    # result_lines is how the shell itself shows a result ("Results:", then "- Stanza 1: ..." lines).
    lines = result_lines(result)[1:]
    return f"\n{STEP_HEADING}{number}: {one_line(step_name, 100)}\n\n" + "\n".join(lines) + "\n"


def end_section(title: str, text: str) -> str:
    heading = one_line(title, 200) or "The run's text"
    return f"\n## {heading}\n\n{sanitize(text).strip()}\n"


def failure_section(error: str) -> str:
    return f"\n**The run failed:** {one_line(error, 300)}\n"


def message_section(text: str) -> str:
    return f"\n**Assistant:** {sanitize(text).strip()}\n"


def draft_section(version: int | None, title: str, text: str) -> str:
    heading = f"Draft, version {version}" if version else "Draft"
    if one_line(title, 200):
        heading += f": {one_line(title, 200)}"
    return f"\n## {heading}\n\n{sanitize(text).strip()}\n"
