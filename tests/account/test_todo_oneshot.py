"""`mojodex todo ...` and `mojodex account ...` from a script, on Mojodex 0.4 (the reference server), and the one
line they say on servers whose dialect has no todos nor account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from account_helpers import AROUND_RUNS, ASSIST, CONFIG, DEMO_EMAIL, add_run, add_todo, requests

import mojodex_core._server as core_server
from mojodex_core import Plan, Purchase
from mojodex_core._dialects import _payloads as p


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
def test_a_server_without_todos_nor_account_says_so_in_one_line_and_is_asked_nothing(
        start_server_thread: Any, one_shot: Any, api: str) -> None:
    srv = start_server_thread(api=api)
    for args, what in ((("todo", "list"), "the to-do list"), (("todo", "done", "3"), "the to-do list"),
                       (("todo", "delete", "3", "--yes"), "the to-do list"), (("account",), "the account page"),
                       (("account", "language"), "the account's language"),
                       (("account", "language", "fr"), "the account's language")):
        proc = one_shot(srv, *args)
        assert (proc.returncode, proc.stdout) == (1, ""), args
        assert proc.stderr == f"error: {what} is not in the {api} dialect of the protocol this server speaks\n"
    assert [r.path for r in srv.requests if r.path in AROUND_RUNS] == []


def test_the_timezone_is_sent_once_per_login_and_again_when_the_clock_moves(
        srv: Any, one_shot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_server, "local_offset", lambda: -60)
    assert one_shot(srv, "todo", "list").returncode == 0
    assert one_shot(srv, "todo", "list").returncode == 0
    assert [r.json["timezone_offset"] for r in requests(srv, "POST", "/timezone")] == [-60]
    monkeypatch.setattr(core_server, "local_offset", lambda: 300)  # a flight to New York
    one_shot(srv, "account")
    one_shot(srv, "todo", "list", token=srv.token_for())  # another login: told once more
    assert [r.json["timezone_offset"] for r in requests(srv, "POST", "/timezone")] == [-60, 300, 300]


def test_todo_list_shows_marks_read_exactly_what_it_showed_and_pages(srv: Any, one_shot: Any) -> None:
    run = add_run(srv)
    soon = add_todo(srv, run, "Send the minutes to Paul", 1)
    later = add_todo(srv, run, "Book the room", 4)
    past = add_todo(srv, run, "Call the caterer", -1)
    done = add_todo(srv, run, "Write the agenda", 2, completed=True)

    listed = one_shot(srv, "todo", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [f"{soon}  tomorrow    {run}  Send the minutes to Paul",
                                          f"{later}  {p.text(_day(4))}  {run}  Book the room"]
    marked = [r.json["todo_pk"] for r in requests(srv, "POST", "/todos")]
    assert sorted(marked) == [soon, later]  # not the past one, nor the done one: nobody saw them
    assert all(r.json["mark_as_read"] is True for r in requests(srv, "POST", "/todos"))

    by_run = json.loads(one_shot(srv, "todo", "list", "--run", str(run), "--json").stdout)
    assert [(t["todo_pk"], t["done"], t["read"]) for t in by_run] == [
        (past, False, False), (soon, False, True), (done, True, False), (later, False, True)]
    assert by_run[0]["due"] == _day(-1) and by_run[0]["run_pk"] == run and by_run[0]["created"].endswith("+00:00")

    for i in range(55):
        add_todo(srv, run, f"Follow-up {i}", 5)
    first = one_shot(srv, "todo", "list")
    assert len(first.stdout.splitlines()) == 50 and "`todo list --all` lists them all" in first.stderr
    every = json.loads(one_shot(srv, "todo", "list", "--all", "--json").stdout)
    assert len(every) == 57 and len({t["todo_pk"] for t in every}) == 57


def _day(days: int) -> str:
    import datetime

    return (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=days)).isoformat()


def test_todo_done_delete_and_their_errors(srv: Any, one_shot: Any) -> None:
    run = add_run(srv)
    pk = add_todo(srv, run, "Send the minutes to Paul", 1)
    other = add_todo(srv, run, "Book the room", 2)

    done = one_shot(srv, "todo", "done", str(pk))
    assert (done.returncode, done.stdout) == (0, f"Todo {pk} done.\n")
    again = one_shot(srv, "todo", "done", str(pk))
    assert (again.returncode, again.stderr) == (1, f"error: todo {pk} is already done\n")
    refused = one_shot(srv, "todo", "delete", str(other))
    assert (refused.returncode, refused.stderr) == (1, f"error: deleting todo {other} asks first: pass --yes to "
                                                       "delete it\n")
    assert requests(srv, "DELETE", "/todos") == []
    deleted = one_shot(srv, "todo", "delete", str(other), "--yes", "--json")
    assert (deleted.returncode, json.loads(deleted.stdout)) == (0, {"todo_pk": other, "deleted": True})
    assert [r.query["todo_pk"] for r in requests(srv, "DELETE", "/todos")] == [str(other)]
    assert one_shot(srv, "todo", "list").stdout == "No open todos due today or later.\n"
    for args, line in ((("todo", "done", "999"), "todo 999 not found"),
                       (("todo", "delete", "999", "--yes"), "todo 999 not found"),
                       (("todo", "list", "--run", "999"), "run 999 not found"),
                       (("todo", "done", "x"), "TODO must be a number, not 'x'")):
        proc = one_shot(srv, *args)
        assert proc.stderr == f"error: {line}\n", args


def test_account_language_and_a_used_up_plan(srv: Any, one_shot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_server, "local_offset", lambda: -90)
    shown = one_shot(srv, "account")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1:] == ["Language: unknown (`account language CODE` sets it)",
                                             "Timezone: UTC+01:30 (offset -90 minutes)",
                                             "Plan: Pro Digital Assistant: unlimited tasks (0 used), 999 days left"]
    languages = one_shot(srv, "account", "language")
    assert languages.stdout == "en  English\nes  Español\nfr  Français\n"
    wrong = one_shot(srv, "account", "language", "de")
    assert (wrong.returncode, wrong.stderr) == (2, "error: the server has no language 'de': choose one of en, es, "
                                                   "fr\n")
    assert one_shot(srv, "account", "language", "fr").returncode == 0
    assert "12  💡 Question générale" in one_shot(srv, "task", "list").stdout
    doc = json.loads(one_shot(srv, "account", "--json").stdout)
    assert (doc["language"], doc["timezone_offset"], doc["plans"][0]["tasks_left"]) == ("fr", -90, None)

    srv.call(srv.server.accounts.give_plan, DEMO_EMAIL, 1)
    assert one_shot(srv, "task", "run", str(ASSIST), "--input", "request=x", "--yes").returncode == 0
    gone = one_shot(srv, "task", "run", str(ASSIST), "--input", "request=y", "--yes")
    # The used-up plan's tasks vanish: the task reads as missing, and the line says why (surprise 22).
    assert (gone.returncode, gone.stderr) == (1, f"error: task {ASSIST} cannot run: the plan 'Probe: one task' of "
                                                 f"this account has no task left on {srv.url} (1 of 1 task used; no "
                                                 "other plan is active): renew it in Mojodex's web app\n")
    assert one_shot(srv, "account").stdout.splitlines()[-1] == ("Plan: Probe: one task has no task left: renew it "
                                                                "in Mojodex's web app")
    missing = one_shot(srv, "task", "run", "99", "--yes")
    assert missing.stderr.startswith("error: task 99 cannot run: the plan 'Probe: one task'")


def test_a_missing_task_with_a_plan_left_is_only_missing(srv: Any, one_shot: Any) -> None:
    proc = one_shot(srv, "task", "run", "99", "--yes")
    assert proc.stderr == "error: task 99 not found\n"
    assert len(requests(srv, "GET", "/purchase")) == 1  # one look at the plan, on the failure's path only


def test_the_todos_hook_hears_what_was_listed(srv: Any, make_shell: Any, mojodex_home: Any,
                                              logged_in: Any) -> None:
    from mojodex_core import hookimpl

    run = add_run(srv)
    pk = add_todo(srv, run, "Send the minutes to Paul", 1)
    heard: list[tuple[str, list[Any]]] = []

    class Probe:
        @hookimpl
        def mojodex_todos(self, todos: list[Any], change: str) -> None:
            heard.append((change, [t.pk for t in todos]))

    (mojodex_home / "config.toml").write_text(CONFIG, encoding="utf-8")
    logged_in(srv.url, srv.token_for())
    shell = make_shell(server_url=srv.url)
    shell.add_plugin("probe", Probe())
    import asyncio

    asyncio.run(shell.run(f"todo list\rtodo done {pk}\rexit\r"))
    assert heard == [("listed", [pk]), ("done", [pk])]


def test_payloads_parse_both_date_forms_and_string_pks() -> None:
    assert p.when("2026-12-07T06:52:55.187000") == "2026-12-07T06:52:55.187000+00:00"
    assert p.when("2026-12-07T06:52:55+00:00") == "2026-12-07T06:52:55+00:00"
    assert p.when("2026-12-07") == "2026-12-07" and p.when(None) == "" and p.when("soon") == "soon"
    todo = p.todo({"todo_pk": "7", "description": "x\x1b[31m", "scheduled_date": "2026-12-08", "completed": None,
                   "read_by_user": "2026-12-07T10:00:00", "user_task_execution_fk": "24"})
    assert todo is not None and (todo.pk, todo.run_pk, todo.read, todo.done) == ("7", "24", True, False)
    assert p.todo({"description": "no pk"}) is None
    page = p.todo_page({"todos": [{"todo_pk": 1}, "junk"], "n_todos_not_read": "3", "user_has_never_done_todo": 1})
    assert (len(page.todos), page.unread, page.never_had) == (1, 0, False)
    plan = p.plan({"current_purchases": [], "last_expired_purchase": [{"product_name": "Probe", "n_tasks_limit": 1,
                                                                       "n_tasks_consumed": 1}]})
    assert plan == Plan((), (Purchase("Probe", 1, 1, expired=True),)) and plan.ran_out == plan.expired[0]
    assert Plan((Purchase("Pro"),)).usable and Plan((Purchase("Pro"),)).ran_out is None

