"""A day around the runs in a real terminal (0.4): log in, the to-do list, a run that writes todos, ticking and
deleting them, the account, its language, and the plan running out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from account_helpers import ASSIST, CONFIG, DEMO_EMAIL, requests

PROMPT = "mojodex>"


def test_todos_account_language_and_the_plan_that_ran_out(srv: Any, spawn_mojodex: Any, mojodex_home: Path) -> None:
    (mojodex_home / "config.toml").write_text(CONFIG, encoding="utf-8")
    term = spawn_mojodex(server_url=srv.url, env={"TZ": "XXX-1"})  # UTC+1: JavaScript's offset is -60
    term.expect("Username:", timeout=10)
    term.line(DEMO_EMAIL)
    term.expect("Password:")
    term.line("demo")
    term.expect("Welcome, Demo User.")
    term.expect(PROMPT)
    # The login's first request finds out which Mojodex the server is: the timezone goes right after, once.
    term.line("todo list")
    term.expect("No todos yet: the assistant writes them when a task run ends.")
    term.expect(PROMPT)
    assert [r.json["timezone_offset"] for r in requests(srv, "POST", "/timezone")] == [-60]
    assert [r.path for r in requests(srv)][:5] == ["/user", "/user_workflow", "/user_task", "/timezone", "/todos"]
    term.line(f"task run {ASSIST} --input 'request=a note to Paul' --yes")
    term.expect("Run 11 started")
    # The toolbar, once the run ended and its todos were read (redrawn in place: only what changed is written).
    term.expect("2 new | socket", timeout=10)
    term.line("todo list")
    term.expect("TODO  DUE")
    term.expect('11    tomorrow    11   Send "General Assistance: a note to Paul" to the people it is for')
    term.expect(PROMPT)
    assert sorted(r.json["todo_pk"] for r in requests(srv, "POST", "/todos")) == [11, 13]

    term.line("todo done 11")
    term.expect('Todo 11 done: Send "General Assistance: a note to Paul" to the people it is for')
    term.line("todo delete 13")
    term.expect('Delete todo 13 (Ask for feedback on "General Assistance: a note to Paul")? (y/N)')
    term.line("n")
    term.expect("error: todo 13 was not deleted")
    assert requests(srv, "DELETE", "/todos") == []
    term.line("todo delete 13 --yes")
    term.expect("Deleted todo 13.")

    term.line("account")
    term.expect(f"Demo User <{DEMO_EMAIL}> on {srv.url}")
    term.expect("Language: en")
    term.expect("Timezone: UTC+01:00 (offset -60 minutes)")
    term.expect("Plan: Pro Digital Assistant: unlimited tasks (1 used), 999 days left")
    term.line("account language fr")
    term.expect("Language set to fr (Français)")
    term.line("task list")
    term.expect("12    💡 Question générale")
    term.expect(PROMPT)

    srv.call(srv.server.accounts.give_plan, DEMO_EMAIL, 1)
    term.line(f"task run {ASSIST} --input request=x --yes")
    term.expect("Run 12 started")
    term.expect(PROMPT)
    term.line(f"task run {ASSIST} --input request=y --yes")  # a task the shell knows: the server answers 402
    term.expect(f"error: the plan 'Probe: one task' of this account has no task left on {srv.url} (1 of 1 task "
                "used; no other plan is active): renew it in Mojodex's web app")
    term.line("exit")
    assert term.wait_exit() == 0
    assert [r.status for r in requests(srv, "PUT", "/user_task_execution")][-1] == 402
    assert len(requests(srv, "POST", "/timezone")) == 1  # once per login
