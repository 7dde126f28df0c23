"""Logging in against the reference server. What the terminal and the script do (the password's echo, a dumb
terminal, the exit status, the one-shot `login`) runs the real `mojodex` script in a pseudo-terminal; the login's
flow at the prompt runs the same shell in this process (``open_term``)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from inprocess import InProcessTerminal

from .plugins import PROBE

DEMO_EMAIL, DEMO_PASSWORD = "demo@example.com", "demo"


def saved_token(home: Path, url: str) -> str:
    return str(json.loads((home / "credentials").read_text())["servers"][url]["token"])


@pytest.fixture
def open_term(make_shell, in_process_terminal):
    """``open_term(url, env=None)``: the shell for ``url`` in this process (``InProcessTerminal``), as the script
    starts it: asking to log in when no login to ``url`` is saved."""

    def open_(url: str, env: dict[str, str] | None = None) -> InProcessTerminal:
        return in_process_terminal(lambda: make_shell(server_url=url), env)

    return open_


def log_in(term, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    term.expect("Username:")
    term.line(email)
    term.expect("Password:")
    term.line(password)


@pytest.mark.parametrize("term_type", ["xterm", "dumb"])
def test_first_login_greets_by_name_and_keeps_the_token_private(spawn_mojodex, server_thread, mojodex_home,
                                                                 term_type):
    term = spawn_mojodex(server_url=server_thread.url, term=term_type)
    log_in(term, password=DEMO_PASSWORD)
    term.expect("Welcome, Demo User.")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0

    [req] = [r for r in server_thread.requests if r.path == "/user"]
    assert req.method == "POST"
    # Exactly protocol.md's login body.
    assert req.json == {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "login_method": "email_password",
                        "datetime": "now"}
    creds = mojodex_home / "credentials"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert stat.S_IMODE(mojodex_home.stat().st_mode) == 0o700
    entry = json.loads(creds.read_text())["servers"][server_thread.url]
    assert entry["name"] == "Demo User" and entry["email"] == DEMO_EMAIL
    assert entry["token"] and entry["token"] not in term.raw
    # The password was typed, never shown (not even by the terminal's own echo).
    password_lines = [line for line in term.text.splitlines() if "Password:" in line]
    assert password_lines and all(line.replace("Password:", "").strip() == "" for line in password_lines)


def test_wrong_password_says_so_once_and_asks_again(open_term, server_thread):
    term = open_term(server_thread.url)
    log_in(term, password="not-the-password")
    term.expect("Wrong email or password.")
    log_in(term)
    term.expect("Welcome, Demo User.")
    term.expect_prompt()
    assert term.text.count("Wrong email or password.") == 1
    assert "not-the-password" not in term.raw
    term.ctrl("d")
    assert term.wait_exit() == 0
    assert [r.status for r in server_thread.requests if r.path == "/user"] == [400, 200]


def test_three_wrong_passwords_exit_with_status_1(spawn_mojodex, server_thread, mojodex_home):
    term = spawn_mojodex(server_url=server_thread.url)
    for _ in range(3):
        log_in(term, password="nope")
        term.expect("Wrong email or password.")
    term.expect("login failed three times")
    assert term.wait_exit() == 1
    assert term.PROMPT not in term.text
    assert not (mojodex_home / "credentials").exists()


def test_unreachable_server_is_one_line_naming_the_url_and_the_shell_opens(open_term, unreachable_url):
    term = open_term(unreachable_url)
    log_in(term)
    term.expect_prompt()
    errors = [line for line in term.text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, term.text
    assert "cannot reach" in errors[0] and unreachable_url in errors[0] and "`login`" in errors[0]
    term.line("whoami")
    term.expect("Not logged in")
    term.expect_prompt()
    term.line("quit")
    assert term.wait_exit() == 0


def test_saved_credentials_are_reused_only_for_their_server(open_term, start_server_thread, mojodex_home):
    first, second = start_server_thread(), start_server_thread()
    term = open_term(first.url)
    log_in(term)
    term.expect("Welcome, Demo User.")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0

    again = open_term(first.url)
    again.expect_prompt()
    again.line("whoami")
    again.expect(f"Demo User <{DEMO_EMAIL}> on {first.url}")
    again.line("exit")
    assert again.wait_exit() == 0
    assert "Username:" not in again.text

    other = open_term(second.url)
    other.expect("Username:")
    other.kill()
    assert [r.path for r in second.requests] == []


def test_a_refused_token_is_dropped_and_the_user_asked_to_log_in_again(spawn_mojodex, server_thread, plugin_site,
                                                                        mojodex_home):
    plugin_site.add("probe", PROBE)
    # Tab's background loading asks the server nothing here: the requests below are the commands' alone.
    (mojodex_home / "config.toml").write_text("[shell]\nload_completions = false\n", encoding="utf-8")
    term = spawn_mojodex(server_url=server_thread.url, env=plugin_site.env())
    log_in(term)
    term.expect_prompt()
    term.line("probe")
    term.expect("probe: 1 workflow(s)")
    first_token = saved_token(mojodex_home, server_thread.url)

    server_thread.expire_tokens()
    term.line("probe")
    term.expect("please log in again")
    log_in(term)
    term.expect("Welcome, Demo User.")
    term.expect("probe: 1 workflow(s)")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0

    new_token = saved_token(mojodex_home, server_thread.url)
    assert new_token != first_token
    statuses = [(r.path, r.status) for r in server_thread.requests]
    assert statuses == [("/user", 200), ("/user_workflow", 200), ("/user_workflow", 403), ("/user", 200),
                        ("/user_workflow", 200)]
    assert [r.headers.get("authorization") or r.headers.get("Authorization") for r in server_thread.requests
            if r.path == "/user_workflow"] == [first_token, first_token, new_token]
    assert first_token not in term.raw and new_token not in term.raw


def test_one_shot_with_a_refused_saved_token_exits_1_and_forgets_it(run_mojodex, spawn_mojodex, server_thread,
                                                                    plugin_site, mojodex_home):
    plugin_site.add("probe", PROBE)
    term = spawn_mojodex("login", server_url=server_thread.url, env=plugin_site.env())
    log_in(term)
    term.expect("Welcome, Demo User.")
    assert term.wait_exit() == 0
    server_thread.expire_tokens()

    proc = run_mojodex("probe", server_url=server_thread.url, env=plugin_site.env())
    assert proc.returncode == 1
    assert "`mojodex login`" in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert server_thread.url not in json.loads((mojodex_home / "credentials").read_text())["servers"]


def test_mojodex_token_is_used_without_login(open_term, run_mojodex, server_thread, plugin_site, mojodex_home):
    plugin_site.add("probe", PROBE)
    token = server_thread.token_for(DEMO_EMAIL)
    env = {**plugin_site.env(), "MOJODEX_TOKEN": token}

    proc = run_mojodex("probe", server_url=server_thread.url, env=env)
    assert (proc.returncode, proc.stdout) == (0, "probe: 1 workflow(s)\n")
    [req] = server_thread.requests
    assert req.headers.get("authorization", req.headers.get("Authorization")) == token  # raw, no "Bearer "

    term = open_term(server_thread.url, env={"MOJODEX_TOKEN": token})
    term.expect_prompt()
    term.line("whoami")
    term.expect("Using the token from MOJODEX_TOKEN")
    term.expect_prompt()
    term.line("exit")
    assert term.wait_exit() == 0
    assert "Username:" not in term.text and token not in term.raw
    assert not (mojodex_home / "credentials").exists()


def test_a_refused_mojodex_token_exits_1_naming_it(run_mojodex, server_thread, plugin_site):
    plugin_site.add("probe", PROBE)
    token = server_thread.token_for(DEMO_EMAIL)
    server_thread.expire_tokens()
    proc = run_mojodex("probe", server_url=server_thread.url, env={**plugin_site.env(), "MOJODEX_TOKEN": token})
    assert proc.returncode == 1
    assert "MOJODEX_TOKEN" in proc.stderr and token not in proc.stderr + proc.stdout
