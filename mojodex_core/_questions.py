"""Asking the user a question with prompt_toolkit (imported only when a question is asked)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

# True in tasks that run behind the prompt (completion loads): a question there would fight it for the keyboard.
IN_BACKGROUND: ContextVar[bool] = ContextVar("mojodex_in_background", default=False)


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


def toolbar_output() -> Any:
    """The terminal output, telling the renderer there is room for the toolbar below the prompt line.

    Cursor position requests are off (cli.py) because CI and pexpect terminals never answer them; without an
    answer prompt_toolkit does not know the height below the cursor and hides the bottom toolbar. Claiming
    two rows draws the toolbar right under the prompt (the terminal scrolls if needed), with no request sent.
    """
    import sys

    from prompt_toolkit.output.defaults import create_output
    from prompt_toolkit.utils import is_dumb_terminal

    if is_dumb_terminal() or not sys.stdout.isatty():
        return None
    output = create_output()
    output.get_rows_below_cursor_position = lambda: 2  # type: ignore[method-assign]
    return output


def literal_prompt(text: str) -> Any:
    """The prompt as formatted text whose trailing space is really written to the terminal.

    prompt_toolkit draws a plain trailing space as a cursor move; a terminal reader (a person's screen
    reader, a script expecting ``mojodex> ``) then never sees it. A style with a colour (the terminal's own
    default, so nothing looks different) makes it write every character.
    """
    from prompt_toolkit.formatted_text import FormattedText

    return FormattedText([("fg:ansidefault", text)])


def _completer(choices: Any, paths: bool) -> Any:
    if paths:
        from prompt_toolkit.completion import PathCompleter

        return PathCompleter(expanduser=True)
    if choices:
        from prompt_toolkit.completion import WordCompleter

        return WordCompleter(list(choices), ignore_case=True, sentence=True)
    return None


async def ask(ctx: Any, prompt: str, *, password: bool = False, default: str | None = None, choices: Any = None,
              paths: bool = False, toolbar: str | None = None) -> str:
    """Read one line at ``prompt`` without history; the password is not echoed.

    ``default`` is the editable text the answer starts with; ``choices`` and ``paths`` complete with Tab.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.utils import is_dumb_terminal

    if IN_BACKGROUND.get():
        from mojodex_core._errors import NotInteractiveError

        raise NotInteractiveError(f"'{prompt.strip()}' cannot be asked behind the prompt")
    if password and is_dumb_terminal():
        return await _ask_password_dumb(prompt)
    shows_toolbar = bool(toolbar) and not is_dumb_terminal()
    # A question with a hint below it needs an output that knows there is room for it (see toolbar_output);
    # the others keep the terminal's plain output, as the shell's own prompt does between commands.
    key = "toolbar" if shows_toolbar else "plain"
    askers = ctx._asker if isinstance(ctx._asker, dict) else {}
    ctx._asker = askers
    if key not in askers:
        askers[key] = PromptSession(output=toolbar_output() if shows_toolbar else None)
    session = askers[key]
    # Arguments given to prompt_async stay on the session, so each call sets every one of them afresh.
    processors = [_hidden_processor()] if password else []
    completer = _completer(choices, paths)
    from prompt_toolkit.patch_stdout import patch_stdout

    with patch_stdout():
        return str(await session.prompt_async(
            literal_prompt(prompt), input_processors=processors, default=default or "", completer=completer,
            complete_while_typing=False, bottom_toolbar=_fitted(toolbar) if shows_toolbar and toolbar else None))


def _fitted(hint: str) -> Any:
    """The hint as a toolbar that fits the terminal's width each time it is drawn (shortened, never cut off)."""
    from prompt_toolkit.application import get_app

    from mojodex_core._output import fit_hint

    def draw() -> str:
        try:
            width = int(get_app().output.get_size().columns)
        except Exception:  # no terminal to measure: the hint as it is
            return hint
        return fit_hint(hint, width - 1)

    return draw
