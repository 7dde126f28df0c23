"""What the user guide promises about the command line: a usage error of any command exits 2 with one line, the
shell's own options come before the command's words only, and a dict or list a command prints is JSON."""

from __future__ import annotations

import json

import pytest

from mojodex_core import ArgumentParser, hookimpl
from mojodex_core._shell import Shell

URL = "http://127.0.0.1:9"  # never contacted
DEFAULT_URL = "http://localhost:5001"
DEMO_EMAIL = "demo@example.com"
GENERAL_ASSISTANCE = 12  # the 0.4 reference server's instruct task, with first_pk=11

# A top-level option that takes a value (through mojodex_cli_options) and a command with its own --server.
WHERE = '''
from mojodex_core import ArgumentParser, hookimpl


@hookimpl
def mojodex_cli_options(parser):
    parser.add_argument("--flavour", metavar="NAME", help="a top-level option that takes a value")


def where(ctx, args):
    parser = ArgumentParser("where")
    parser.add_argument("--server", metavar="URL")
    ns = parser.parse(ctx, args)
    ctx.print({"flavour": ctx.options.flavour, "server": ns.server, "configured": ctx.server_url})


@hookimpl
def mojodex_register_commands(register):
    register("where", where, help="Say which server the command and the shell were given", usage="where [--server URL]")
'''


class Counter:
    """A command written as docs/plugins.md shows: ``parser.parse_args(args)``, a dict printed for ``--json``."""

    @hookimpl
    def mojodex_register_commands(self, register):
        register("count", self.count, help="Count", usage="count N [--json]")

    def count(self, ctx, args):
        parser = ArgumentParser("count")
        parser.add_argument("n", type=int)
        parser.add_argument("--json", action="store_true")
        options = parser.parse_args(args)
        ctx.print({"count": options.n, "word": "café"} if options.json else f"{options.n} words")


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


# -- exit status 2 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "says"), [
    (["workflow", "list", "--bogus"], "unrecognized arguments: --bogus"),
    (["workflow", "run"], "the following arguments are required: WORKFLOW"),
    (["config", "get"], "usage: config get KEY"),
    (["nosuch"], "unknown command 'nosuch'"),
    (["workflow"], "'workflow' needs a subcommand"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_a_usage_error_of_any_command_exits_2_with_one_error_line(mojodex_main, unreachable_url, words, says):
    # The script's main in this process: the parsing is the point (the script as a process exits 2 below).
    proc = mojodex_main(*words, server_url=unreachable_url)
    assert proc.returncode == 2, proc.stderr
    assert says in _one_error_line(proc.stderr)
    assert proc.stdout == ""


def test_help_of_a_command_still_exits_0_even_with_its_arguments_missing(run_mojodex, unreachable_url):
    first = run_mojodex("workflow", "list", "--help", server_url=unreachable_url)
    # --yes first: the parser reads --help before it finds REF missing, as argparse's own help does.
    parsed = run_mojodex("workflow", "run", "--yes", "--help", server_url=unreachable_url)
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout.startswith("usage: workflow list")
    assert (parsed.returncode, parsed.stderr) == (0, "")
    assert parsed.stdout.startswith("usage: workflow run") and "--input" in parsed.stdout


def test_a_well_formed_line_naming_nothing_is_a_failure_not_a_usage_error(run_mojodex):
    proc = run_mojodex("plugins", "disable", "nosuch")
    assert proc.returncode == 1
    assert _one_error_line(proc.stderr) == "error: no plugin 'nosuch' (see `plugins`)"


async def test_in_the_shell_only_the_status_of_a_usage_error_changes(make_shell, logged_in, monkeypatch):
    statuses: list[int] = []
    run_line = Shell.run_line

    async def recorded(self, line):
        statuses.append(await run_line(self, line))
        return statuses[-1]

    monkeypatch.setattr(Shell, "run_line", recorded)
    logged_in(URL)
    shell = make_shell(server_url=URL, plugins=["help", "config", "auth"])
    shell.add_plugin("counter", Counter())

    out = await shell.run("config get\rnosuch\rcount x\rcount 3 --help\rcount 3 --json\rcount 3\rexit\r")

    assert statuses == [2, 2, 2, 0, 0, 0]
    assert shell.status == 0  # leaving the shell with `exit` is still 0
    assert "\nerror: usage: config get KEY\n" in out
    assert "\nerror: unknown command 'nosuch'." in out
    assert "\nerror: argument n: invalid int value: 'x' (usage: count [-h] [--json] n)\n" in out
    assert "\nusage: count [-h] [--json] n\n" in out  # --help through parse_args: the parser's help, nothing more
    assert '\n{"count": 3, "word": "café"}\n' in out
    assert "\n3 words\n" in out
    assert "Traceback" not in out


# -- ctx.print ------------------------------------------------------------------------------------------------


def test_a_dict_or_a_list_prints_as_json_and_text_stays_sanitized(make_shell, capsys):
    ctx = make_shell(server_url=URL, plugins=[]).ctx
    ctx.print({"words": 3, "title": "Zoë \x1b[31mred\x1b[0m"})
    ctx.print(["a", 1, None], {"ok": True})
    ctx.print("plain \x1b]0;evil title\x07text", {"n": 1})
    ctx.print({"when": pytest})  # JSON has no type for a module: its str, never a crash

    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0]) == {"words": 3, "title": "Zoë \x1b[31mred\x1b[0m"}  # escaped by JSON, not raw
    assert "\x1b" not in lines[0] and "Zoë" in lines[0]
    assert lines[1] == '["a", 1, null] {"ok": true}'
    assert lines[2] == 'plain text {"n": 1}'
    assert json.loads(lines[3]) == {"when": str(pytest)}


# -- the shell's options come before the command's words --------------------------------------------------------


def test_an_option_after_the_command_word_is_the_commands(run_mojodex, plugin_site):
    plugin_site.add("where", WHERE)
    own = run_mojodex("where", "--server", "http://command.example", env=plugin_site.env())
    both = run_mojodex("--flavour", "mint", "--server", "http://shell.example", "where", "--server",
                       "http://command.example", env=plugin_site.env())

    assert (own.returncode, own.stderr) == (0, "")
    assert json.loads(own.stdout) == {"flavour": None, "server": "http://command.example",
                                      "configured": DEFAULT_URL}
    # --flavour's value is not the command word, and --server before the command is still the shell's.
    assert (both.returncode, both.stderr) == (0, "")
    assert json.loads(both.stdout) == {"flavour": "mint", "server": "http://command.example",
                                       "configured": "http://shell.example"}


def test_a_command_without_that_option_rejects_it_with_status_2(run_mojodex, unreachable_url):
    proc = run_mojodex("workflow", "list", "--server", unreachable_url)
    assert proc.returncode == 2
    assert "unrecognized arguments: --server" in _one_error_line(proc.stderr)
    assert proc.stdout == ""


def _finished_instruct_run(srv) -> int:
    """A General Assistance run with two versions of its text, straight into the server's store."""

    def add() -> int:
        store = srv.server.store
        user = store.user_by_email(DEMO_EMAIL)
        pk = store.tasks.add_execution(GENERAL_ASSISTANCE, user.user_pk,
                                       [{"input_name": "request", "type": "text_area", "value": "a note"}])
        store.tasks.set_started(pk)
        store.tasks.set_title(pk, "A note")
        store.tasks.add_produced_text_version(pk, user.user_pk, "A note", "First draft.")
        store.tasks.add_produced_text_version(pk, user.user_pk, "A note", "Second draft.")
        return int(pk)

    return int(srv.call(add))


def test_task_text_gets_its_own_version_option_from_the_os_shell(start_server_thread, run_mojodex):
    srv = start_server_thread(api="mojodex-0.4", first_pk=11)
    pk = _finished_instruct_run(srv)
    token = {"MOJODEX_TOKEN": srv.token_for()}

    first = run_mojodex("--server", srv.url, "task", "text", str(pk), "--version", "1", env=token)
    second = run_mojodex("task", "text", str(pk), "--version", "2", server_url=srv.url, env=token)
    zero = run_mojodex("task", "text", str(pk), "--version", "0", server_url=srv.url, env=token)

    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert "First draft." in first.stdout and "Second draft." not in first.stdout
    assert (second.returncode, second.stderr) == (0, ""), second.stderr
    assert "Second draft." in second.stdout and "First draft." not in second.stdout
    assert zero.returncode == 2
    assert _one_error_line(zero.stderr) == "error: --version counts from 1"
