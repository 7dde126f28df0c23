"""The interactive prompt: help, errors, leaving, Ctrl-C. What the terminal does (the first prompt's escape
sequences, Ctrl-C at the prompt and while a command runs, a dumb terminal) runs the real `mojodex` script in a
pseudo-terminal; the commands' answers run the same shell in this process."""

from __future__ import annotations

import time

import pytest
from inprocess import InProcessTerminal

from .plugins import WAIT


@pytest.fixture
def shell(make_shell, logged_in, unreachable_url, monkeypatch):
    """A shell at its prompt in this process, with a saved login (the server is never needed to show the prompt)."""
    logged_in(unreachable_url)
    monkeypatch.setenv("NO_COLOR", "1")  # as the script's environment in spawn_mojodex
    monkeypatch.setenv("PAGER", "cat")
    term = InProcessTerminal(make_shell(server_url=unreachable_url))
    term.url = unreachable_url
    try:
        term.expect_prompt()
        yield term
    finally:
        term.kill()
    assert "Traceback" not in term.text, term.text


def test_prompt_appears_promptly_with_no_cursor_position_request_and_ctrl_c_clears_the_line(
        spawn_mojodex, logged_in, unreachable_url):
    logged_in(unreachable_url)
    started = time.monotonic()
    term = spawn_mojodex(server_url=unreachable_url)
    term.expect_prompt(timeout=5)
    assert time.monotonic() - started < 5
    term.type("whoami")
    term.expect("whoami")
    term.ctrl("c")
    term.expect_prompt()
    term.line("help config path")
    term.expect("usage: config path")  # the shell goes on
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit(timeout=5) == 0
    assert "\x1b[6n" not in term.raw  # never asked the terminal where the cursor is
    assert "CPR" not in term.text and "cursor position" not in term.text
    assert "Username:" not in term.text
    assert "Demo User <" not in term.text  # the cleared line never ran


def test_toolbar_shows_user_and_server(shell):
    shell.expect(f"Demo User | {shell.url}")


def test_help_lists_every_command_sorted_one_line_each(shell):
    shell.line("help")
    shell.expect("Commands:")
    listing = shell.expect("Type `help <command>` for its usage")
    rows = [line for line in shell.text[: listing.start()].split("Commands:")[-1].splitlines() if line.strip()]
    names = [row.strip().split("  ")[0] for row in rows]
    assert names == sorted(names)
    for expected in ("config get", "config set", "config show", "help", "login", "logout", "whoami"):
        assert expected in names
    assert all(len(row.strip().split("  ", 1)) == 2 for row in rows)  # a name, then its one-line help
    shell.expect_prompt()


def test_help_for_one_command_gives_its_usage(shell):
    shell.line("help config set")
    shell.expect("usage: config set KEY VALUE")
    shell.expect_prompt()


def test_unknown_command_names_the_closest_and_points_to_help(shell):
    shell.line("hepl")
    shell.expect("error: unknown command 'hepl'. Did you mean 'help'? Type `help` to list the commands.")
    shell.expect_prompt()
    shell.line("whoami")
    shell.expect(f"Demo User <demo@example.com> on {shell.url}")


@pytest.mark.parametrize("leave", ["exit", "quit", "ctrl-d"])
def test_exit_quit_and_ctrl_d_leave_with_status_0(shell, leave):
    if leave == "ctrl-d":
        shell.ctrl("d")
    else:
        shell.line(leave)
    assert shell.wait_exit() == 0


def test_ctrl_c_cancels_the_running_command_not_the_shell(spawn_mojodex, logged_in, unreachable_url, plugin_site):
    plugin_site.add("wait", WAIT)
    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url, env=plugin_site.env())
    term.expect_prompt()
    term.line("wait")
    term.expect("waiting for Ctrl-C")
    term.ctrl("c")
    term.expect("cancelled")
    term.expect_prompt()
    term.line("whoami")
    term.expect("Demo User <demo@example.com>")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0


def test_on_a_dumb_terminal_a_command_s_output_comes_before_the_next_prompt(spawn_mojodex, logged_in,
                                                                             unreachable_url):
    logged_in(unreachable_url)
    term = spawn_mojodex(server_url=unreachable_url, term="dumb")
    term.expect("mojodex> ")
    term.line("help")
    term.expect("leave the shell.\nmojodex> ")
    term.line("exit")
    assert term.wait_exit() == 0
