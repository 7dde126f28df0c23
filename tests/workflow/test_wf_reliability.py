"""Hostile answers, closed pipes, killed writes, honest exit codes and plain HTTP, through the real `mojodex`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from workflow_helpers import set_faults, write_config

FAST = '[workflow]\nend_grace_seconds = 0.5\n[plugins]\ndisabled = ["local"]\n'


def mojodex_executable() -> str:
    found = shutil.which("mojodex", path=str(Path(sys.executable).parent))
    assert found is not None
    return found


def shell_env(home: Path, server_url: str | None = None, term: str | None = None,
              extra: dict[str, str] | None = None) -> dict[str, str]:
    """As tests/conftest.py's: the test's home and server, nothing of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOJODEX_") and k != "TERM"}
    env.update({"MOJODEX_HOME": str(home), "HOME": str(home.parent), "NO_COLOR": "1"})
    if server_url is not None:
        env["MOJODEX_SERVER_URL"] = server_url
    env.update(extra or {})
    return env


def closed_pipe_run(home: Path, *args: str, server_url: str | None = None,
                    env: dict[str, str] | None = None) -> tuple[int, str]:
    """``mojodex ARGS | head -0``: stdout is a pipe whose reading end is closed before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([mojodex_executable(), *args], env=shell_env(home, server_url, None, env),
                              stdin=subprocess.DEVNULL, stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=30, cwd=str(home.parent))
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


# -- closed pipes --------------------------------------------------------------------------------------------

def test_help_into_a_closed_pipe_exits_141_with_nothing_on_stderr(mojodex_home):
    status, err = closed_pipe_run(mojodex_home, "help")
    assert status == 141
    assert err == ""


def test_workflow_list_into_a_closed_pipe_exits_141_quietly(start_server_thread, mojodex_home):
    srv = start_server_thread()
    write_config(mojodex_home, FAST)
    for args in (("workflow", "list"), ("workflow", "list", "--json")):
        status, err = closed_pipe_run(mojodex_home, *args, server_url=srv.url,
                                      env={"MOJODEX_TOKEN": srv.token_for()})
        assert (status, err) == (141, ""), (args, err)


def test_help_piped_into_head_prints_its_first_line_only(mojodex_home):
    cmd = f"'{mojodex_executable()}' help | head -1; echo \"status=${{PIPESTATUS[0]}}\""
    proc = subprocess.run(["bash", "-c", cmd], env=shell_env(mojodex_home), capture_output=True, text=True,
                          timeout=30)
    lines = proc.stdout.splitlines()
    assert lines[0] == "Commands:"
    assert lines[-1] in ("status=0", "status=141")  # 0 when help fitted in the pipe before head left
    assert proc.stderr == ""


# -- hostile answers -----------------------------------------------------------------------------------------

def test_an_answer_nested_100000_deep_is_one_line_for_list_and_run(start_server_thread, one_shot):
    srv = start_server_thread()
    srv.call(lambda: srv.server.faults.deep_next("/user_workflow", depth=100_000, times=10))
    listed = one_shot(srv, "workflow", "list")
    assert listed.returncode == 1
    assert "RecursionError" not in listed.stderr
    assert "server workflows:" in listed.stderr and "deep" in listed.stderr, listed.stderr
    assert len(listed.stderr.strip().splitlines()) == 1, listed.stderr

    srv.call(lambda: srv.server.faults.clear())
    srv.call(lambda: srv.server.faults.deep_next("/user_workflow_execution", depth=5_000, times=10))
    run = one_shot(srv, "workflow", "run", "1", "--input", "poem_topic=x", "--input", "n_stanzas=1", "--yes")
    assert run.returncode == 1
    assert "RecursionError" not in run.stderr and "failed:" not in run.stderr, run.stderr
    assert "deep" in run.stderr, run.stderr


def _hostile_generator() -> Any:
    async def generate(step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"stanza_topic": "lone \udcff surrogate \x1b]0;pwned\x07 and \x1b[31mred\x1b[0m"}]

    return generate


def test_surrogates_and_binary_attachments_are_shown_and_kept_as_valid_utf8(start_server_thread, one_shot,
                                                                            mojodex_home):
    srv = start_server_thread(generator=_hostile_generator())
    set_faults(srv, binary_results=True)
    proc = one_shot(srv, "workflow", "run", "1", "--input", "poem_topic=x", "--input", "n_stanzas=1")
    # No terminal to answer the question: one line naming --yes, the run left waiting and kept on disk.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Step stanza_divider ended" in proc.stdout
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "surrogate" in proc.stdout
    raw = (mojodex_home / "waiting-runs.json").read_bytes()
    text = raw.decode("utf-8")  # strict: valid UTF-8 whatever the server sent
    kept = json.loads(text)
    assert kept, text
    assert "surrogate" in text


# -- killed writes -------------------------------------------------------------------------------------------

def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if p.name.endswith(".tmp"))


def test_a_write_killed_as_its_temp_file_appears_leaves_at_most_one_leftover(mojodex_home, run_mojodex):
    import tomllib

    write_config(mojodex_home, "[workflow]\nstep_timeout_seconds = 100.0\n")
    env = shell_env(mojodex_home)
    killed = 0
    for i in range(20):
        child = subprocess.Popen([mojodex_executable(), "config", "set", "workflow.step_timeout_seconds",
                                  f"{200 + i}.0"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, cwd=str(mojodex_home.parent))
        temp = mojodex_home / ".config.toml.tmp"
        deadline = time.monotonic() + 20
        while child.poll() is None and time.monotonic() < deadline:
            if temp.exists():  # the moment the temp file appears: kill the writer there
                child.send_signal(signal.SIGKILL)
                killed += 1
                break
        child.wait(20)
        assert len(_leftovers(mojodex_home)) <= 1, _leftovers(mojodex_home)
        # The target is always whole: the old value or the new one, never empty or torn.
        data = tomllib.loads((mojodex_home / "config.toml").read_text(encoding="utf-8"))
        assert data["workflow"]["step_timeout_seconds"] >= 100.0
    # The next write cleans what a killed one left.
    assert run_mojodex("config", "set", "workflow.step_timeout_seconds", "99.0").returncode == 0
    assert _leftovers(mojodex_home) == []
    assert killed >= 1  # the kill landed while the temp file existed (every time, on the machines tried)


# -- exit codes ----------------------------------------------------------------------------------------------

def test_list_without_login_on_a_configured_server_exits_1_after_the_local_workflows(run_mojodex, server_thread):
    proc = run_mojodex("workflow", "list", server_url=server_thread.url)
    assert proc.returncode == 1
    assert "Write poem (local)" in proc.stdout or "local" in proc.stdout
    assert proc.stderr.startswith("error: server workflows:"), proc.stderr


def test_list_by_someone_who_never_set_a_server_up_is_not_an_error(run_mojodex):
    proc = run_mojodex("workflow", "list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()  # the local workflows
    assert "error" not in proc.stderr


# -- plain HTTP to another host ------------------------------------------------------------------------------
# 0.0.0.0 is not a loopback address by name, yet connecting to it reaches this machine: nothing leaves it.

def test_one_shot_refuses_to_send_a_token_over_plain_http_to_another_host(start_server_thread, one_shot,
                                                                          run_mojodex):
    srv = start_server_thread()
    other = srv.url.replace("127.0.0.1", "0.0.0.0")
    before = len(srv.requests)
    proc = run_mojodex("workflow", "list", server_url=other, env={"MOJODEX_TOKEN": srv.token_for()})
    assert proc.returncode == 1
    assert "plain HTTP" in proc.stderr and "allow_insecure" in proc.stderr, proc.stderr
    assert len(srv.requests) == before  # nothing was sent


def test_login_over_plain_http_asks_first_and_no_sends_nothing(start_server_thread, spawn_mojodex, mojodex_home):
    srv = start_server_thread()
    other = srv.url.replace("127.0.0.1", "0.0.0.0")
    term = spawn_mojodex("login", server_url=other)
    term.expect("plain HTTP")
    term.expect("Send it anyway? (y/N)")
    term.line("")
    term.expect("nothing was sent")
    assert term.wait_exit() == 1
    assert not [r for r in srv.requests if r.path == "/user"]


def test_allow_insecure_lets_the_login_through(start_server_thread, spawn_mojodex, mojodex_home):
    srv = start_server_thread()
    other = srv.url.replace("127.0.0.1", "0.0.0.0")
    write_config(mojodex_home, "[server]\nallow_insecure = true\n")
    term = spawn_mojodex("login", server_url=other)
    term.expect("Username: ")
    term.line("demo@example.com")
    term.expect("Password: ")
    term.line("demo")
    term.expect("Welcome, Demo User.")
    assert term.wait_exit() == 0
    assert "plain HTTP" not in term.text


# -- suggestions and the toolbar -----------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "expected"), [("resume", "workflow resume"), ("wokflow list", "workflow list")])
def test_a_close_mistake_gets_the_close_suggestion(run_mojodex, typed, expected):
    proc = run_mojodex(*typed.split())
    assert proc.returncode == 2  # an unknown command is a wrong command line
    assert f"'{expected}'" in proc.stderr and "Did you mean" in proc.stderr, proc.stderr
    assert "plugins" not in proc.stderr


def test_a_far_fetched_line_gets_no_suggestion(run_mojodex):
    proc = run_mojodex("$<@]")
    assert proc.returncode == 2
    assert "Did you mean" not in proc.stderr
    assert "show-definition" not in proc.stderr


def test_with_a_token_from_the_environment_the_toolbar_says_so(start_server_thread, spawn_mojodex, mojodex_home):
    srv = start_server_thread()
    write_config(mojodex_home, FAST)
    term = spawn_mojodex(server_url=srv.url, env={"MOJODEX_TOKEN": srv.token_for()})
    term.expect("mojodex> ", timeout=10)
    term.expect(f"token from MOJODEX_TOKEN | {srv.url}")
