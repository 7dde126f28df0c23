"""The validation question of a step, the same for server and local runs: ``Continue (Y/n)?``."""

from __future__ import annotations

from typing import Any

from mojodex_core._errors import NotInteractiveError
from mojodex_core._results import QUESTION


def hint(extra: dict[str, str] | None = None) -> str:
    """The toolbar under the question: the answers it takes (the question keeps the specification's text)."""
    answers = ["Enter or y: accept", "n: reject"] + [f"{key}: {what}" for key, what in (extra or {}).items()]
    return "  ".join(answers)


async def ask_validation(ctx: Any, step_name: str, *, assume_yes: bool = False, json_mode: bool = False,
                         resume: str = "", extra: dict[str, str] | None = None) -> str:
    """Ask ``Continue (Y/n)?`` about step ``step_name``'s result; return ``"y"``, ``"n"`` or a key of ``extra``.

    ``extra`` maps more answers to what they do (``{"e": "edit the result"}``); each is taken as its key or the
    first word of its description. With ``assume_yes`` nothing is asked (``Continue (Y/n)? y (--yes)`` is
    shown). With no terminal it fails with one line that names ``--yes`` and ``resume``, the command that
    carries the run on.
    """
    if assume_yes:
        if not json_mode:
            ctx.print(f"{QUESTION} y (--yes)")
        return "y"
    words = {key: key for key in extra or {}}
    words.update({what.split()[0].lower(): key for key, what in (extra or {}).items() if what.split()})
    while True:
        try:
            answer = (await ctx.ask(QUESTION + " ", toolbar=hint(extra))).strip().lower()
        except NotInteractiveError:
            later = f" (`mojodex {resume} --yes` carries on)" if resume else ""
            raise NotInteractiveError(
                f"step {step_name} waits for validation and there is no terminal to ask: pass --yes to accept "
                f"every step{later}") from None
        if answer in ("", "y", "yes"):
            return "y"
        if answer in ("n", "no"):
            return "n"
        if answer in words:
            return words[answer]
        more = ", ".join(f"{key} to {what}" for key, what in (extra or {}).items())
        ctx.print(f"Please answer y or n{f' (or {more})' if more else ''}.")
