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


async def _ask_password_dumb(prompt: str) -> str:
    """A password on a dumb terminal: prompt_toolkit's dumb prompt echoes each typed character, even a password's.

    So the prompt is written here, once the terminal no longer echoes, and the line is read by a session that
    renders nothing at all.
    """
    import sys

    from prompt_toolkit import PromptSession
    from prompt_toolkit.input import create_input
    from prompt_toolkit.output import DummyOutput

    term_input = create_input()
    session: PromptSession[str] = PromptSession(input=term_input, output=DummyOutput())
    with term_input.raw_mode():
        sys.stdout.write(prompt)
        sys.stdout.flush()
        try:
            return str(await session.prompt_async(prompt))
        finally:
            sys.stdout.write("\n")
            sys.stdout.flush()


def literal_prompt(text: str) -> Any:
    """The prompt as formatted text whose trailing space is really written to the terminal.

    prompt_toolkit draws a plain trailing space as a cursor move; a terminal reader (a person's screen
    reader, a script expecting ``mojodex> ``) then never sees it. A style with a colour (the terminal's own
    default, so nothing looks different) makes it write every character.
    """
    from prompt_toolkit.formatted_text import FormattedText

    return FormattedText([("fg:ansidefault", text)])


async def ask(ctx: Any, prompt: str, *, password: bool = False) -> str:
    """Read one line at ``prompt`` without history; the password is not echoed."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.utils import is_dumb_terminal

    if password and is_dumb_terminal():
        return await _ask_password_dumb(prompt)
    if ctx._asker is None:
        ctx._asker = PromptSession()
    session = ctx._asker
    # Arguments given to prompt_async stay on the session, so each call sets its processors afresh.
    processors = [_hidden_processor()] if password else []
    from prompt_toolkit.patch_stdout import patch_stdout

    with patch_stdout():
        return str(await session.prompt_async(literal_prompt(prompt), input_processors=processors))
