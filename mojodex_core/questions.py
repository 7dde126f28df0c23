"""Asking the user a question with prompt_toolkit (imported only when a question is asked)."""

from __future__ import annotations

from typing import Any


def _hidden_processor() -> Any:
    from prompt_toolkit.layout.processors import Processor, Transformation

    class HideInput(Processor):
        """Shows nothing of what is typed (a password is not even shown as stars)."""

        def apply_transformation(self, ti: Any) -> Transformation:
            return Transformation([], source_to_display=lambda i: 0, display_to_source=lambda i: 0)

    return HideInput()


async def ask(ctx: Any, prompt: str, *, password: bool = False) -> str:
    """Read one line at ``prompt`` without history; the password is not echoed."""
    from prompt_toolkit import PromptSession

    if ctx._asker is None:
        ctx._asker = PromptSession()
    session = ctx._asker
    # Arguments given to prompt_async stay on the session, so each call sets its processors afresh.
    processors = [_hidden_processor()] if password else []
    return str(await session.prompt_async(prompt, input_processors=processors))
