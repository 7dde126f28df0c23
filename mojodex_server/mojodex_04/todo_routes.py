"""HTTP handlers of 0.4's todos and timezone (protocol-0.4-more.md, section 1), errors worded as the backend words
them: the to-do list is empty while the user's timezone offset was never sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import ApiError
from ..params import authorized, is_json, json_body, json_response
from ..routes import Handler, Routes

if TYPE_CHECKING:
    from ..account_store import Todo

GENERIC = "Oops, something weird has happened. We'll help you by email!"
BAD_REQUEST = ("400 Bad Request: The browser (or proxy) sent a request that this server could not understand.")
MISSING = f"Missing field {BAD_REQUEST}"  # a missing query parameter (werkzeug's KeyError, quoted)
MAX_TODOS = 50


def internal_error() -> web.Response:
    """What Flask answers an uncaught exception (a non-integer where an int is parsed)."""
    return json_response({"message": "Internal Server Error"}, 500)


def pk_of(value: Any) -> int | None:
    """A pk as the backend's query compares it: an int, or a string of one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


class TodoRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/todos", self.list_todos),
            ("POST", "/todos", self.mark),
            ("DELETE", "/todos", self.delete),
            ("POST", "/timezone", self.timezone),
        ]

    def _own_todo(self, user_pk: int, value: Any) -> Todo:
        todo = self.accounts.todos.get(pk_of(value) or 0)
        if todo is None or todo.user_pk != user_pk:
            raise ApiError(404, "Todo not found")
        return todo

    def _own_run(self, user_pk: int, value: Any) -> int:
        """A run of the user's, whatever its state (deleted and never-started runs included)."""
        pk = pk_of(value)
        run = self.server.store.tasks.execution(pk) if pk is not None else None
        if run is None or run.user_fk != user_pk:
            raise ApiError(404, "user_task_execution_pk not found")
        return run.pk

    async def list_todos(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        if "datetime" not in query:
            raise ApiError(400, f"Missing {BAD_REQUEST} in args")
        try:
            limit = min(MAX_TODOS, int(query.get("n_todos", MAX_TODOS)))
            offset = int(query.get("offset", 0))
        except ValueError:
            return internal_error()
        if "user_task_execution_fk" in query:
            todos = self.accounts.run_todos(self._own_run(user_pk, query["user_task_execution_fk"]))
        else:
            todos = self.accounts.todo_list(user_pk)
        shown = todos[max(0, offset):max(0, offset) + max(0, limit)]
        return json_response({"todos": [t.json() for t in shown],
                              "user_has_never_done_todo": not self.accounts.user_todos(user_pk),
                              "n_todos_not_read": self.accounts.unread(user_pk)})

    async def mark(self, request: web.Request) -> web.Response:
        from ..account_store import naive_now

        user_pk = authorized(request, self.store)
        if not is_json(request):
            raise ApiError(400, "Invalid request")
        body = json_body(request)
        if "datetime" not in body:
            raise ApiError(400, "Missing field 'datetime'")
        read, done = body.get("mark_as_read", False), body.get("mark_as_done", False)
        if not all(isinstance(v, int) for v in (read, done)):  # the backend sums them: a TypeError otherwise
            return internal_error()
        if int(read) + int(done) in (0, 2):
            raise ApiError(400, "mark_as_read and mark_as_done are False. Set just one of them as True")
        if done and "todo_pk" not in body:
            raise ApiError(400, "Missing field todo_pk")
        if "todo_pk" in body:
            todo = self._own_todo(user_pk, body["todo_pk"])
            if read:
                todo.read_by_user = naive_now()
            else:
                if todo.completed:
                    raise ApiError(400, "Todo already done, can't do it again.")
                todo.completed = naive_now()
            return json_response({"todo_pk": body["todo_pk"]})
        if "user_task_execution_pk" in body:
            run_pk = self._own_run(user_pk, body["user_task_execution_pk"])
            for todo in self.accounts.todos.values():
                if todo.run_pk == run_pk and todo.read_by_user is None:
                    todo.read_by_user = naive_now()
            return json_response({"user_task_execution_pk": body["user_task_execution_pk"]})
        marked = [t for t in self.accounts.user_todos(user_pk) if t.read_by_user is None]
        for todo in marked:
            todo.read_by_user = naive_now()
        return json_response({"todo_pks": [t.pk for t in marked]})

    async def delete(self, request: web.Request) -> web.Response:
        from ..account_store import naive_now

        user_pk = authorized(request, self.store)
        query = request.query
        if "datetime" not in query or "todo_pk" not in query:
            raise ApiError(400, MISSING)
        todo = self._own_todo(user_pk, query["todo_pk"])
        todo.deleted = naive_now()
        return json_response({"todo_pk": query["todo_pk"]})  # the query's text: a string

    async def timezone(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request) if is_json(request) else {}
        if "datetime" not in body or "timezone_offset" not in body:
            raise ApiError(400, GENERIC)
        value = body["timezone_offset"]
        if value is None:
            offset = None
        elif isinstance(value, float) and value.is_integer():
            offset = int(value)
        else:
            offset = pk_of(value)
            if offset is None:
                raise ApiError(400, GENERIC)
        self.accounts.offsets[user_pk] = offset
        return json_response({"success": "Timezone updated"})
