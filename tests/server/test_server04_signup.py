"""The reference server's 0.4 onboarding (protocol-0.4-more.md, section 10): sign-up, product categories, the free
plan of one, and its failures in the backend's order."""

from __future__ import annotations

from server04_helpers import server04

from mojodex_server.mojodex_04.todo_routes import GENERIC

ANN = "ann@example.com"
NEW = {"datetime": "now", "email": ANN, "name": "Ann", "password": "pw"}


async def test_a_new_account_from_sign_up_to_its_first_run() -> None:
    async with server04() as (srv, api):
        signup = await api.http.put("/user", json=NEW)
        assert signup.status_code == 200
        body = signup.json()
        assert {k: body[k] for k in ("language_code", "name", "terms_and_conditions_agreed", "company_fk")} == {
            "language_code": "en", "name": "Ann", "terms_and_conditions_agreed": False, "company_fk": None}
        headers = {"Authorization": body["token"]}
        now = {"datetime": "now"}
        tasks = await api.http.get("/user_task", params={**now, "platform": "webapp"}, headers=headers)
        assert tasks.json() == {"user_tasks": []}
        assert (await api.http.put("/user_task_execution", json={**now, "user_task_pk": 999},
                                   headers=headers)).status_code == 402  # before the terms' 401 and the pk

        categories = await api.http.get("/product_category", params=now, headers=headers)
        assert categories.json() == {"product_categories": [
            {"product_category_pk": 1, "emoji": "🪄", "name": "Digital Assistant Demo",
             "description": srv.accounts.categories[1].description}]}
        chosen = await api.http.put("/associate_free_product", json={**now, "product_category_pk": 1},
                                    headers=headers)
        assert chosen.status_code == 200 and set(chosen.json()) == {"purchasable_products", "current_purchases"}
        plan = chosen.json()["current_purchases"]
        assert [(p["product_name"], p["n_tasks_consumed"], p["remaining_days"]) for p in plan] == [
            ("Pro Digital Assistant", 0, 999)]
        listed = (await api.http.get("/user_task", params={**now, "platform": "webapp"}, headers=headers)).json()
        names = [t["task_name"] for t in listed["user_tasks"]]
        assert names[:3] == ["Write poem", "General Assistance", "Meeting minutes"]
        assist = listed["user_tasks"][1]["user_task_pk"]

        refused = await api.http.put("/user_task_execution", json={**now, "user_task_pk": assist}, headers=headers)
        assert (refused.status_code, refused.json()) == (401, {"error": "Terms and conditions not accepted"})
        assert (await api.http.put("/terms_and_conditions", json=now, headers=headers)).status_code == 200
        run = await api.http.put("/user_task_execution", json={**now, "user_task_pk": assist}, headers=headers)
        assert run.status_code == 200 and run.json()["user_task_execution_pk"]

        again = await api.http.put("/associate_free_product", json={**now, "product_category_pk": 1},
                                   headers=headers)
        assert again.status_code == 400 and again.json()["error"].endswith(" already had a purchase")


async def test_sign_up_and_free_plan_failures_in_the_backends_order() -> None:
    async with server04() as (srv, api):
        assert (await api.http.put("/user", json={**NEW, "email": "demo@example.com"})).json() == {
            "error": "Email already exists."}
        no_name = await api.http.put("/user", json={k: v for k, v in NEW.items() if k != "name"})
        assert (no_name.status_code, no_name.json()) == (400, {"error": GENERIC})
        french = await api.http.put("/user", json={**NEW, "language_code": "fr"})
        assert french.json()["language_code"] == "fr"
        headers = {"Authorization": french.json()["token"]}
        now = {"datetime": "now"}
        paid = srv.accounts.add_category("🏢", "Enterprise", "For teams", free_plan=None)
        hidden = srv.accounts.add_category("🙈", "Hidden", "Not listed", visible=False)
        listed = (await api.http.get("/product_category", params=now, headers=headers)).json()
        assert [c["name"] for c in listed["product_categories"]] == ["Digital Assistant Demo", "Enterprise"]
        assert hidden.pk not in [c["product_category_pk"] for c in listed["product_categories"]]

        async def choose(**body: object) -> tuple[int, object]:
            r = await api.http.put("/associate_free_product", json=body, headers=headers)
            return r.status_code, r.json()

        assert await choose(datetime="now") == (400, {"error": "Missing field 'product_category_pk'"})
        assert await choose(datetime="now", product_category_pk=999999) == (
            400, {"error": "product_category_pk 999999 does not exist"})
        assert await choose(datetime="now", product_category_pk=paid.pk) == (
            400, {"error": f"product_category_pk {paid.pk} has no limited free product associated"})
        assert (await api.http.get("/product_category", headers=headers)).json() == {
            "error": "Missing field 'datetime'"}
        assert (await api.http.get("/product_category", params=now)).status_code == 403
        # A demo account has its plan: never a free one on top of it.
        demo = await api.send("PUT", "/associate_free_product", product_category_pk=1)
        assert demo.status_code == 400 and "already had a purchase" in demo.json()["error"]
