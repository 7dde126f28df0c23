"""stdout holds a command's output and nothing else; what the shell says about itself (the demo's banner, the
automatic login's greeting, hints) goes to stderr, so that `mojodex --demo ... --json | jq` and `| head` work."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mojodex_executable, shell_env

BANNER = ("Demo: a reference Mojodex server", "Logging in as demo@example.com.", "Welcome, Demo User.")


@pytest.mark.parametrize(("api", "command"), [
    ("mojodex-0.4", "task"),  # the 0.4 demo's tasks, instruct ones included
    ("spec", "workflow"),  # the banner is the shell's, whatever the dialect: two of them are enough
])
def test_demo_json_output_is_alone_on_stdout(run_mojodex: Any, api: str, command: str) -> None:
    proc = run_mojodex("--demo", "--demo-api", api, command, "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["name"] == "Write poem"
    assert all(any(line.startswith(b) for line in proc.stderr.splitlines()) for b in BANNER), proc.stderr


@pytest.mark.parametrize("command", ["task"])
def test_demo_piped_into_head_shows_the_first_line_and_no_warning(mojodex_home: Path, command: str) -> None:
    proc = subprocess.Popen([mojodex_executable(), "--demo", command, "list"], env=shell_env(mojodex_home, term=None),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(mojodex_home.parent))
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1` leaves
    err = proc.stderr.read()
    status = proc.wait(timeout=30)
    assert first.startswith(("1. 🌸 Write poem", "1  🌸 Write poem")), first  # workflow list, task list
    assert status in (0, 141), err  # 0 when the whole list was in the pipe before the reader left
    assert BANNER[0] in err and "failed" not in err and "BrokenPipe" not in err, err


def test_demo_login_after_logout_says_the_demo_account(spawn_mojodex: Any, mojodex_home: Path) -> None:
    term = spawn_mojodex("--demo")
    term.expect("Welcome, Demo User.", timeout=15)
    term.expect_prompt()
    term.line("logout")
    term.expect("Logged out of")
    term.expect_prompt()
    term.line("login")
    term.expect("Demo: log in as demo@example.com, password demo.")
    term.expect("Username:")
    term.line("demo@example.com")
    term.expect("Password:")
    term.line("demo")
    term.expect("Welcome, Demo User.")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0
