"""HTTP handlers of the reference server (see /work/shared/protocol.md for the contract)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError, missing
from .records import RECORD_KEY

if TYPE_CHECKING:
    from .server import ReferenceServer

PAGE_MAX = 50


# ---- request helpers -------------------------------------------------------------------------------
def _body(request: web.Request) -> dict[str, Any]:
    record = request[RECORD_KEY]
    if not record.body.strip():
        return {}
    try:
        data = json.loads(record.body)
    except ValueError:
        raise ApiError(400, "Invalid JSON body.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The JSON body must be an object.")
    return data


def _require(params: dict[str, Any] | Any, *names: str) -> None:
    for name in names:
        if name not in params or params[name] is None or params[name] == "":
            raise missing(name)


def _as_int(value: Any, name: str) -> int:
    """An int, or a string of one; within SQLite's range."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii():
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None or not -(2**63) < number < 2**63:
        raise ApiError(400, f"Bad parameter : '{name}' must be an integer")
    return number


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


class Routes:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store

    def setup(self, app: web.Application) -> None:
        spec = self.server.api == "spec"
        app.router.add_post("/user", self.login)
        app.router.add_put("/user", self.signup)
        app.router.add_get("/user_workflow", self.list_workflows)
        app.router.add_get("/user_workflow_execution", self.get_execution)
        app.router.add_post("/user_workflow_execution", self.create_execution if spec else self.submit_inputs)
        app.router.add_put("/user_workflow_execution", self.submit_inputs if spec else self.create_execution)
        app.router.add_post("/user_workflow_step_execution", self.validate_step)

    def _auth(self, request: web.Request) -> int:
        token = request.headers.get("Authorization", "").strip()
        found = self.store.token_user(token) if token else None
        if found is None:
            raise ApiError(403, "Invalid token.")
        user_pk, expired = found
        if expired:
            raise ApiError(403, "Token expired.")
        return user_pk

    # ---- /user -------------------------------------------------------------------------------------
    def _login_json(self, user_pk: int) -> dict[str, Any]:
        user = self.store.user_by_pk(user_pk)
        assert user is not None
        return {"token": self.store.new_token(user_pk), "language_code": "en", "name": user.name,
                "terms_and_conditions_agreed": True, "company_fk": None}

    async def login(self, request: web.Request) -> web.Response:
        body = _body(request)
        _require(body, "datetime", "email", "password", "login_method")
        if body["login_method"] != "email_password":
            raise ApiError(400, "Unknown login method.")
        email, password = body["email"], body["password"]
        if not isinstance(email, str) or not isinstance(password, str):
            raise ApiError(400, "Wrong email or password.")
        user = self.store.check_password(email, password)
        if user is None:
            raise ApiError(400, "Wrong email or password.")
        return _json(self._login_json(user.user_pk))

    async def signup(self, request: web.Request) -> web.Response:
        body = _body(request)
        _require(body, "datetime", "email", "name", "password")
        if not all(isinstance(body[k], str) for k in ("email", "name", "password")):
            raise ApiError(400, "email, name and password must be strings.")
        if self.store.user_by_email(body["email"]) is not None:
            raise ApiError(400, "Email already exists.")
        user = self.store.add_user(body["email"], body["password"], body["name"])
        return _json(self._login_json(user.user_pk))

    # ---- /user_workflow ----------------------------------------------------------------------------
    async def list_workflows(self, request: web.Request) -> web.Response:
        user_pk = self._auth(request)
        query = request.query
        _require(query, "datetime", "platform", "version")
        limit = min(_as_int(query.get("n_user_workflows", PAGE_MAX), "n_user_workflows"), PAGE_MAX)
        offset = _as_int(query.get("offset", 0), "offset")
        if limit < 1 or offset < 0:
            raise ApiError(400, "n_user_workflows must be positive and offset must not be negative.")
        return _json({"user_workflows": self.store.user_workflows(user_pk, limit, offset)})

    # ---- /user_workflow_execution -----------------------------------------------------------------
    async def create_execution(self, request: web.Request) -> web.Response:
        user_pk = self._auth(request)
        body = _body(request)
        _require(body, "datetime", "platform", "user_workflow_pk")
        user_workflow_pk = _as_int(body["user_workflow_pk"], "user_workflow_pk")
        found = self.store.user_workflow(user_workflow_pk)
        if found is None or found[0] != user_pk:
            raise ApiError(404, "User workflow not found.")
        execution = self.store.add_execution(user_workflow_pk, user_pk)
        return _json(self.server.execution_json(execution.pk))

    def _own_execution(self, user_pk: int, value: Any) -> int:
        pk = _as_int(value, "user_workflow_execution_pk")
        execution = self.store.execution(pk)
        if execution is None or execution.user_fk != user_pk:
            raise ApiError(404, "Workflow execution not found.")
        return pk

    async def submit_inputs(self, request: web.Request) -> web.Response:
        user_pk = self._auth(request)
        body = _body(request)
        _require(body, "datetime", "platform", "user_workflow_execution_pk", "json_inputs")
        pk = self._own_execution(user_pk, body["user_workflow_execution_pk"])
        json_inputs = body["json_inputs"]
        if not isinstance(json_inputs, list):
            raise ApiError(400, "json_inputs must be a list.")
        for entry in json_inputs:
            if not isinstance(entry, dict) or not isinstance(entry.get("input_name"), str):
                raise ApiError(400, "Each json_inputs entry must be an object with an input_name.")
        execution = self.store.execution(pk)
        assert execution is not None
        if execution.json_inputs is not None:
            raise ApiError(400, "Inputs already submitted for this execution.")
        self.server.runner.submit_inputs(pk, json_inputs)
        return _json({"user_workflow_execution_pk": pk})

    async def get_execution(self, request: web.Request) -> web.Response:
        user_pk = self._auth(request)
        query = request.query
        _require(query, "datetime", "platform", "user_workflow_execution_pk")
        pk = self._own_execution(user_pk, query["user_workflow_execution_pk"])
        return _json(self.server.execution_json(pk))

    # ---- /user_workflow_step_execution ------------------------------------------------------------
    async def validate_step(self, request: web.Request) -> web.Response:
        user_pk = self._auth(request)
        body = _body(request)
        _require(body, "datetime", "platform", "user_workflow_step_execution_pk", "validated")
        pk = _as_int(body["user_workflow_step_execution_pk"], "user_workflow_step_execution_pk")
        validated = body["validated"]
        if not isinstance(validated, bool):
            raise ApiError(400, "Bad parameter : 'validated' must be a boolean")
        step_execution = self.store.step_execution(pk)
        if step_execution is None:
            raise ApiError(404, "Step execution not found.")
        execution = self.store.execution(step_execution.execution_fk)
        if execution is None or execution.user_fk != user_pk:
            raise ApiError(404, "Step execution not found.")
        if step_execution.result is None:
            raise ApiError(400, "Step execution has not ended yet.")
        self.server.runner.validate(pk, validated)
        return _json({"message": "Step validated"})
