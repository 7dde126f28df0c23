"""Command names of several words, aliases, the longest prefix, quoting, and suggestions for a typo."""

from __future__ import annotations

import pytest

from mojodex_core._errors import UsageError
from mojodex_core._registry import Command, CommandRegistry, split_line


def noop(ctx, args):
    return None


@pytest.fixture
def registry() -> CommandRegistry:
    reg = CommandRegistry()
    for name, aliases in [("help", ()), ("workflow list", ("wl",)), ("workflow run", ()),
                          ("workflow run local", ()), ("config set", ()), ("whoami", ())]:
        reg.register(Command(name=name, handler=noop, help=f"about {name}", aliases=aliases, plugin="p"))
    return reg


def test_split_line_is_shell_style():
    assert split_line('workflow run 1 --input "poem_topic=Spring rain"') == [
        "workflow", "run", "1", "--input", "poem_topic=Spring rain"]
    assert split_line("  ") == []
    assert split_line("config set shell.prompt 'mj> '") == ["config", "set", "shell.prompt", "mj> "]


@pytest.mark.parametrize("line", ['workflow run "unclosed', "config set x 'y", 'say "a\\"'])
def test_unbalanced_quotes_are_a_usage_error(line):
    with pytest.raises(UsageError, match="cannot read that line"):
        split_line(line)


def test_multi_word_names_resolve_with_the_rest_as_arguments(registry):
    cmd, args = registry.resolve(["workflow", "list", "--json"])
    assert (cmd.name, args) == ("workflow list", ["--json"])


def test_the_longest_registered_prefix_wins(registry):
    cmd, args = registry.resolve(["workflow", "run", "local", "poem"])
    assert (cmd.name, args) == ("workflow run local", ["poem"])
    cmd, args = registry.resolve(["workflow", "run", "3"])
    assert (cmd.name, args) == ("workflow run", ["3"])


def test_an_alias_resolves_to_its_command(registry):
    cmd, args = registry.resolve(["wl", "x"])
    assert (cmd.name, args) == ("workflow list", ["x"])
    assert registry.get("wl").name == "workflow list"


def test_a_group_word_alone_or_an_unknown_name_resolves_to_nothing(registry):
    assert registry.resolve(["workflow"]) is None
    assert registry.resolve(["nope"]) is None


def test_the_first_plugin_to_register_a_name_keeps_it(registry):
    taken = Command(name="help", handler=noop, plugin="late")
    assert registry.register(taken) is False
    assert registry.get("help").plugin == "p"
    assert registry.conflicts == ["command 'help' of plugin late is ignored: plugin p registered it first "
                                  "(built-in plugins load first, then the others by name)"]


def test_a_taken_alias_is_ignored_with_a_note(registry):
    assert registry.register(Command(name="whatever", handler=noop, aliases=("help",), plugin="q")) is True
    assert registry.get("help").name == "help"
    assert registry.conflicts == ["alias 'help' of plugin q is ignored: already taken"]


@pytest.mark.parametrize("name", ["", "   ", "bad\x1bname"])
def test_bad_names_are_refused(registry, name):
    with pytest.raises(ValueError, match="bad command name"):
        registry.register(Command(name=name, handler=noop))


def test_listing_is_sorted_by_name(registry):
    assert [c.name for c in registry] == ["config set", "help", "whoami", "workflow list", "workflow run",
                                          "workflow run local"]


@pytest.mark.parametrize(
    ("typed", "closest"),
    [(["hepl"], "help"), (["whoam"], "whoami"), (["workflow", "lst"], "workflow list"),
     (["worflow", "run"], "workflow run"), (["xyzzy"], None)],
)
def test_suggest_names_the_closest_command(registry, typed, closest):
    assert registry.suggest(typed) == ([closest] if closest else [])


def test_children_and_next_words_follow_the_tree(registry):
    assert [c.name for c in registry.children(("workflow",))] == ["workflow list", "workflow run",
                                                                  "workflow run local"]
    assert set(registry.next_words(())) == {"help", "workflow", "wl", "config", "whoami"}
    assert registry.next_words(("workflow",)) == {"list": "about workflow list", "run": "about workflow run"}
    assert registry.next_words(("workflow", "run")) == {"local": "about workflow run local"}


def test_unregistering_a_plugin_removes_its_commands_and_aliases(registry):
    registry.unregister_plugin("p")
    assert list(registry) == [] and registry.get("wl") is None
