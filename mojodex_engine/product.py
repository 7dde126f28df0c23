"""What a finished local run produces: its final outputs (the definition's ``final``) as one Markdown text.

The shell writes it for ``workflow run --output`` and puts it in ``--json``'s ``produced_text``, as a server run's
produced text; the run's title reads like a server's (``Write poem: Spring``).
"""

from __future__ import annotations

import re

from mojodex_core import one_line
from mojodex_engine.definitions import PromptStep, WorkflowDefinition
from mojodex_engine.storage import RunState

_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)[ \t#]*")


def run_title(definition: WorkflowDefinition, inputs: dict[str, str]) -> str:
    """The workflow's name and its first input: ``Write poem: Spring``."""
    first = next((str(v) for v in inputs.values() if str(v).strip()), "")
    return f"{definition.name}: {one_line(first, 80)}" if first else definition.name


def output_text(definition: WorkflowDefinition, state: RunState, name: str) -> str | None:
    """An accepted output's text as its artifact file holds it (a fan-out's entries as a list); None if none."""
    if name not in state.values:
        return None
    step = next((item.step for item in definition.plan() if item.step.output == name), None)
    if isinstance(step, PromptStep) and step.fan_out and name in state.entries:
        return "\n".join(f"- {entry}" for entry in state.entries[name])
    return state.values[name].strip()


def outputs(definition: WorkflowDefinition, state: RunState) -> list[str]:
    """The outputs accepted so far, in the run's order."""
    names = dict.fromkeys(item.step.output for item in definition.plan())
    return [name for name in names if name in state.values]


def product_text(definition: WorkflowDefinition, state: RunState) -> str | None:
    """The final outputs, in the definition's order, each under a ``## NAME`` heading; None when the definition
    declares none (``final = []``) or none was produced.

    A model often starts an artifact with its own heading (``# Manual``): that one is kept, and not repeated.
    """
    parts = []
    for name in definition.final:
        text = output_text(definition, state, name)
        if text is None:
            continue
        parts.append(text if starts_with_heading(text, name) else f"## {name}\n\n{text}")
    return "\n\n".join(parts) if parts else None


def starts_with_heading(text: str, name: str) -> bool:
    """Whether ``text``'s first line is a Markdown heading saying ``name`` (``# Code``, ``## **code**``)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    found = _HEADING.fullmatch(first)
    return found is not None and _words(found.group(1)) == _words(name)


def _words(text: str) -> str:
    # "**Tested  code**" and "Tested Code" are the same heading.
    return " ".join(re.findall(r"\w+", text.casefold()))
