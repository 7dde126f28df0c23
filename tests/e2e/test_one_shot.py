"""`mojodex <command>`: one command, then exit 0, 1 or 2 (a usage error); with no terminal nothing is ever asked.

The script itself (``run_mojodex``: --version, help, a config file it cannot read) is started as a process; the
commands' exit statuses come from the script's ``main`` run in this process (``mojodex_main``), as the script
returns them."""

from __future__ import annotations

import os
import re

import mojodex_core

MALFORMED = b'[server]\nurl = "http://localhost:5001"\nplatform = = "webapp"\n'


def test_version(run_mojodex):
    proc = run_mojodex("--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"mojodex {mojodex_core.__version__}\n", "")


def test_help_prints_the_commands_and_exits_0(run_mojodex):
    proc = run_mojodex("help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Commands:\n")
    assert re.search(r"^  whoami +Show who is logged in", proc.stdout, re.M)
    assert proc.stderr == ""


def test_whoami_without_login_or_terminal_exits_1_saying_how_to_log_in(mojodex_main, unreachable_url):
    proc = mojodex_main("whoami", server_url=unreachable_url)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "`mojodex login`" in out and "MOJODEX_TOKEN" in out
    assert "Username:" not in out


def test_login_without_a_terminal_asks_nothing_and_exits_1(mojodex_main, unreachable_url):
    proc = mojodex_main("login", server_url=unreachable_url)
    assert proc.returncode == 1
    assert "Username:" not in proc.stdout + proc.stderr
    assert "`mojodex login`" in proc.stderr and "MOJODEX_TOKEN" in proc.stderr


def test_unknown_command_exits_2_with_a_suggestion(mojodex_main):
    proc = mojodex_main("whomai")
    assert proc.returncode == 2
    assert proc.stderr == "error: unknown command 'whomai'. Did you mean 'whoami'? Type `help` to list the commands.\n"


def test_malformed_config_names_file_line_and_column_and_is_left_untouched(run_mojodex, spawn_mojodex,
                                                                          mojodex_home):
    os.chmod(mojodex_home, 0o755)
    config = mojodex_home / "config.toml"
    config.write_bytes(MALFORMED)
    before = config.stat()

    proc = run_mojodex("help")
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert re.fullmatch(rf"error: {re.escape(str(config))}:3:12: .+\n", proc.stderr), proc.stderr

    term = spawn_mojodex()
    term.expect(f"{config}:3:12:")
    assert term.wait_exit() != 0
    assert term.PROMPT not in term.text
    assert config.read_bytes() == MALFORMED
    assert config.stat().st_mtime_ns == before.st_mtime_ns


def test_a_value_of_the_wrong_type_names_the_key(mojodex_main, mojodex_home):
    (mojodex_home / "config.toml").write_text('[server]\ntimeout = "soon"\n')
    proc = mojodex_main("help")
    assert proc.returncode == 1
    assert "server.timeout: expected a number" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_config_set_then_get(mojodex_main, mojodex_home):
    assert mojodex_main("config", "set", "server.timeout", "12").returncode == 0
    proc = mojodex_main("config", "get", "server.timeout")
    assert (proc.returncode, proc.stdout) == (0, "12.0\n")
    assert "timeout = 12.0" in (mojodex_home / "config.toml").read_text()
