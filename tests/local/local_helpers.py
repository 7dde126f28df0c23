"""Helpers of the local-workflow engine tests (a module name no other test directory uses)."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mojodex_engine.definitions import WorkflowDefinition, load_definition
from mojodex_engine.engine import Engine, Observer, StepInfo
from mojodex_engine.storage import RunStore

Decision = tuple[bool, str | None] | str


class Recorder(Observer):
    """Records every callback; ``validate`` answers from ``decisions`` (then accepts).

    A decision ``"cancel"`` raises ``CancelledError`` in ``validate`` (Ctrl-C at the question).
    """

    def __init__(self, decisions: Iterable[Decision] = ()) -> None:
        self.decisions: deque[Decision] = deque(decisions)
        self.events: list[tuple[Any, ...]] = []
        self.chunks: list[tuple[str, str]] = []
        self._chunk = asyncio.Condition()

    async def on_step_started(self, step: StepInfo) -> None:
        self.events.append(("started", step))

    async def on_message_chunk(self, role: str, text: str) -> None:
        async with self._chunk:
            self.chunks.append((role, text))
            self._chunk.notify_all()

    async def wait_for_chunk(self, role: str, timeout: float = 5.0) -> None:
        """Wait until a chunk of ``role``'s message was streamed."""
        async with self._chunk:
            await asyncio.wait_for(self._chunk.wait_for(lambda: any(r == role for r, _ in self.chunks)), timeout)

    async def on_message_done(self, role: str, text: str) -> None:
        self.events.append(("message", role, text))

    async def on_step_ended(self, step: StepInfo, result: list[dict[str, str]]) -> None:
        self.events.append(("ended", step, result))

    async def validate(self, step: StepInfo, result: list[dict[str, str]]) -> tuple[bool, str | None]:
        decision = self.decisions.popleft() if self.decisions else (True, None)
        if decision == "cancel":
            raise asyncio.CancelledError
        assert not isinstance(decision, str)
        return decision

    def of(self, kind: str) -> list[tuple[Any, ...]]:
        return [e for e in self.events if e[0] == kind]

    @property
    def messages(self) -> list[tuple[str, str]]:
        return [(e[1], e[2]) for e in self.of("message")]


def write_definition(directory: Path, text: str, name: str = "flow.toml") -> WorkflowDefinition:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return load_definition(path)


def make_engine(
    home: Path, definition: WorkflowDefinition, inputs: dict[str, str], provider: Any, observer: Recorder
) -> Engine:
    store = RunStore.create(home, definition, inputs, model="test-model")
    return Engine(store, provider, observer, model="test-model", temperature=0.2)


def resume_engine(home: Path, run_id: str, provider: Any, observer: Recorder) -> Engine:
    return Engine(RunStore.open(home, run_id), provider, observer, model="test-model", temperature=0.2)


def system_of(request: dict[str, Any]) -> str:
    return str(request["messages"][0]["content"])


def cue_of(request: dict[str, Any]) -> str:
    """The last user turn of a request: in a conversation, who speaks now and at which message."""
    return str([m for m in request["messages"] if m["role"] == "user"][-1]["content"])


def turn_of(request: dict[str, Any]) -> tuple[str, str, int]:
    """``(conversation, speaker, message number)`` of a conversation request."""
    text = text_of(request)
    conv = re.search(r"^Current conversation: (.+)$", text, re.M)
    speaker = re.search(r"^You speak as: (.+)$", cue_of(request), re.M)
    turn = re.search(r"^This is message (\d+) of", cue_of(request), re.M)
    assert conv and speaker and turn, "not a conversation request"
    return conv.group(1), speaker.group(1), int(turn.group(1))


def text_of(request: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in request["messages"])


TWO_CONVERSATIONS = """
name = "Two talks"
description = "Plan then build"
inputs = ["task"]

[[roles]]
name = "CEO"
description = "The boss."

[[roles]]
name = "CPO"
description = "The product person."

[[artifacts]]
name = "Task"
description = "What the customer wants."

[[artifacts]]
name = "Plan"
description = "The plan."

[[artifacts]]
name = "Product"
description = "The product."

[[conversations]]
name = "Planning"
description = "Make a plan."
lead = "CEO"
assistant = "CPO"
input = "Task"
output = "Plan"
turns = 4

[[conversations]]
name = "Building"
description = "Build it."
lead = "CPO"
assistant = "CEO"
input = "Plan"
output = "Product"
turns = 3
"""
