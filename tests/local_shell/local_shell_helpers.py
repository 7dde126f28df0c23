"""Helpers of the local-workflow shell tests (a module name no other test directory uses).

``LLMThread`` runs ``mojodex_engine.testing.FakeOpenAIServer`` in a thread with its own event loop, so that a test
whose own thread blocks on a pseudo-terminal can drive it. ``roleplay_reply`` answers the engine's prompts the way
a well-behaved model would: the lead opens, the assistant answers with the output artifact and END CONVERSATION.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from mojodex_core.testing import LoopThread
from mojodex_engine.testing import FakeOpenAIServer, Reply

SOFTWARE_COMPANY_STEPS = [
    "Design (Modalities)",
    "Design (Language)",
    "Coding (Code)",
    "Coding (Design)",
    "Testing (Review)",
    "Testing (Test)",
    "Documenting (Specification)",
    "Documenting (Manual)",
]
SOFTWARE_COMPANY_ARTIFACTS = {
    "Design (Modalities)": "modalities.md",
    "Design (Language)": "language.md",
    "Coding (Code)": "code.md",
    "Coding (Design)": "designed-code.md",
    "Testing (Review)": "reviewed-code.md",
    "Testing (Test)": "tested-code.md",
    "Documenting (Specification)": "specification.md",
    "Documenting (Manual)": "manual.md",
}

# A model key nobody could mistake for a real one; FakeOpenAIServer accepts it by default.
TEST_KEY = "test-key"


def _find(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text, re.MULTILINE)
    return found.group(1).strip() if found else None


def system_of(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    first = messages[0] if messages else {}
    return str(first.get("content", "")) if first.get("role") == "system" else ""


def conversation_of(body: dict[str, Any]) -> tuple[str, str, int] | None:
    """``(conversation, speaker, message number)`` of a conversation request; None for any other request."""
    users = [str(m.get("content", "")) for m in body.get("messages") or [] if m.get("role") == "user"]
    cue = users[-1] if users else ""  # the last user turn says who speaks now; the opening names the conversation
    conv = _find(r"^Current conversation: (.+)$", users[0] if users else "")
    speaker = _find(r"^You speak as: (.+)$", cue)
    turn = _find(r"^This is message (\d+) of", cue)
    if conv is None or speaker is None or turn is None:
        return None
    return conv, speaker, int(turn)


def text_of(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages") or [])


def output_of(conversation: str, attempt: int = 1) -> str:
    """The output artifact ``roleplay_reply`` writes for ``conversation`` (a marker a test can look for)."""
    tag = re.sub(r"\W+", "-", conversation).strip("-").lower()
    return f"OUTPUT[{tag}#{attempt}] The agreed result of {conversation}."


def roleplay_reply(body: dict[str, Any]) -> str | Reply:
    """Message 1: the lead opens; message 2: the assistant writes the output and ends the conversation.

    The output carries the attempt number (one more than the rejected attempts in the opening), so a rerun after a
    rejection produces a different output. Any other request (the preflight) gets "OK".
    """
    found = conversation_of(body)
    if found is None:
        return "OK"
    conv, speaker, turn = found
    if turn == 1:
        return f"{speaker}: Let us start {conv}. What do you propose?"
    attempt = 1 + text_of(body).count("Rejected attempt ")
    return f"{speaker}: Here it is.\n\n{output_of(conv, attempt)}\n\nEND CONVERSATION"


class LLMThread(LoopThread):
    """A ``FakeOpenAIServer`` on 127.0.0.1 in a thread with its own event loop. ``call`` runs code in that loop."""

    def __init__(self, **server_kwargs: Any) -> None:
        super().__init__(lambda: FakeOpenAIServer(**server_kwargs), name="fake-openai")

    def start(self, timeout: float = 10.0) -> LLMThread:
        super().start(timeout)
        return self

    @property
    def srv(self) -> FakeOpenAIServer:
        assert self.server is not None
        return self.server

    @property
    def base_url(self) -> str:
        return self.srv.base_url

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of every chat-completion request body received so far (preflights included)."""
        return list(self.call(lambda: [json.loads(json.dumps(r)) for r in self.srv.requests]))

    def conversation_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if conversation_of(r) is not None]

    def turns(self) -> list[tuple[str, int]]:
        """``(conversation, message number)`` of every conversation request, in order."""
        out = []
        for body in self.requests:
            found = conversation_of(body)
            if found is not None:
                out.append((found[0], found[2]))
        return out

    def stall(self, after_chunks: int, at_request: int) -> None:
        self.call(self.srv.stall_next, after_chunks, at_request=at_request)

    def wait_stalled(self, timeout: float = 10.0) -> None:
        self.call(lambda: asyncio.wait_for(self.srv.stalled.wait(), timeout), timeout=timeout + 1)

    def release(self) -> None:
        self.call(self.srv.release)


def llm_config(base_url: str, *, model: str = "test-model", extra: str = "") -> str:
    """A config file's text pointing local workflows at ``base_url`` (retries without delay, short timeout)."""
    return (
        "[llm]\n"
        'provider = "openai"\n'
        f'base_url = "{base_url}"\n'
        f'model = "{model}"\n'
        "timeout = 10\n"
        "max_retries = 0\n" + extra
    )


def write_config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def model_env(key: str | None = TEST_KEY) -> dict[str, str]:
    """The child's model environment: only what the test sets (empty values hide the developer's own)."""
    return {"OPENAI_API_KEY": key or "", "OPENAI_BASE_URL": ""}


def read_state(home: Path, run_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((home / "runs" / run_id / "state.json").read_text(encoding="utf-8"))
    return data
