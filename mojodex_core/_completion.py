"""Tab completion at the ``mojodex>`` prompt: the completer, and the values plugins load for it in the background.

As in pgcli, the completer never fetches: ``CompletionValues`` fires ``mojodex_completions`` in a background task
when the shell starts and after each command, and keeps what the plugins answered; the completer only reads it
(a Tab pressed while a load runs waits for it a moment, without holding up the keys typed meanwhile).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncGenerator, Iterable
from typing import TYPE_CHECKING, Any

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from mojodex_core._errors import MojodexError
from mojodex_core._registry import Command, split_line
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import ShellContext

HOOK = "mojodex_completions"
LEAVE_WORDS = ("exit", "quit")
WAIT_SECONDS = 1.5  # how long a Tab waits for a load under way before it offers what is known
# A load starts once the prompt has been idle this long: lines typed at once (pasted, or a script driving the
# shell) cancel it before it asks the server anything; a person takes longer to reach Tab, which waits for it.
IDLE_SECONDS = 0.25


def natural_key(word: str) -> tuple[int, int, str]:
    """Sort numbers as numbers (9 before 11), before words."""
    return (0, int(word), "") if word.isdigit() else (1, 0, word)


class CompletionValues:
    """What plugins loaded for Tab to offer as commands' first argument, by plugin, then by command name.

    Loads run while the prompt waits: a command cancels them (they never compete with it for the server), and
    the refresh after it loads again. A plugin's answer replaces its previous one command by command; None keeps
    it all; the newest load wins. A plugin whose load never ended well is asked with ``after=None`` (everything)
    until one does.
    """

    def __init__(self, ctx: ShellContext) -> None:
        self.ctx = ctx
        self.values: dict[str, dict[str, dict[str, str]]] = {}
        self._generation = 0
        self._applied: dict[str, int] = {}
        self._loaded: set[str] = set()  # plugins whose load ended well once
        self._tasks: set[asyncio.Task[None]] = set()

    def refresh(self, after: str | None = None) -> None:
        """Start loading in the background (``after``: the name of the command that just ran, None at start)."""
        if not self.ctx.config.get("shell.load_completions", True) or not any(
                True for _ in self.ctx.hooks._impls(HOOK)):
            return
        self._generation += 1
        task = asyncio.get_running_loop().create_task(self._load(self._generation, after))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def loading(self) -> bool:
        return any(not t.done() for t in self._tasks)

    async def settle(self, timeout: float = WAIT_SECONDS) -> None:
        """Wait for the loads under way, ``timeout`` seconds at most (they go on after it)."""
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    def pause(self) -> None:
        """A command starts: stop the loads under way (what they had loaded stays)."""
        for task in self._tasks:
            task.cancel()

    async def aclose(self) -> None:
        self.pause()
        if self._tasks:
            await asyncio.wait(list(self._tasks))

    def for_command(self, name: str) -> dict[str, str]:
        """Every plugin's values for the first argument of command ``name``, each with its description."""
        out: dict[str, str] = {}
        for by_command in list(self.values.values()):
            for value, meta in by_command.get(name, {}).items():
                out.setdefault(value, meta)
        return out

    async def _load(self, generation: int, after: str | None) -> None:
        from mojodex_core._questions import IN_BACKGROUND

        IN_BACKGROUND.set(True)  # this task's own context: a loader asks nothing (an expired login included)
        if IDLE_SECONDS:
            await asyncio.sleep(IDLE_SECONDS)
        # One plugin after the other, as hooks run: two loaders never ask a server that is still being detected
        # at once. Each plugin's answer is kept as soon as it comes.
        for plugin in list(dict.fromkeys(impl.plugin_name for impl in self.ctx.hooks._impls(HOOK))):
            await self._load_one(plugin, generation, after if plugin in self._loaded else None)

    async def _load_one(self, plugin: str, generation: int, after: str | None) -> None:
        ctx = self.ctx
        failures: list[BaseException] = []

        def failed(name: str, exc: BaseException) -> None:
            failures.append(exc)
            ctx.log_exception(exc, f"loading the completions of plugin {name}")

        try:
            answers = await ctx.hooks.call(HOOK, only=plugin, on_error=failed, ctx=ctx, after=after)
        except BaseException as exc:  # the user cancelling a question a loader should never have asked, too
            if isinstance(exc, asyncio.CancelledError):
                raise
            failed(plugin, exc)
            return
        if failures:
            return
        self._loaded.add(plugin)
        if not answers or generation < self._applied.get(plugin, 0):
            return
        self._applied[plugin] = generation
        mine = self.values.setdefault(plugin, {})
        for command, pairs in _readable(answers[0], plugin, ctx).items():
            mine[command] = pairs


def _readable(answer: Any, plugin: str, ctx: ShellContext) -> dict[str, dict[str, str]]:
    """A plugin's answer as ``{command: {value: meta}}``; what is not pairs of text is left out (and logged)."""
    out: dict[str, dict[str, str]] = {}
    if not isinstance(answer, dict):
        ctx.log_exception(TypeError(f"mojodex_completions of {plugin} returned {type(answer).__name__}"))
        return out
    for command, pairs in answer.items():
        values: dict[str, str] = {}
        try:
            for value, meta in pairs or ():
                text = one_line(value, 200)
                if text and " " not in text:
                    values.setdefault(text, one_line(meta or "", 60))
        except (TypeError, ValueError) as exc:
            ctx.log_exception(exc, f"completions of {plugin} for {command!r}")
        out[" ".join(str(command).split())] = values
    return out


def _takes_value(parser: argparse.ArgumentParser | None, option: str) -> bool:
    if parser is None or "=" in option:
        return False
    action = parser._option_string_actions.get(option)
    return action is not None and action.nargs != 0


def _positionals(args: list[str], parser: argparse.ArgumentParser | None) -> tuple[int, bool]:
    """How many positional arguments ``args`` holds, and whether its last word is an option waiting for a value."""
    count, waiting = 0, False
    for word in args:
        if waiting:
            waiting = False
        elif word.startswith("-") and word != "-":
            waiting = _takes_value(parser, word)
        else:
            count += 1
    return count, waiting


def _options(cmd: Command, parser: argparse.ArgumentParser, args: list[str], current: str) -> dict[str, str]:
    """The options of ``cmd`` that ``current`` starts, but those already given that cannot be repeated."""
    given = set(args)
    out: dict[str, str] = {}
    for action in parser._actions:
        if not action.option_strings:
            continue
        if given & set(action.option_strings) and not isinstance(action, argparse._AppendAction):
            continue
        for option in action.option_strings:
            # A lone `-` offers the long forms, which say what they do; `-i` still completes to itself.
            if option.startswith(current) and (current != "-" or option.startswith("--")):
                out[option] = action.help or ""
    return out


class CommandCompleter(Completer):
    """Completes command words (nested, from the registry), then a command's options and arguments: the values
    loaded in the background and those of the command's own ``complete`` function."""

    def __init__(self, ctx: ShellContext, values: CompletionValues | None = None) -> None:
        self.ctx = ctx
        self.values = values if values is not None else CompletionValues(ctx)

    async def get_completions_async(self, document: Document,
                                    complete_event: CompleteEvent) -> AsyncGenerator[Completion, None]:
        # Only this Tab's completion waits; keys typed meanwhile are handled (and drop it).
        if self.values.loading and self._wants_values(document.text_before_cursor):
            await self.values.settle()
        for completion in self.get_completions(document, complete_event):
            yield completion

    def _wants_values(self, text: str) -> bool:
        """Whether ``text`` ends at a command's argument (options and command words are known at once)."""
        try:
            words = split_line(text)
        except MojodexError:
            return False
        if words and not text.endswith((" ", "\t")) and words.pop().startswith("-"):
            return False
        return bool(words) and self.ctx.commands.resolve(words) is not None

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        try:
            words = split_line(text)
        except MojodexError:
            return
        current = "" if not words or text.endswith((" ", "\t")) else words.pop()
        reg = self.ctx.commands
        choices: dict[str, str] = {} if current.startswith("-") else reg.next_words(tuple(words))
        if not words:
            choices.update({w: "leave the shell" for w in LEAVE_WORDS})
        found = reg.resolve(words) if words else None
        if found is not None:
            choices.update(self._arguments(*found, current))
        for word in sorted(choices, key=natural_key):
            if word.startswith(current):
                yield Completion(word, start_position=-len(current), display_meta=one_line(choices[word], 60))

    def _arguments(self, cmd: Command, args: list[str], current: str) -> dict[str, str]:
        parser = None
        if cmd.parser is not None:
            try:
                parser = cmd.built_parser()
            except Exception as exc:  # a plugin's parser must never break typing
                self.ctx.log_exception(exc, f"parser of {cmd.name}")
        if current.startswith("-"):
            return _options(cmd, parser, args, current) if parser is not None else {}
        count, waiting = _positionals(args, parser)
        choices: dict[str, str] = {}
        if count == 0 and not waiting:
            choices.update(self.values.for_command(cmd.name))
        if cmd.complete is not None and not waiting:
            try:
                for value, meta in cmd.complete(self.ctx, args):
                    choices.setdefault(str(value), str(meta))
            except Exception as exc:  # a plugin's completer must never break typing
                self.ctx.log_exception(exc, f"completer of {cmd.name}")
        return choices
