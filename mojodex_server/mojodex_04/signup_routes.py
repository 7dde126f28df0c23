"""HTTP handlers of 0.4's onboarding (protocol-0.4-more.md, section 10): the product categories a new account
chooses from, and the free plan of the one it chooses (``PUT /associate_free_product``), which gives it its tasks.

Sign-up itself is ``PUT /user`` (``routes.Routes.signup``) and the terms ``PUT /terms_and_conditions``, as on
every dialect. The backend serves no text nor link of its terms: neither does this server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import content
from ..account_store import Plan
from ..errors import ApiError
from ..params import authorized, is_json, json_body, json_response, require_field
from ..routes import Handler, Routes

if TYPE_CHECKING:
    from ..server import ReferenceServer


def user_id(user_pk: int) -> str:
    """The user's id as the backend words it in its errors (a hex string, not the pk)."""
    return f"{user_pk:032x}"


class SignupRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/product_category", self.list_categories),
            ("PUT", "/associate_free_product", self.associate_free_product),
        ]

    async def list_categories(self, request: web.Request) -> web.Response:
        authorized(request, self.store)
        require_field(request.query, "datetime")
        return json_response({"product_categories": [
            {"product_category_pk": c.pk, "emoji": c.emoji, "name": c.name, "description": c.description}
            for c in self.accounts.categories.values() if c.visible]})

    async def associate_free_product(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        if not is_json(request):
            raise ApiError(400, "Request must be JSON")
        body = json_body(request)
        require_field(body, "datetime", "product_category_pk")
        # The backend's order: any earlier purchase first (even an expired one), then the category, then its product.
        if self.accounts.plans.get(user_pk):
            raise ApiError(400, f"user_id {user_id(user_pk)} already had a purchase")
        value: Any = body["product_category_pk"]
        number = isinstance(value, int) and not isinstance(value, bool)
        category = self.accounts.categories.get(value) if number else None
        if category is None:
            raise ApiError(400, f"product_category_pk {value} does not exist")
        if category.free_plan is None:
            raise ApiError(400, f"product_category_pk {category.pk} has no limited free product associated")
        self.accounts.plans[user_pk] = [Plan(category.free_plan)]
        user = self.store.user_by_pk(user_pk)
        assert user is not None
        give_tasks(self.server, user.email)
        purchases = self.accounts.purchase_json(user_pk)
        return json_response({"purchasable_products": purchases["purchasable_products"],
                              "current_purchases": purchases["current_purchases"]})


def give_tasks(server: ReferenceServer, email: str) -> None:
    """The tasks a free plan of the stock category gives: the demo account's (Write poem first)."""
    server.add_task(*content.POEM, task_type="workflow", user_email=email)
    for name, icon, description, json_input in content.INSTRUCT_TASKS:
        server.add_task(name, icon, description, task_type="instruct", json_input=json_input, user_email=email)
