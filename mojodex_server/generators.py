"""Offline demo text generation: what the reference server's steps return when no model is plugged in.

Every text is prefixed with ``[offline demo]`` so that nobody mistakes it for model output.

A generator is ``async (step_name, parameter) -> list[dict]``; one that also takes an ``instruction`` keyword
gets the user's instruction when a rejected step is rerun (``None`` otherwise).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

Generator = Callable[..., Awaitable[list[dict[str, Any]]]]

DEMO_PREFIX = "[offline demo]"

_ASPECTS = (
    "the first light of morning",
    "colours waking up",
    "a quiet afternoon",
    "the sound of rain",
    "people walking outside",
    "the long evening",
    "night and stars",
    "what stays with us",
    "change and return",
    "an ending that begins again",
)


def n_stanzas(value: Any, default: int = 3) -> int:
    """The number of stanzas asked for: an int (or numeric string) clamped to 1..10, else ``default``."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(1, min(10, n))


def takes_instruction(generator: Generator) -> bool:
    try:
        parameters = inspect.signature(generator).parameters
    except (TypeError, ValueError):
        return False
    return "instruction" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


async def call_generator(generator: Generator, step_name: str, parameter: dict[str, Any],
                         instruction: str | None = None) -> list[dict[str, Any]]:
    """Call ``generator`` on a copy of ``parameter``, with the instruction when it takes one."""
    if takes_instruction(generator):
        return await generator(step_name, dict(parameter), instruction=instruction)
    return await generator(step_name, dict(parameter))


async def offline_generator(step_name: str, parameter: dict[str, Any],
                            instruction: str | None = None) -> list[dict[str, Any]]:
    """Deterministic demo output for the Write poem steps (and a generic line for any other step).

    ``n_stanzas`` may be a number or a string of one (0.4 stores inputs as strings). A rerun's instruction is
    quoted in the text.
    """
    asked = f" (as asked: {instruction})" if instruction else ""
    if step_name == "stanza_divider":
        topic = str(parameter.get("poem_topic") or "life")
        count = n_stanzas(parameter.get("n_stanzas"))
        return [
            {"stanza_topic": f"{DEMO_PREFIX} {topic}: {_ASPECTS[i % len(_ASPECTS)]}{asked}"} for i in range(count)
        ]
    if step_name == "stanza_writer":
        topic = str(parameter.get("stanza_topic") or "a stanza")
        if topic.startswith(DEMO_PREFIX):
            topic = topic[len(DEMO_PREFIX):].strip()
        stanza = (
            f"{DEMO_PREFIX} A stanza about {topic},\n"
            "written without a model, line by line,\n"
            "to show the steps go round in time."
            f"{asked}"
        )
        return [{"stanza": stanza}]
    return [{"result": f"{DEMO_PREFIX} {step_name} done with {parameter!r}{asked}"}]
