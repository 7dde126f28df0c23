"""`mojodex signup` from a script (no terminal) on Mojodex 0.4, its refusals, the sign-up that goes on where it
stopped, and the one line it says on servers whose dialect has no sign-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from account_helpers import CONFIG, DEMO_EMAIL, requests

ANN = "ann@example.com"
ONE_SHOT = ("signup", "--name", "Ann", "--email", ANN, "--password-stdin")


@pytest.fixture
def signup(mojodex_main: Any, mojodex_home: Path) -> Any:
    """``signup(srv, *args, input="pw\\n")``: ``mojodex ARGS`` with no terminal and no login of its own."""

    def run(server: Any, *args: str, input: str = "pw\n") -> Any:
        (mojodex_home / "config.toml").write_text(CONFIG, encoding="utf-8")
        return mojodex_main(*args, server_url=server.url, input=input)

    return run


def test_one_shot_signup_creates_accepts_chooses_and_lists_as_json(srv: Any, signup: Any, run_mojodex: Any,
                                                                    mojodex_home: Path) -> None:
    # The real script, as a script runs it: the password on a pipe, no terminal.
    (mojodex_home / "config.toml").write_text(CONFIG, encoding="utf-8")
    proc = run_mojodex(*ONE_SHOT, "--language", "fr", "--accept-terms", "--category", "1", "--json",
                       server_url=srv.url, input="pw\n")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["name"], out["email"], out["created"], out["terms_accepted"]) == ("Ann", ANN, True, True)
    assert [p["name"] for p in out["plans"]] == ["Pro Digital Assistant"]
    assert [t["name"] for t in out["tasks"]][:2] == ["Write poem", "Question générale"]  # in French, as asked
    created = requests(srv, "PUT", "/user")[0].json
    assert (created["name"], created["email"], created["password"], created["language_code"]) == (
        "Ann", ANN, "pw", "fr")
    assert [r.path for r in srv.requests if r.method == "PUT"] == [
        "/user", "/terms_and_conditions", "/associate_free_product"]
    # The token was kept as a login's: the next command needs no login.
    listed = signup(srv, "task", "list", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 3


def test_without_terminal_every_missing_answer_names_its_option(srv: Any, signup: Any) -> None:
    for args, flag in ((("signup",), "--name"), (("signup", "--name", "Ann"), "--email"),
                       (("signup", "--name", "Ann", "--email", ANN), "--password-stdin")):
        proc = signup(srv, *args)
        assert proc.returncode != 0 and f"pass {flag}" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert requests(srv, "PUT") == []
    # The account is made; the terms are asked, and refused without a terminal: nothing else is done.
    refused = signup(srv, *ONE_SHOT)
    assert refused.returncode != 0
    assert refused.stderr.splitlines()[-1] == ("error: signup asks to accept the server's terms and conditions: pass "
                                               "--accept-terms to accept them")
    assert [r.path for r in requests(srv, "PUT")] == ["/user"]
    # Run again: the login was kept, the sign-up goes on at the terms, then asks for the category.
    again = signup(srv, "signup", "--accept-terms")
    assert again.returncode != 0 and "pass --category (here: 1)" in again.stderr
    assert [r.path for r in requests(srv, "PUT")] == ["/user", "/terms_and_conditions"]
    done = signup(srv, "signup", "--category", "digital assistant demo")
    assert done.returncode == 0, done.stderr
    assert "Plan: Pro Digital Assistant: unlimited tasks, 999 days left (Digital Assistant Demo)" in done.stdout
    assert "General Assistance" in done.stdout  # task list ends it
    assert len(requests(srv, "PUT", "/terms_and_conditions")) == 1  # accepted once: never asked again


def test_an_existing_account_goes_on_where_it_stopped_or_is_one_line(srv: Any, signup: Any,
                                                                      mojodex_main: Any) -> None:
    srv.call(srv.server.accounts.add_category, "🏢", "Enterprise", "For teams", None)
    first = signup(srv, *ONE_SHOT, "--accept-terms", "--category", "2")
    assert first.returncode != 0
    assert first.stderr.splitlines()[-1] == (
        f"error: 'Enterprise' has no free plan on {srv.url}: choose another category")
    assert signup(srv, "logout").returncode == 0
    # Signing up again with the same email and password logs in to it, and goes on with the plan.
    again = signup(srv, *ONE_SHOT, "--category", "1")
    assert again.returncode == 0, again.stderr
    assert f"{ANN} has an account on {srv.url} already: logged in to it" in again.stdout
    assert len(requests(srv, "PUT", "/user")) == 2 and len(requests(srv, "PUT", "/terms_and_conditions")) == 1
    assert signup(srv, "logout").returncode == 0
    wrong = signup(srv, *ONE_SHOT, input="other\n")
    assert wrong.returncode != 0 and wrong.stderr == (
        f"error: an account with the email {ANN} exists on {srv.url}, with another password: `login` to it, or sign "
        "up with another email\n")
    # An account that already had a plan gets no free one.
    demo = signup(srv, "signup", "--name", "D", "--email", DEMO_EMAIL, "--password-stdin", "--accept-terms",
                  input="demo\n")
    assert demo.returncode == 0 and "Plan: Pro Digital Assistant" in demo.stdout
    assert len(requests(srv, "PUT", "/associate_free_product")) == 2  # Ann's refused one and her chosen one


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
def test_a_server_without_sign_up_says_so_in_one_line_and_is_sent_nothing(
        start_server_thread: Any, signup: Any, api: str) -> None:
    srv = start_server_thread(api=api)
    proc = signup(srv, *ONE_SHOT, "--accept-terms", "--category", "1")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == f"error: signing up is not in the {api} dialect of the protocol this server speaks\n"
    assert [r.method for r in srv.requests] == ["GET", "GET"][: len(srv.requests)]  # at most the probes, no token
    assert all("Authorization" not in r.headers for r in srv.requests)
    again = signup(srv, *ONE_SHOT)  # the dialect is known now: nothing is sent at all
    assert again.stderr == proc.stderr and len(srv.requests) <= 2
