"""Model providers: where the engine gets its streamed answers from.

A provider has ``stream(messages, *, model, temperature)``, an async generator of text chunks (the engine adds
``max_tokens=N`` only when a role or ``[llm]`` sets it; the built-in providers take it), and a
``usage`` attribute holding the token counts of the last finished call (None when the endpoint reported
none). ``preflight()`` (optional for third-party providers) makes one tiny call that checks endpoint, key
and model before a run starts.

``OpenAIProvider`` talks to any OpenAI-compatible chat-completions endpoint through the ``openai`` SDK, which
retries 429 and 5xx answers with backoff (``max_retries``) and honours ``retry-after``. Its errors come out as
one-line ``MojodexError`` subclasses (``mojodex_engine.errors``). ``OfflineProvider`` needs no network: it
answers with clearly labelled ``[offline demo]`` text that follows the roleplay protocol, for demos and tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from mojodex_core import ConfigError, one_line
from mojodex_engine.errors import (
    ModelAuthError,
    ModelError,
    ModelNotFoundError,
    ModelRateLimitError,
    ModelStreamError,
    ModelUnreachableError,
)
from mojodex_engine.prompts import END_MARKER

OFFLINE_LABEL = "[offline demo]"


@dataclass(frozen=True)
class Usage:
    """Token counts, as reported by the endpoint."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)

    def to_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }

    @classmethod
    def from_any(cls, value: Any) -> Usage:
        """A ``Usage`` from a Usage, a dict, an object with ``prompt_tokens`` and ``completion_tokens``,
        or None."""
        if value is None:
            return cls()
        if isinstance(value, Usage):
            return value
        get = value.get if isinstance(value, dict) else lambda k, d=0: getattr(value, k, d)
        try:
            return cls(int(get("prompt_tokens", 0) or 0), int(get("completion_tokens", 0) or 0))
        except (TypeError, ValueError):
            return cls()


@runtime_checkable
class ModelProvider(Protocol):
    """What the engine needs from a provider (``preflight`` is called by the shell when there is one)."""

    usage: Any

    def stream(self, messages: list[dict[str, str]], *, model: str, temperature: float) -> AsyncIterator[str]:
        """Yield the answer's text chunks; set ``usage`` once the answer is complete."""
        ...


# ------------------------------------------------------------------------------------------------ OpenAI


class OpenAIProvider:
    """An OpenAI-compatible chat-completions endpoint, streamed through ``openai.AsyncOpenAI``."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str = "gpt-4o-mini",
        temperature: float = 0.7,
        timeout: float = 60.0,
        max_retries: int = 2,
        stream_usage: bool = True,
    ) -> None:
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if not base_url:
                raise ConfigError("no API key for the model endpoint: set [llm] api_key or OPENAI_API_KEY")
            key = "unused"  # local OpenAI-compatible servers usually ignore it
        self.base_url = (base_url or "https://api.openai.com/v1").rstrip("/")
        self.model = model
        self.temperature = temperature
        self.timeout = timeout
        self.max_retries = max_retries
        self.stream_usage = stream_usage
        self.usage: Usage | None = None
        self._api_key = key
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            try:
                import openai
            except ImportError:
                raise ConfigError("the openai package is not installed: pip install 'mojodex[local]' to run local "
                                  "workflows on a model (or set llm.provider = \"offline\")") from None

            self._client = openai.AsyncOpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def stream(
        self,
        messages: list[dict[str, str]],
        *,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsyncIterator[str]:
        client = self._get_client()
        import openai

        model = model or self.model
        self.usage = None
        extra: dict[str, Any] = {"stream_options": {"include_usage": True}} if self.stream_usage else {}
        if max_tokens:
            extra["max_tokens"] = max_tokens
        try:
            response = await client.chat.completions.create(
                model=model,
                messages=messages,
                temperature=self.temperature if temperature is None else temperature,
                stream=True,
                **extra,
            )
        except openai.OpenAIError as exc:
            raise self._error(exc, model) from None
        finished = False
        try:
            async for chunk in response:
                if getattr(chunk, "usage", None) is not None:
                    self.usage = Usage.from_any(chunk.usage)
                for choice in chunk.choices or ():
                    if choice.index != 0:
                        continue
                    content = choice.delta.content if choice.delta is not None else None
                    if content:
                        yield content
                    if choice.finish_reason:
                        finished = True
        except openai.OpenAIError as exc:
            raise self._error(exc, model, mid_stream=True) from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # JSON or schema of a chunk
            raise ModelStreamError(
                f"the model endpoint at {self.base_url} sent a malformed stream: {one_line(exc, 120)}"
            ) from None
        finally:
            await response.close()
        if not finished:
            raise ModelStreamError(
                f"the model endpoint at {self.base_url} ended its answer before it was complete (no finish reason)"
            )

    async def preflight(self) -> None:
        """One tiny completion: the same one-line errors as ``stream`` when endpoint, key or model is bad."""
        client = self._get_client()  # first: a missing openai package is one line
        import openai

        messages = [{"role": "user", "content": "Say OK."}]
        try:
            try:
                await client.chat.completions.create(model=self.model, messages=messages, max_tokens=1)
            except openai.BadRequestError as exc:
                if "max_tokens" not in str(exc):
                    raise
                await client.chat.completions.create(model=self.model, messages=messages, max_completion_tokens=16)
        except openai.OpenAIError as exc:
            raise self._error(exc, self.model) from None

    def _error(self, exc: Exception, model: str, *, mid_stream: bool = False) -> Exception:
        import openai

        url = self.base_url
        detail = one_line(_message(exc), 160)
        retries = f" after {self.max_retries} retries" if self.max_retries else ""
        if isinstance(exc, openai.APITimeoutError):
            what = "stopped answering mid-answer" if mid_stream else "did not answer"
            return ModelUnreachableError(f"the model endpoint at {url} {what} within {self.timeout:g} s")
        if isinstance(exc, openai.APIConnectionError):
            cause = one_line(exc.__cause__ or exc, 120)
            if mid_stream:
                return ModelUnreachableError(f"the connection to the model endpoint at {url} broke mid-answer: {cause}")
            return ModelUnreachableError(f"cannot reach the model endpoint at {url}: {cause}")
        if isinstance(exc, openai.AuthenticationError):
            return ModelAuthError(f"the model endpoint refused the API key (401 from {url})", 401)
        if isinstance(exc, openai.PermissionDeniedError):
            return ModelAuthError(f"the model endpoint refused access to model '{model}' (403): {detail}", 403)
        if isinstance(exc, openai.NotFoundError):
            if "model" in detail.lower():
                return ModelNotFoundError(f"the model endpoint at {url} has no model '{model}' (404)", 404)
            return ModelNotFoundError(f"nothing found at {url}/chat/completions (404): check the base URL", 404)
        if isinstance(exc, openai.RateLimitError):
            return ModelRateLimitError(f"the model endpoint is rate limiting (429){retries}: {detail}", 429)
        if isinstance(exc, openai.APIResponseValidationError):
            return ModelStreamError(f"the model endpoint at {url} sent a malformed answer: {detail}")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status >= 500:
                return ModelError(f"the model endpoint failed ({status}){retries}: {detail}", status)
            return ModelError(f"the model endpoint rejected the request ({status}): {detail}", status)
        if isinstance(exc, openai.APIError):
            return ModelError(f"the model endpoint reported an error mid-answer: {detail}")
        return ModelError(f"the model call failed: {one_line(exc, 160)}")


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return str(getattr(exc, "message", None) or exc)


# ----------------------------------------------------------------------------------------------- offline


class OfflineProvider:
    """Deterministic made-up answers, no network: every answer says ``[offline demo]``.

    It reads the engine's prompts: in a conversation the lead opens, the assistant drafts the output, and the
    conversation ends with END CONVERSATION at message 2 or 3 (or the turn limit); a fan-out step gets as many
    lines as the first number in its prompt (3 when there is none); any other step gets one short paragraph.
    """

    name = "offline"

    def __init__(self, *, model: str = "offline-demo", temperature: float = 0.0, chunk_delay: float = 0.0) -> None:
        self.model = model
        self.temperature = temperature
        self.chunk_delay = chunk_delay
        self.usage: Usage | None = None
        self.calls = 0

    async def preflight(self) -> None:
        return None

    async def stream(
        self,
        messages: list[dict[str, str]],
        *,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsyncIterator[str]:
        self.usage = None
        self.calls += 1
        reply = self.reply(messages)
        for piece in re.findall(r"\S+\s*|\s+", reply):
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            else:
                await asyncio.sleep(0)
            yield piece
        prompt_chars = sum(len(m.get("content", "")) for m in messages)
        self.usage = Usage(max(1, prompt_chars // 4), max(1, len(reply) // 4))

    def reply(self, messages: list[dict[str, str]]) -> str:
        system = next((m["content"] for m in messages if m.get("role") == "system"), "")
        users = [m["content"] for m in messages if m.get("role") == "user"]
        # The last user turn says who speaks now (prompts.turn_cue), read first; the opening names the rest.
        speaker = _find(r"^You speak as: (.+)$", users[-1] if users else "")
        if speaker:
            return self._conversation("\n".join(users[-1:] + users[:1]), users, speaker)
        prompt = users[0] if users else ""
        reasons = re.findall(r"I reject this answer\. Reason: (.+?)\. Answer again", "\n".join(users[1:]))
        revised = f" (revised: {reasons[-1]})" if reasons else ""
        lines = [line.strip() for line in prompt.splitlines() if line.strip()]
        subjects = [_subject(line) for line in lines if ":" in line] or [_subject(lines[0] if lines else "")]
        if "one entry per line" in system:
            m = re.search(r"\b(\d{1,2})\b", prompt)
            n = int(m.group(1)) if m and 1 <= int(m.group(1)) <= 20 else 3
            return "\n".join(f"{OFFLINE_LABEL} Part {i} of {n}{revised}: {subjects[0]}" for i in range(1, n + 1))
        return f"{OFFLINE_LABEL} A made-up answer{revised}, no model was asked, for: {subjects[-1]}"

    def _conversation(self, system: str, users: list[str], speaker: str) -> str:
        conv = _find(r"^Current conversation: (.+)$", system) or "the conversation"
        lead_assistant = re.search(r"^Lead: (.+?)\. Assistant: (.+?)\.$", system, re.MULTILINE)
        lead, assistant = lead_assistant.groups() if lead_assistant else (speaker, "the other role")
        other = assistant if speaker == lead else lead
        output = (_find(r"^Output artifact: (.+?)(?: — .*)?$", system) or "output").strip()
        inputs = _find(r"^Input artifacts: (.+)$", system) or "the inputs"
        turn = int(_find(r"^This is message (\d+) of", system) or 1)
        limit = int(_find(r"of at most (\d+)\.", system) or 10)
        reason = _find(r"^Reason: (.+)$", users[0] if users else "")
        end_at = 2 + zlib.crc32(conv.encode()) % 2
        if turn == 1 and turn < limit:
            return (
                f"{speaker}: {OFFLINE_LABEL} Let us turn {inputs} into the {output} for '{conv}'. "
                f"{other}, what do you propose?"
            )
        draft = (
            f"# {output}\n\n{OFFLINE_LABEL} Made up by the offline demo provider from {inputs}; "
            "configure a model for real work."
        )
        if reason:
            draft += f"\n\nRevised after the rejection: {reason}"
        if turn < end_at and turn < limit:
            return f"{speaker}: {OFFLINE_LABEL} Here is my draft of the {output}:\n\n{draft}\n\nDoes this work?"
        return f"{speaker}: {draft}\n\n{END_MARKER}"


def _subject(line: str) -> str:
    """``"Write the stanza whose topic is: [offline demo] Part 1 of 3: Spring"`` -> ``"Part 1 of 3: Spring"``."""
    text = line.split(":", 1)[1] if ":" in line else line
    text = text.replace(OFFLINE_LABEL, "").strip() or "the input"
    return text if len(text) <= 80 else text[:79] + "…"


def _find(pattern: str, text: str) -> str | None:
    m = re.search(pattern, text, re.MULTILINE)
    return m.group(1).strip() if m else None
