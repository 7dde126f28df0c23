"""Mojodex 0.4 around the runs: todos and the timezone they need, the language, the plan and its 402, as
protocol-0.4-more.md (sections 1, 5, 6) records the real backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from server04_helpers import ASSIST, POEM, joined_run, nth, server04
from server_helpers import DEMO

from mojodex_server.mojodex_04.todo_routes import GENERIC, MISSING

Probes = Callable[..., Any]
ANN = "ann@example.com"


def today(days: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def seed(srv: Any, run_pk: int) -> dict[str, int]:
    """The todos of protocol-0.4-more.md's SQL, on one run: their pks by name."""
    add = srv.accounts.add_todo
    todos = {"yesterday": add(run_pk, "probe yesterday", -1), "today": add(run_pk, "probe today", 0),
             "tomorrow": add(run_pk, "probe tomorrow", 1), "next week": add(run_pk, "probe next week", 7),
             "moved": add(run_pk, "probe moved +3 to today", 3, 0),
             "done": add(run_pk, "probe done", 0, completed=True),
             "deleted": add(run_pk, "probe deleted", 0, deleted=True),
             "unscheduled": add(run_pk, "probe never scheduled")}
    return {name: todo.pk for name, todo in todos.items()}


async def a_run(srv: Any, api: Any, user_task_pk: int = ASSIST) -> int:
    return int((await api.create(user_task_pk))["user_task_execution_pk"])


async def test_the_to_do_list_waits_for_the_timezone_and_follows_it() -> None:
    async with server04() as (srv, api):
        run = await a_run(srv, api)
        pks = seed(srv, run)
        names = {pk: name for name, pk in pks.items()}

        def listed(answer: Any) -> list[str]:
            return [names[t["todo_pk"]] for t in answer.json()["todos"]]

        never = await api.get("/todos")
        assert never.json() == {"todos": [], "user_has_never_done_todo": False, "n_todos_not_read": 0}
        assert (await api.send("POST", "/timezone", timezone_offset=0)).json() == {"success": "Timezone updated"}
        utc = await api.get("/todos")
        assert listed(utc) == ["today", "tomorrow", "moved", "next week"]
        assert utc.json()["n_todos_not_read"] == 4
        moved = next(t for t in utc.json()["todos"] if t["todo_pk"] == pks["moved"])
        assert moved["scheduled_date"] == today(3)  # the latest scheduling, not the newest
        assert set(moved) == {"todo_pk", "user_task_execution_fk", "description", "scheduled_date", "completed",
                              "creation_date", "read_by_user"} and moved["user_task_execution_fk"] == run
        await api.send("POST", "/timezone", timezone_offset="-60")  # the web app sends a string
        assert listed(await api.get("/todos")) == ["today", "tomorrow", "moved", "next week"]
        await api.send("POST", "/timezone", timezone_offset=300)  # west of UTC: today's is gone
        assert listed(await api.get("/todos")) == ["tomorrow", "moved", "next week"]
        by_run = await api.get("/todos", user_task_execution_fk=run)
        assert listed(by_run) == ["yesterday", "today", "done", "tomorrow", "moved", "next week"]
        assert srv.stored_run(run)["n_todos"] == 7 and srv.stored_run(run)["n_not_read_todos"] == 6
        paged = await api.get("/todos", user_task_execution_fk=run, n_todos=2, offset=2)
        assert listed(paged) == ["done", "tomorrow"]
        await api.send("POST", "/timezone", timezone_offset=None)
        assert (await api.get("/todos")).json()["todos"] == []


async def test_run_dates_are_naive_until_the_timezone_is_set_and_never_shifted() -> None:
    async with server04() as (srv, api):
        run = await a_run(srv, api)
        srv.store.tasks.set_started(run)
        naive = (await api.get("/user_task_execution", user_task_execution_pk=run)).json()["start_date"]
        await api.send("POST", "/timezone", timezone_offset=-60)
        aware = (await api.get("/user_task_execution", user_task_execution_pk=run)).json()["start_date"]
        assert "+" not in naive and aware == naive + "+00:00"


async def test_timezone_errors_hide_their_cause() -> None:
    async with server04() as (_srv, api):
        for body in ({}, {"timezone_offset": "abc"}):
            r = await api.send("POST", "/timezone", **body)
            assert (r.status_code, r.json()) == (400, {"error": GENERIC})
        form = await api.form("/timezone", timezone_offset="-60")
        assert (form.status_code, form.json()) == (400, {"error": GENERIC})


async def test_marking_todos_read_and_done() -> None:
    async with server04() as (srv, api):
        run = await a_run(srv, api)
        pks = seed(srv, run)
        await api.send("POST", "/timezone", timezone_offset=0)
        read = await api.send("POST", "/todos", todo_pk=pks["today"], mark_as_read=True)
        assert read.json() == {"todo_pk": pks["today"]}
        assert (await api.send("POST", "/todos", todo_pk=pks["today"], mark_as_read=True)).status_code == 200
        assert (await api.get("/todos")).json()["n_todos_not_read"] == 3
        done = await api.send("POST", "/todos", todo_pk=pks["tomorrow"], mark_as_done=True)
        assert done.json() == {"todo_pk": pks["tomorrow"]}
        assert pks["tomorrow"] not in [t["todo_pk"] for t in (await api.get("/todos")).json()["todos"]]
        in_run = {t["todo_pk"]: t for t in (await api.get("/todos", user_task_execution_fk=run)).json()["todos"]}
        assert in_run[pks["tomorrow"]]["completed"] is not None
        again = await api.send("POST", "/todos", todo_pk=pks["tomorrow"], mark_as_done=True)
        assert (again.status_code, again.json()) == (400, {"error": "Todo already done, can't do it again."})
        deleted_done = await api.send("POST", "/todos", todo_pk=pks["deleted"], mark_as_done=True)
        assert deleted_done.status_code == 200  # a deleted todo can still be ticked
        by_run = await api.send("POST", "/todos", user_task_execution_pk=run, mark_as_read=True)
        assert by_run.json() == {"user_task_execution_pk": run}
        assert (await api.get("/todos")).json()["n_todos_not_read"] == 0
        srv.accounts.add_todo(run, "one more", 2)
        everything = await api.send("POST", "/todos", mark_as_read=True)
        assert len(everything.json()["todo_pks"]) == 1


async def test_todo_errors_as_the_backend_words_them() -> None:
    async with server04() as (srv, api):
        run = await a_run(srv, api)
        pks = seed(srv, run)
        srv.add_user(ANN, "pw", "Ann")
        ann_run = srv.store.tasks.add_execution(ASSIST, srv.store.user_by_email(ANN).user_pk, [])
        ann_todo = srv.accounts.add_todo(ann_run, "Ann's", 1).pk
        both = "mark_as_read and mark_as_done are False. Set just one of them as True"
        cases = [
            ({"todo_pk": pks["today"]}, 400, {"error": both}),
            ({"todo_pk": pks["today"], "mark_as_read": True, "mark_as_done": True}, 400, {"error": both}),
            ({"user_task_execution_pk": run, "mark_as_done": True}, 400, {"error": "Missing field todo_pk"}),
            ({"todo_pk": 99999, "mark_as_read": True}, 404, {"error": "Todo not found"}),
            ({"todo_pk": ann_todo, "mark_as_read": True}, 404, {"error": "Todo not found"}),
            ({"user_task_execution_pk": ann_run, "mark_as_read": True}, 404,
             {"error": "user_task_execution_pk not found"}),
            ({"todo_pk": pks["today"], "mark_as_done": "true"}, 500, {"message": "Internal Server Error"}),
        ]
        for body, status, answer in cases:
            r = await api.send("POST", "/todos", **body)
            assert (r.status_code, r.json()) == (status, answer), body
        form = await api.form("/todos", todo_pk=str(pks["today"]), mark_as_read="true")
        assert (form.status_code, form.json()) == (400, {"error": "Invalid request"})
        no_date = await api.http.get("/todos", headers=api.headers)
        assert no_date.status_code == 400 and no_date.json()["error"].endswith(" in args")
        assert (await api.get("/todos", n_todos="abc")).status_code == 500
        unknown_run = await api.get("/todos", user_task_execution_fk=ann_run)
        assert (unknown_run.status_code, unknown_run.json()) == (404, {"error": "user_task_execution_pk not found"})


async def test_deleting_a_todo_echoes_its_pk_as_a_string() -> None:
    async with server04() as (srv, api):
        run = await a_run(srv, api)
        pk = srv.accounts.add_todo(run, "call Paul", 1).pk
        await api.send("POST", "/timezone", timezone_offset=0)

        async def delete(**params: Any) -> Any:
            return await api.http.delete("/todos", headers=api.headers, params={"datetime": "now", **params})

        first = await delete(todo_pk=pk)
        assert (first.status_code, first.json()) == (200, {"todo_pk": str(pk)})
        assert (await delete(todo_pk=pk)).json() == {"todo_pk": str(pk)}  # soft: a second delete answers the same
        assert (await api.get("/todos")).json()["todos"] == []
        assert (await delete(todo_pk=99999)).status_code == 404
        missing = await delete()
        assert (missing.status_code, missing.json()) == (400, {"error": MISSING})


async def test_a_run_that_ends_gets_its_todos_and_uses_a_task_of_the_plan(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        assert (await api.get("/todos")).json()["user_has_never_done_todo"] is True
        before = (await api.get("/purchase")).json()["current_purchases"][0]
        run = await joined_run(api, probe, ASSIST, {"request": "a note to Paul"})
        await probe.wait_for(nth(probe, "draft_message", 0))
        await api.send("POST", "/timezone", timezone_offset=0)
        todos = (await api.get("/todos")).json()
        assert [t["user_task_execution_fk"] for t in todos["todos"]] == [run["user_task_execution_pk"]] * 2
        assert todos["n_todos_not_read"] == 2 and todos["user_has_never_done_todo"] is False
        after = (await api.get("/purchase")).json()["current_purchases"][0]
        assert (before["n_tasks_consumed"], after["n_tasks_consumed"]) == (0, 1)
        assert after["product_name"] == "Pro Digital Assistant" and after["n_tasks_limit"] is None


async def test_a_plan_of_one_task_runs_out_and_creating_a_run_answers_402(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        srv.accounts.give_plan(DEMO, 1)
        plan = (await api.get("/purchase")).json()
        assert plan["current_purchases"][0] | {"tasks": []} == {
            "product_name": "Probe: one task", "remaining_days": None, "n_validity_days": None, "n_tasks_limit": 1,
            "n_tasks_consumed": 0, "tasks": [], "is_free_product": True}
        early = await api.create(POEM)  # created before the limit: it can still start afterwards
        await joined_run(api, probe, ASSIST, {"request": "x"})
        await probe.wait_for(nth(probe, "draft_message", 0))
        plan = (await api.get("/purchase")).json()
        assert plan["current_purchases"] == [] and plan["purchasable_products"] == []
        [expired] = plan["last_expired_purchase"]
        assert (expired["product_name"], expired["n_tasks_consumed"], expired["n_days_validity"]) == \
            ("Probe: one task", 1, None)
        assert (await api.get("/user_task")).json() == {"user_tasks": []}
        one = await api.get("/user_task", user_task_pk=ASSIST)
        assert one.status_code == 400 and one.json()["error"].startswith("Invalid user_task_pk")
        for pk in (ASSIST, 99999):  # before the pk is even looked at
            r = await api.send("PUT", "/user_task_execution", user_task_pk=pk)
            assert (r.status_code, r.json()) == (402, {"error": "no_purchase"})
        started = await api.start(early["user_task_execution_pk"], {"poem_topic": "x", "n_stanzas": "1"})
        assert started.status_code == 200
        no_date = await api.http.get("/purchase", headers=api.headers)
        assert (no_date.status_code, no_date.json()) == (400, {"error": MISSING})


async def test_a_new_account_has_no_plan() -> None:
    async with server04() as (_srv, api):
        signup = await api.http.put("/user", json={"datetime": "now", "email": ANN, "name": "Ann", "password": "pw"})
        headers = {"Authorization": signup.json()["token"]}
        plan = await api.http.get("/purchase", params={"datetime": "now"}, headers=headers)
        assert plan.json() == {"purchasable_products": [], "current_purchases": [], "last_expired_purchase": []}
        run = await api.http.put("/user_task_execution", json={"datetime": "now", "user_task_pk": 1}, headers=headers)
        assert (run.status_code, run.json()) == (402, {"error": "no_purchase"})  # before the terms' 401


async def test_languages_and_french_task_names() -> None:
    async with server04() as (_srv, api):
        fr = await api.http.get("/language", params={"datetime": "now", "language_code": "fr"})  # no login
        assert fr.json()["available_languages"] == {"en": "English", "es": "Español", "fr": "Français"}
        assert fr.json()["language_json_file"]["appDrawer"]["newTaskButton"] == "Nouvelle tâche"
        de = await api.http.get("/language", params={"datetime": "now", "language_code": "de"})
        assert de.json()["language_json_file"]["appDrawer"]["newTaskButton"] == "New task"
        bare = await api.http.get("/language", params={"datetime": "now"})
        assert (bare.status_code, bare.json()) == (400, {"error": GENERIC})
        for body in ({}, {"language_code": "toolong"}):
            r = await api.send("POST", "/language", **body)
            assert (r.status_code, r.json()) == (400, {"error": GENERIC})
        assert (await api.http.post("/language", json={"datetime": "now", "language_code": "fr"})).status_code == 403

        assert (await api.send("POST", "/language", language_code="fr")).json() == {"success": "Language updated"}
        names = [t["task_name"] for t in (await api.get("/user_task")).json()["user_tasks"]][:3]
        assert names == ["Write poem", "Question générale", "Compte rendu de réunion"]
        created = await api.create(ASSIST)
        assert created["json_input"][0]["description_for_user"] == "Comment puis-je vous aider?"
        assert created["json_input"][0]["placeholder"] == "Je suis là pour vous!"
        assert "Question générale" in (await api.get("/purchase")).json()["current_purchases"][0]["tasks"]
        login = await api.http.post("/user", json={"datetime": "now", "email": DEMO, "password": "demo",
                                                   "login_method": "email_password"})
        assert login.json()["language_code"] == "fr"
        await api.send("POST", "/language", language_code="de")  # stored, and behaves as English
        assert (await api.get("/user_task")).json()["user_tasks"][1]["task_name"] == "General Assistance"
