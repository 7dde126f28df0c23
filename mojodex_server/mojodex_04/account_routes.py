"""HTTP handlers of 0.4's language and plan (protocol-0.4-more.md, sections 5 and 6): the languages and the
apps' strings (no login), the account's language, its purchases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..account_store import LANGUAGES, UI_STRINGS
from ..errors import ApiError
from ..params import authorized, is_json, json_body, json_response
from ..routes import Handler, Routes
from .todo_routes import GENERIC, MISSING

if TYPE_CHECKING:
    pass


class AccountRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/language", self.languages),
            ("POST", "/language", self.set_language),
            ("GET", "/purchase", self.purchases),
        ]

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
