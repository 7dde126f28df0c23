"""One-line errors of local workflows: what a model endpoint or a run can go wrong with.

All derive from ``mojodex_core._errors.MojodexError`` so the shell prints their message as one line.
None of them derives from the core's ``AuthError``: a refused model key must not log the user out.
"""

from __future__ import annotations

from mojodex_core import BadResponseError, MojodexError, NetworkError


class ModelError(MojodexError):
    """The model endpoint answered with an error (``status`` is its HTTP status, 0 when there was none)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class ModelAuthError(ModelError):
    """The endpoint refused the API key (401) or the key may not use the model (403)."""


class ModelNotFoundError(ModelError):
    """The endpoint has no such model, or the base URL points to no OpenAI-compatible API (404)."""


class ModelRateLimitError(ModelError):
    """The endpoint kept answering 429 after every retry."""


class ModelUnreachableError(NetworkError):
    """The endpoint could not be reached, timed out, or the connection broke mid-answer."""


class ModelStreamError(BadResponseError):
    """The endpoint's streamed answer is not what the chat-completions protocol says."""


class RunNotFoundError(MojodexError):
    """No stored run matches the given id."""


class RunPaused(MojodexError):
    """The run stopped as a pause, not a failure (at its token budget): it is left ``waiting`` and resumes."""
