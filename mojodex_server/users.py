"""HTTP handlers of accounts, the same in every dialect: ``POST /user`` (log in), ``PUT /user`` (sign up),
``PUT /terms_and_conditions``; and the route table of a server (see /work/shared/protocol.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .params import authorized, json_body, json_response, require
from .routes import Handler, Routes

if TYPE_CHECKING:
    from .server import ReferenceServer


def require_terms(server: ReferenceServer, user_pk: int) -> None:
    """401 for an account that never accepted the terms (or when the fault switch says so)."""
    user = server.store.user_by_pk(user_pk)
    if server.faults.terms_not_accepted or user is None or not user.terms_accepted:
        raise ApiError(401, "Terms and conditions not accepted")


def setup_routes(server: ReferenceServer, app: web.Application) -> None:
    """Mount the accounts' routes, then the dialect's; a route a dialect does not have answers Flask's HTML 404."""
    UserRoutes(server).setup(app)
    server.dialect.setup_routes(app)


class UserRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [("POST", "/user", self.login), ("PUT", "/user", self.signup),
                ("PUT", "/terms_and_conditions", self.accept_terms)]

    # ---- /user and /terms_and_conditions ------------------------------------------------------------
    def _login_json(self, user_pk: int) -> dict[str, Any]:
        user = self.store.user_by_pk(user_pk)
        assert user is not None
        return {"token": self.store.new_token(user_pk), "language_code": user.language_code, "name": user.name,
                "terms_and_conditions_agreed": user.terms_accepted, "company_fk": None}

    async def login(self, request: web.Request) -> web.Response:
        body = json_body(request)
        require(body, "datetime", "email", "password", "login_method")
        if body["login_method"] != "email_password":
            raise ApiError(400, "Unknown login method.")
        email, password = body["email"], body["password"]
        if not isinstance(email, str) or not isinstance(password, str):
            raise ApiError(400, "Wrong email or password.")
        user = self.store.check_password(email, password)
        if user is None:
            raise ApiError(400, "Wrong email or password.")
        return json_response(self._login_json(user.user_pk))

    async def signup(self, request: web.Request) -> web.Response:
        body = json_body(request)
        language = self.server.dialect.signup_language(body)
        require(body, "datetime", "email", "name", "password")
        if not all(isinstance(body[k], str) for k in ("email", "name", "password")):
            raise ApiError(400, "email, name and password must be strings.")
        if self.store.user_by_email(body["email"]) is not None:
            raise ApiError(400, "Email already exists.")
        # as on the backend: a new account must accept the terms before running anything
        user = self.store.add_user(body["email"], body["password"], body["name"], terms_accepted=False,
                                   language_code=language)
        return json_response(self._login_json(user.user_pk))

    async def accept_terms(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        require(json_body(request), "datetime")
        self.store.accept_terms(user_pk)
        self.server.faults.terms_not_accepted = False  # the switch holds until someone accepts them
        return json_response({"terms_and_conditions_agreed": True})
