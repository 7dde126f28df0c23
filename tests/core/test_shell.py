"""The prompt loop in this process, typed into through prompt_toolkit's pipe input."""

from __future__ import annotations

import json

from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from mojodex_core import hookimpl
from mojodex_core._credentials import User
from mojodex_core._errors import MojodexError
from mojodex_core._shell import CommandCompleter, Shell

BUILTINS = ["help", "config", "auth"]
URL = "http://127.0.0.1:9"  # never contacted


class Failing:
    """A plugin whose commands fail in the two ways a command can."""

    @hookimpl
    def mojodex_register_commands(self, register):
        def crash(ctx, args):
            raise ZeroDivisionError("division by zero")

        async def refuse(ctx, args):
            raise MojodexError("the server said no")

        register("crash", crash, help="Fail unexpectedly")
        register("refuse", refuse, help="Fail with a clean error")


async def test_help_lists_the_builtin_commands(make_shell, logged_in):
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=BUILTINS)
    out = await shell.run("help\rexit\r")
    assert shell.status == 0
    listing = out.split("Commands:\n", 1)[1].split("Type `help", 1)[0]
    names = [line.split("  ")[1] for line in listing.splitlines()]
    assert names == sorted(names) == ["config get", "config path", "config set", "config show", "config unset",
                                      "help", "login", "logout", "signup", "terms accept", "whoami"]


async def test_first_login_through_the_prompt(make_shell, reference_server, mojodex_home):
    shell = make_shell(server_url=reference_server.url, plugins=BUILTINS)
    out = await shell.run("demo@example.com\rdemo\rwhoami\r\x04")
    assert shell.status == 0
    assert "Welcome, Demo User." in out
    assert f"Demo User <demo@example.com> on {reference_server.url}" in out
    saved = json.loads((mojodex_home / "credentials").read_text())["servers"][reference_server.url]
    assert saved["token"] not in out
    assert [r.path for r in reference_server.requests] == ["/user"]


async def test_three_wrong_passwords_leave_with_status_1(make_shell, reference_server):
    shell = make_shell(server_url=reference_server.url, plugins=BUILTINS)
    out = await shell.run("demo@example.com\rx\r" * 3)
    assert shell.status == 1
    assert out.count("Wrong email or password.") == 3
    assert "mojodex> " not in out


async def test_a_failing_command_is_one_line_and_the_shell_goes_on(make_shell, logged_in):
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=BUILTINS)
    shell.add_plugin("failing", Failing())
    out = await shell.run("crash\rrefuse\rhelp config path\rexit\r")
    assert shell.status == 0
    assert ("error: command 'crash' (plugin failing) failed: ZeroDivisionError: division by zero "
            "(run with --debug for details)\n") in out
    assert "error: the server said no\n" in out
    assert "usage: config path" in out
    assert "Traceback" not in out


async def test_ctrl_c_clears_the_line(make_shell, logged_in):
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=BUILTINS)
    out = await shell.run("whoami\x03help whoami\rexit\r")
    assert "usage: whoami" in out
    assert "Demo User <" not in out and "Not logged in" not in out


async def test_unbalanced_quotes_are_one_line(make_shell, logged_in):
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=BUILTINS)
    out = await shell.run('config set shell.prompt "oops\rexit\r')
    assert "error: cannot read that line: No closing quotation" in out


def _completions(shell, text):
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        completer = CommandCompleter(shell.ctx)
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


def test_completion_follows_the_command_tree(make_shell):
    shell = make_shell(plugins=BUILTINS)
    assert _completions(shell, "con") == ["config"]
    assert _completions(shell, "config s") == ["set", "show"]
    assert _completions(shell, "e") == ["exit"]
    assert _completions(shell, "help con") == ["config"]
    assert "shell.prompt" in _completions(shell, "config get ")


def test_toolbar_shows_user_and_server(make_shell):
    shell = make_shell(plugins=BUILTINS, server_url="http://srv.test:1")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompt = Shell(shell.ctx)
        assert prompt.toolbar() == "not logged in | http://srv.test:1"
        shell.ctx.session.user = User("http://srv.test:1", "t", "Demo User")
        assert prompt.toolbar() == "Demo User | http://srv.test:1"
