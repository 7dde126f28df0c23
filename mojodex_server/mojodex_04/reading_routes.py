"""HTTP handlers of 0.4 for reading back: runs, produced texts and their versions, the conversation (renaming and
deleting are in :mod:`mojodex_server.history_routes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..errors import ApiError
from ..params import as_int, authorized, json_response, page, require_field
from ..routes import Handler, Routes
from ..task_store import ProducedTextVersion
from .views import find_run, run_json, run_not_found

if TYPE_CHECKING:
    pass


def version_json(version: ProducedTextVersion) -> dict[str, object]:
    return {"produced_text_pk": version.produced_text_pk, "produced_text_version_pk": version.pk,
            "produced_text_version_index": version.index, "title": version.title, "production": version.production,
            "produced_text_title": version.title, "produced_text": version.production,
            "text_type": version.text_type, "creation_date": version.creation_date,
            "user_task_execution_fk": version.execution_fk}


class ReadingRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/user_task_execution", self.runs),
            ("GET", "/produced_text", self.produced_text),
            ("GET", "/user_task_execution_produced_text", self.run_produced_text),
            ("GET", "/message", self.messages),
        ]

    async def runs(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require_field(query, "datetime")
        if "user_task_execution_pk" in query:
            pk = as_int(query["user_task_execution_pk"], "user_task_execution_pk")
            # The backend's read fails on the missing row and answers 400 with the exception's text: a sentence here.
            # A run the user deleted is still read (``deleted_by_user: true``), as on the backend.
            run = self.tasks.execution(pk)
            if run is None or run.user_fk != user_pk:
                raise ApiError(400, run_not_found(pk))
            return json_response(run_json(self.server, run))
        limit, offset = page(query, "n_user_task_executions")
        runs = self.tasks.started_executions(user_pk)
        search = query.get("search_filter", "").strip().lower()
        if search:
            runs = [r for r in runs if search in (r.title or "").lower()]
        refs = {as_int(p, "user_task_pks") for p in query.get("user_task_pks", "").split(";") if p.strip()}
        if refs:
            runs = [r for r in runs if r.user_task_fk in refs]
        shown = [run_json(self.server, r) for r in runs[offset:offset + limit]]
        return json_response({"user_task_executions": shown})

    async def produced_text(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require_field(query, "datetime", "produced_text_pk")
        pk = as_int(query["produced_text_pk"], "produced_text_pk")
        versions = self.tasks.versions_of_text(pk)
        if not versions or versions[-1].user_fk != user_pk:
            raise ApiError(404, "Produced text not found")
        if self.tasks.produced_text_owner(pk, with_deleted=False) is None:  # deleted by the user
            raise ApiError(400, f"Invalid produced_text produced_text_pk: {pk} for this user")
        return json_response(version_json(versions[-1]))

    async def run_produced_text(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require_field(query, "datetime", "user_task_execution_pk")
        run = find_run(self.server, user_pk, as_int(query["user_task_execution_pk"], "user_task_execution_pk"))
        versions = self.tasks.versions_of_execution(run.pk) if run is not None else []
        index = as_int(query.get("produced_text_version_index", len(versions)), "produced_text_version_index")
        if index < 1:
            raise ApiError(400, "produced_text_version_index must be > 0")
        if index > len(versions):
            # As the backend answers a version it does not have. (It checks no owner and would answer another
            # user's text: here that run has no version, as an unknown one.)
            return json_response({"produced_text_version_pk": None})
        return json_response(version_json(versions[index - 1]))

    async def messages(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require_field(query, "datetime", "session_id")
        if self.store.session_owner(query["session_id"]) != user_pk:
            raise ApiError(404, "Session not found")
        limit, offset = page(query, "n_messages")
        found = self.tasks.messages(query["session_id"], limit, offset)
        return json_response({"messages": [
            {"message_pk": m.pk, "sender": m.sender, "message": {k: v for k, v in m.message.items() if k != "question"},
             "audio": False, "in_error_state": None, "creation_date": m.creation_date} for m in found
        ]})
