"""Offline demo text generation: what the reference server's steps return when no model is plugged in.

Every text is prefixed with ``[offline demo]`` so that nobody mistakes it for model output.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Generator = Callable[[str, dict[str, Any]], Awaitable[list[dict[str, Any]]]]

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


async def offline_generator(step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
    """Deterministic demo output for the Write poem steps (and a generic line for any other step)."""
    if step_name == "stanza_divider":
        topic = str(parameter.get("poem_topic") or "life")
        count = n_stanzas(parameter.get("n_stanzas"))
        return [
            {"stanza_topic": f"{DEMO_PREFIX} {topic}: {_ASPECTS[i % len(_ASPECTS)]}"} for i in range(count)
        ]
    if step_name == "stanza_writer":
        topic = str(parameter.get("stanza_topic") or "a stanza")
        if topic.startswith(DEMO_PREFIX):
            topic = topic[len(DEMO_PREFIX):].strip()
        stanza = (
            f"{DEMO_PREFIX} A stanza about {topic},\n"
            "written without a model, line by line,\n"
            "to show the steps go round in time."
        )
        return [{"stanza": stanza}]
    return [{"result": f"{DEMO_PREFIX} {step_name} done with {parameter!r}"}]
