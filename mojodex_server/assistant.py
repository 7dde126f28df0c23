"""The assistant of instruct tasks (0.4): a turn of the conversation goes in, a draft or a question comes out.

With no model plugged in (``ReferenceServer(assistant=...)``), :func:`offline_assistant` answers from a script,
every text labelled ``[offline demo]``. Texts are streamed in tokens by the server, not by the assistant.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .generators import DEMO_PREFIX

_TOKEN = re.compile(r"\S+\s*|\s+")

_FILLER_TEXT = (
    "This paragraph stands where a model would write more, so that clients see a long draft arrive token by "
    "token and keep up with it. Nothing here was generated: it is the reference server talking."
)
_FILLER = _FILLER_TEXT.split(" ")


def tokens(text: str) -> list[str]:
    """``text`` cut in streaming tokens (a word with the spaces after it); joined, they give ``text`` back."""
    return _TOKEN.findall(text) or [text]


@dataclass(frozen=True)
class Turn:
    """What the assistant knows when it answers."""

    task_name: str
    inputs: dict[str, Any]  # input_name -> value, as the run stored them
    missing: list[str]  # descriptions of the required inputs that have no value
    messages: list[dict[str, str]] = field(default_factory=list)  # {"sender": "user"|"mojo", "text"}, oldest first
    draft: tuple[str, str] | None = None  # (title, body) of the latest version, if any
    clarify: bool = False  # the server wants a question (a fault switch, or inputs missing)
    draft_tokens: int = 60  # how long the offline draft is, in tokens


@dataclass(frozen=True)
class Reply:
    kind: str  # "draft" or "question"
    text: str = ""  # the question
    title: str = ""  # the draft's title
    body: str = ""  # the draft's text


Assistant = Callable[[Turn], Awaitable[Reply]]


def _last_user_text(turn: Turn) -> str:
    return next((m["text"] for m in reversed(turn.messages) if m.get("sender") == "user"), "")


def offline_question(turn: Turn) -> str:
    if turn.missing:
        return f"{DEMO_PREFIX} Before I write, please tell me: {'; '.join(turn.missing)}?"
    return f"{DEMO_PREFIX} Before I write the {turn.task_name.lower()}: who is it for, and what matters most?"


def offline_draft(turn: Turn) -> tuple[str, str]:
    """(title, body) whose streamed text ``title\\nbody`` has ``turn.draft_tokens`` tokens (or a few more)."""
    first = next((str(v) for v in turn.inputs.values() if v not in (None, "")), "")
    title = f"{turn.task_name}: {first[:60]}" if first else turn.task_name
    version = "a new version" if turn.draft else "a first version"
    lines = [f"{DEMO_PREFIX} {version} of your {turn.task_name.lower()}, written without a model."]
    lines += [f"{name}: {value}" for name, value in turn.inputs.items() if value not in (None, "")]
    asked = _last_user_text(turn)
    if asked:
        lines.append(f"You said: {asked}")
    body = "\n".join(lines)
    need = turn.draft_tokens - len(tokens(f"{title}\n{body}"))
    if need > 0:
        body += "\n" + " ".join(_FILLER[i % len(_FILLER)] for i in range(need))
    return title, body


async def offline_assistant(turn: Turn) -> Reply:
    if turn.clarify:
        return Reply("question", text=offline_question(turn))
    title, body = offline_draft(turn)
    return Reply("draft", title=title, body=body)


def run_title(task_name: str, inputs: dict[str, Any]) -> str:
    """A run's title, as the backend makes one in the background: the task and its first input."""
    first = next((" ".join(str(v).split()) for v in inputs.values() if v not in (None, "")), "")
    if task_name == "Write poem" and first:
        return f"Poem about {first[:60]}"
    return f"{task_name}: {first[:60]}" if first else task_name
