"""HTTP handlers of accounts (all dialects) and of workflows (``spec`` and ``mojodex-2024``), and the route
table of each dialect (see /work/shared/protocol.md for the contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .params import as_int, authorized, json_body, json_response, page, require

if TYPE_CHECKING:
    from .server import ReferenceServer


def require_terms(server: ReferenceServer, user_pk: int) -> None:
    """401 for an account that never accepted the terms (or when the fault switch says so)."""
    user = server.store.user_by_pk(user_pk)
    if server.faults.terms_not_accepted or user is None or not user.terms_accepted:
        raise ApiError(401, "Terms and conditions not accepted")


def setup_routes(server: ReferenceServer, app: web.Application) -> None:
    """Mount the routes of ``server.api``; a route a dialect does not have answers Flask's HTML 404."""
    from .account_routes import AccountRoutes
    from .chat_routes import ChatRoutes
    from .history_routes import HistoryRoutes
    from .home_chat import HomeChatRoutes
    from .reading_routes import ReadingRoutes
    from .resources import ResourceRoutes
    from .signup_routes import SignupRoutes
    from .task_routes import TaskRoutes
    from .todo_routes import TodoRoutes

    routes = Routes(server)
    app.router.add_post("/user", routes.login)
    app.router.add_put("/user", routes.signup)
    app.router.add_put("/terms_and_conditions", routes.accept_terms)
    if server.api == "mojodex-0.4":
        TaskRoutes(server).setup(app)
        ReadingRoutes(server).setup(app)
        TodoRoutes(server).setup(app)
        AccountRoutes(server).setup(app)
        HistoryRoutes(server).setup(app)
        SignupRoutes(server).setup(app)
        HomeChatRoutes(server).setup(app)
        ResourceRoutes(server).setup(app)
    else:
        routes.setup_workflows(app)
    if server.api == "mojodex-2024":
        TaskRoutes(server).setup_listing(app)
    if server.api != "spec":
        ChatRoutes(server).setup(app)


class Routes:
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store

    def setup_workflows(self, app: web.Application) -> None:
        spec = self.server.api == "spec"
        app.router.add_get("/user_workflow", self.list_workflows)
        app.router.add_get("/user_workflow_execution", self.get_execution)
        app.router.add_post("/user_workflow_execution", self.create_execution if spec else self.submit_inputs)
        app.router.add_put("/user_workflow_execution", self.submit_inputs if spec else self.create_execution)
        app.router.add_post("/user_workflow_step_execution", self.validate_step)

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
        language = None
        if self.server.api == "mojodex-0.4":
            # 0.4 hides a missing field behind its generic error, and takes the language (default en) at once
            # (protocol-0.4-more.md, section 10); the account has no plan until it chooses a free one.
            from .todo_routes import GENERIC

            if not all(isinstance(body.get(k), str) and body[k] for k in ("datetime", "email", "name", "password")):
                raise ApiError(400, GENERIC)
            code = body.get("language_code")
            language = code if isinstance(code, str) and 0 < len(code) <= 5 else "en"
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

    # ---- /user_workflow ----------------------------------------------------------------------------
    async def list_workflows(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require(query, "datetime", "platform", "version")
        limit, offset = page(query, "n_user_workflows")
        return json_response({"user_workflows": self.store.user_workflows(user_pk, limit, offset)})

    # ---- /user_workflow_execution -----------------------------------------------------------------
    async def create_execution(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require(body, "datetime", "platform", "user_workflow_pk")
        user_workflow_pk = as_int(body["user_workflow_pk"], "user_workflow_pk")
        found = self.store.user_workflow(user_workflow_pk)
        if found is None or found[0] != user_pk:
            raise ApiError(404, "Workflow not found for this user")
        require_terms(self.server, user_pk)
        execution = self.store.add_execution(user_workflow_pk, user_pk)
        return json_response(self.server.execution_json(execution.pk))

    def _own_execution(self, user_pk: int, value: Any) -> int:
        pk = as_int(value, "user_workflow_execution_pk")
        execution = self.store.execution(pk)
        if execution is None or execution.user_fk != user_pk:
            raise ApiError(404, "Workflow execution not found for this user")
        return pk

    async def submit_inputs(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require(body, "datetime", "platform", "user_workflow_execution_pk", "json_inputs")
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
        return json_response({"user_workflow_execution_pk": pk})

    async def get_execution(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require(query, "datetime", "platform", "user_workflow_execution_pk")
        pk = self._own_execution(user_pk, query["user_workflow_execution_pk"])
        return json_response(self.server.execution_json(pk))

    # ---- /user_workflow_step_execution ------------------------------------------------------------
    async def validate_step(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        require(body, "datetime", "platform", "user_workflow_step_execution_pk", "validated")
        pk = as_int(body["user_workflow_step_execution_pk"], "user_workflow_step_execution_pk")
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
        return json_response({"message": "Step validated"})
