"""HTTP handlers of 0.4's language and plan (protocol-0.4-more.md, sections 5 and 6): the languages and the
apps' strings (no login), the account's language, its purchases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..account_store import LANGUAGES, UI_STRINGS
from ..errors import ApiError
from ..params import authorized, is_json, json_body, json_response
from .todo_routes import GENERIC, MISSING

if TYPE_CHECKING:
    from ..server import ReferenceServer


class AccountRoutes:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store
        self.accounts = server.accounts

    def setup(self, app: web.Application) -> None:
        router = app.router
        router.add_get("/language", self.languages)
        router.add_post("/language", self.set_language)
        router.add_get("/purchase", self.purchases)

    async def languages(self, request: web.Request) -> web.Response:
        code = request.query.get("language_code")
        if code is None:
            raise ApiError(400, GENERIC)
        return json_response({"available_languages": LANGUAGES,
                              "language_json_file": UI_STRINGS.get(code, UI_STRINGS["en"])})

    async def set_language(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request) if is_json(request) else {}
        code = body.get("language_code")
        if "datetime" not in body or not isinstance(code, str) or not code or len(code) > 5:
            raise ApiError(400, GENERIC)
        self.store.set_language(user_pk, code)  # an unknown short code is kept, and behaves as English
        return json_response({"success": "Language updated"})

    async def purchases(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        if "datetime" not in request.query:
            raise ApiError(400, MISSING)
        return json_response(self.accounts.purchase_json(user_pk))
