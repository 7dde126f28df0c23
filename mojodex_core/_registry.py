"""The command registry: names of one or more words, their handlers, help, aliases and completers."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mojodex_core._errors import UsageError

Handler = Callable[..., Any]
Completer = Callable[..., Iterable[tuple[str, str]]]


@dataclass
class Command:
    """A registered command. ``name`` is its words joined by one space."""

    name: str
    handler: Handler
    help: str = ""
    usage: str = ""
    aliases: tuple[str, ...] = ()
    complete: Completer | None = None
    plugin: str = ""
    parser: Callable[[], Any] | None = None  # builds the command's ArgumentParser: its options for help, completion
    words: tuple[str, ...] = field(init=False)
    _built: Any = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.words = tuple(self.name.split())
        if not self.usage and self.parser is None:  # with a parser, help reads it (built when help is asked)
            self.usage = self.name

    def help_text(self) -> str:
        """What ``help NAME`` and ``NAME --help`` print: the usage, what the command does, and, from its parser,
        each argument and option with its help."""
        if self.parser is None:
            return f"usage: {self.usage}\n{self.help}".rstrip()
        parser = self.built_parser()
        parser.description = parser.description or self.help
        return str(parser.format_help()).rstrip()

    def options(self) -> list[tuple[list[str], str]]:
        """The command's options (``["-V", "--version"]``, their help), read from its parser; ``[]`` without one."""
        if self.parser is None:
            return []
        return [(list(a.option_strings), a.help or "") for a in self.built_parser()._actions if a.option_strings]

    def built_parser(self) -> Any:
        """The command's ``ArgumentParser``, built once (help and Tab read it; the handler parses with its own),
        or None without one."""
        if self._built is None and self.parser is not None:
            self._built = self.parser()
        return self._built


def split_line(line: str) -> list[str]:
    """Split a command line shell-style. Unbalanced quotes raise UsageError."""
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot read that line: {exc}") from exc


class CommandRegistry:
    """Holds every command by its words; the first plugin to register a name keeps it."""

    def __init__(self) -> None:
        self.commands: dict[tuple[str, ...], Command] = {}
        self.aliases: dict[tuple[str, ...], Command] = {}
        self.conflicts: list[str] = []

    def register(self, command: Command) -> bool:
        """Add ``command``; if its name or an alias is taken, keep the first and note the conflict."""
        if not command.words or not all(w.isprintable() and w.strip() for w in command.words):
            raise ValueError(f"bad command name {command.name!r}")
        taken = self.commands.get(command.words) or self.aliases.get(command.words)
        if taken is not None:
            self.conflicts.append(
                f"command '{command.name}' of plugin {command.plugin} is ignored: plugin {taken.plugin} "
                "registered it first (built-in plugins load first, then the others by name)"
            )
            return False
        self.commands[command.words] = command
        for alias in command.aliases:
            words = tuple(alias.split())
            if words in self.commands or words in self.aliases:
                self.conflicts.append(f"alias '{alias}' of plugin {command.plugin} is ignored: already taken")
            else:
                self.aliases[words] = command
        return True

    def unregister_plugin(self, plugin: str) -> None:
        self.commands = {k: c for k, c in self.commands.items() if c.plugin != plugin}
        self.aliases = {k: c for k, c in self.aliases.items() if c.plugin != plugin}

    def __iter__(self) -> Any:
        return iter(sorted(self.commands.values(), key=lambda c: c.name))

    def get(self, name: str) -> Command | None:
        words = tuple(name.split())
        return self.commands.get(words) or self.aliases.get(words)

    def resolve(self, words: list[str]) -> tuple[Command, list[str]] | None:
        """Return the command whose name is the longest prefix of ``words``, and the remaining arguments."""
        for n in range(len(words), 0, -1):
            key = tuple(words[:n])
            cmd = self.commands.get(key) or self.aliases.get(key)
            if cmd is not None:
                return cmd, words[n:]
        return None

    def children(self, prefix: tuple[str, ...]) -> list[Command]:
        """Commands whose name starts with ``prefix`` (for ``workflow`` alone: its subcommands)."""
        return [c for c in self if c.words[: len(prefix)] == prefix and len(c.words) > len(prefix)]

    def suggest(self, words: list[str]) -> list[str]:
        """The registered names close to what was typed (none, one, or a few): a subcommand typed without its
        group (``resume`` -> ``workflow resume``, ``task resume``), or a name a typo away; nothing far-fetched."""
        import difflib

        if not words:
            return []
        names = [c.name for c in self] + [" ".join(k) for k in self.aliases]
        first = words[0].lower()
        under_a_group = sorted({n for n in names if len(n.split()) == 2 and n.split()[1] == first})
        if 0 < len(under_a_group) <= 3:
            return under_a_group
        for n in (min(len(words), 3), 2, 1):
            typed = " ".join(words[:n]).lower()
            candidates = {" ".join(m.split()[:n]) for m in names if len(m.split()) >= n}
            close = difflib.get_close_matches(typed, sorted(candidates), n=1, cutoff=0.75)
            if close:
                return close
        return []

    def did_you_mean(self, words: list[str]) -> str:
        """`` Did you mean 'workflow resume' or 'task resume'?`` (with its leading space), or ``""``."""
        close = self.suggest(words)
        return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""

    def next_words(self, prefix: tuple[str, ...]) -> dict[str, str]:
        """Completion: the words that may follow ``prefix``, each with a short description."""
        out: dict[str, str] = {}
        for key, cmd in list(self.commands.items()) + list(self.aliases.items()):
            if len(key) > len(prefix) and key[: len(prefix)] == prefix:
                word = key[len(prefix)]
                out.setdefault(word, cmd.help if len(key) == len(prefix) + 1 else "")
        return out
