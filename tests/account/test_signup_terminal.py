"""From nothing to a first run in a real terminal (0.4): `signup` from an empty home, the terms refused (nothing
else done, resumable), and `login` offering the plan a sign-up left unchosen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from account_helpers import CONFIG, requests

PROMPT = "mojodex>"
ANN = "ann@example.com"
PASSWORD = "s3cret-Pw"


def _start(srv: Any, spawn_mojodex: Any, mojodex_home: Path) -> Any:
    """A shell from an empty home: it asks to log in, and the user, who has no account yet, leaves the question."""
    (mojodex_home / "config.toml").write_text(CONFIG, encoding="utf-8")
    term = spawn_mojodex(server_url=srv.url)
    term.expect("Username:", timeout=10)
    term.ctrl("c")
    term.expect(PROMPT)
    return term


def _account(term: Any, second_password: str = PASSWORD) -> None:
    term.line("signup")
    term.expect("Name: ")
    term.line("Ann")
    term.expect("Email: ")
    term.line(ANN)
    term.expect("Password: ")
    term.line(PASSWORD)
    term.expect("Password (again): ")
    term.line(second_password)


def test_signup_from_an_empty_home_to_a_first_instruct_run(srv: Any, spawn_mojodex: Any, mojodex_home: Path) -> None:
    term = _start(srv, spawn_mojodex, mojodex_home)
    _account(term, second_password="typo")
    term.expect("error: the two passwords differ: type them again")
    term.expect("Password: ")
    term.line(PASSWORD)
    term.expect("Password (again): ")
    term.line(PASSWORD)
    term.expect("Language (en: English, es: Español, fr: Français): en")
    term.line("")
    term.expect(f"Account created: Ann <{ANN}> on {srv.url}; you are logged in to it.")
    term.expect(f"Accept the terms and conditions of {srv.url}? (y/N)")
    term.line("y")
    term.expect("Accepted the terms and conditions")
    term.expect("Which one do you start with?")
    term.expect("1         🪄 Digital Assistant Demo")
    term.expect("Category: 1")
    term.line("")
    term.expect("Plan: Pro Digital Assistant: unlimited tasks, 999 days left (Digital Assistant Demo)")
    term.expect("16    💡 General Assistance")
    term.expect(PROMPT)
    assert PASSWORD not in term.text  # typed twice, shown never
    term.line("task run 16 --input 'request=a thank-you note to my team' --yes")
    term.expect(re.compile(r"Run \d+ started: General Assistance"), timeout=10)
    term.expect(re.compile(r"version 1 of run \d+"), timeout=10)
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0
    assert [r.status for r in requests(srv, "PUT", "/user_task_execution")] == [200]
    assert (mojodex_home / "credentials").exists()  # kept as a login's token


def test_refused_terms_do_nothing_else_and_signup_then_login_go_on(srv: Any, spawn_mojodex: Any,
                                                                  mojodex_home: Path) -> None:
    term = _start(srv, spawn_mojodex, mojodex_home)
    _account(term)
    term.expect("Language")
    term.line("")
    term.expect("(y/N)")
    term.line("n")
    term.expect("error: the terms and conditions were not accepted, and nothing else was done: `signup` goes on "
                "from here")
    term.expect(PROMPT)
    assert [r.path for r in requests(srv, "PUT")] == ["/user"]
    assert requests(srv, "GET", "/product_category") == []
    # signup again: the account is there and logged in; on at the terms, then leave at the category.
    term.line("signup")
    term.expect(f"Going on with the sign-up of Ann <{ANN}>")
    term.expect("(y/N)")
    term.line("y")
    term.expect("Category: ")
    term.ctrl("c")
    term.expect(PROMPT)
    assert requests(srv, "PUT", "/associate_free_product") == []
    # A login notices the account has no plan yet, and offers the same choice.
    term.line("logout")
    term.expect(PROMPT)
    term.line("login")
    term.expect("Username:")
    term.line(ANN)
    term.expect("Password:")
    term.line(PASSWORD)
    term.expect("Welcome, Ann.")
    term.expect(f"This account has no plan on {srv.url} yet")
    term.expect("Category: 1")
    term.line("")
    term.expect("Plan: Pro Digital Assistant")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0
    assert [r.status for r in requests(srv, "PUT", "/associate_free_product")] == [200]
    assert len(requests(srv, "PUT", "/terms_and_conditions")) == 1
