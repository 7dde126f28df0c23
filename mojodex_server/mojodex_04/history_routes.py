"""HTTP handlers of 0.4 that keep the history tidy: hand edits of a produced text (``POST /produced_text``) and
deleting one, renaming a run and deleting it (protocol-0.4-more.md, sections 2 and 3).

As on the backend: none of them sends an event (a client re-reads the run); deletes are soft; the run delete
echoes its pk as a string, the produced text delete as an int.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import ApiError
from ..params import as_int, authorized, is_json, json_body, json_response, require_field
from ..routes import Handler, Routes

if TYPE_CHECKING:
    pass

# What Flask says for a missing query parameter (``request.args[...]``), after the backend's "Missing field".
MISSING = ("Missing field 400 Bad Request: The browser (or proxy) sent a request that this server could not "
           "understand.")


def query_field(request: web.Request, name: str) -> str:
    if name not in request.query:
        raise ApiError(400, MISSING)
    return request.query[name]


def backend_int(value: Any) -> int:
    """An int as the backend's SQL reads one: anything else is an uncaught exception there (500)."""
    try:
        return as_int(value, "pk")
    except ApiError:
        raise ApiError(500, "Internal Server Error") from None


class HistoryRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", "/produced_text", self.edit_text),
            ("DELETE", "/produced_text", self.delete_text),
            ("POST", "/user_task_execution_title", self.rename_run),
            ("DELETE", "/user_task_execution", self.delete_run),
        ]

    def _json(self, request: web.Request, refusal: str) -> dict[str, Any]:
        if not is_json(request):
            raise ApiError(400, refusal)
        return json_body(request)

    # ---- produced texts ----------------------------------------------------------------------------------
    async def edit_text(self, request: web.Request) -> web.Response:
        """A hand edit (a new version of the same text), or, without ``produced_text_pk``, a new text: tied to
        ``user_task_execution_pk`` it becomes that run's text."""
        user_pk = authorized(request, self.store)
        body = self._json(request, "Request must be JSON")
        require_field(body, "datetime", "production")
        production = body["production"]
        title = body.get("title")
        if not isinstance(production, str) or (title is not None and not isinstance(title, str)):
            raise ApiError(400, "production and title must be strings")
        text_pk = body.get("produced_text_pk")
        if text_pk is not None:
            pk = backend_int(text_pk)
            if self.tasks.produced_text_owner(pk) != user_pk:
                raise ApiError(400, f"Invalid produced_text produced_text_pk for this user: {pk}")
        else:
            run_pk = body.get("user_task_execution_pk")
            run = self.tasks.execution(backend_int(run_pk)) if run_pk is not None else None
            if run_pk is not None and (run is None or run.user_fk != user_pk):
                raise ApiError(400, f"Invalid user_task_execution_pk: {run_pk}")
            pk = self.tasks.add_produced_text(run.pk if run else None, user_pk)
        versions = self.tasks.versions_of_text(pk)
        text_type = versions[-1].text_type if versions else "document"  # copied from the latest version
        version = self.tasks.add_version(pk, title, production, text_type)
        return json_response({"produced_text_pk": pk, "produced_text_version_pk": version.pk})

    async def delete_text(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        require_field(request.query, "datetime")
        pk = backend_int(query_field(request, "produced_text_pk"))
        if self.tasks.produced_text_owner(pk) != user_pk:
            raise ApiError(400, f"Invalid produced_text produced_text_pk: {pk}")
        self.tasks.delete_produced_text(pk)
        return json_response({"produced_text_pk": pk})

    # ---- runs --------------------------------------------------------------------------------------------
    async def rename_run(self, request: web.Request) -> web.Response:
        """Renamed before it starts, a run keeps the name: the title event never comes (the title is made only
        while there is none)."""
        user_pk = authorized(request, self.store)
        body = self._json(request, "Invalid request")
        require_field(body, "datetime", "user_task_execution_pk", "title")
        pk = as_int(body["user_task_execution_pk"], "user_task_execution_pk")
        run = self.tasks.execution(pk)
        if run is None or run.user_fk != user_pk:
            raise ApiError(400, f"Invalid user_task_execution_pk: {pk}")
        if not isinstance(body["title"], str):
            raise ApiError(400, "title must be a string")
        self.tasks.set_title(run.pk, body["title"])
        return json_response({"success": True})

    async def delete_run(self, request: web.Request) -> web.Response:
        """Soft: gone from the list and searches, still read (``deleted_by_user``) and chatted with."""
        user_pk = authorized(request, self.store)
        require_field(request.query, "datetime")
        pk = backend_int(query_field(request, "user_task_execution_pk"))
        run = self.tasks.execution(pk)
        if run is None or run.user_fk != user_pk:
            raise ApiError(404, "User task execution not found")
        self.tasks.delete_execution(run.pk)
        return json_response({"user_task_execution_pk": str(run.pk)})
