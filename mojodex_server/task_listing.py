"""``GET /user_task``: the tasks a user may run, as ``mojodex-0.4`` lists them and as ``mojodex-2024`` lists its
older instruct tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

from .errors import ApiError
from .params import as_int, authorized, json_response, page, require_field
from .routes import Handler, Routes
from .task_store import UserTask

if TYPE_CHECKING:
    from .server import ReferenceServer

PLATFORMS = ("webapp", "mobile")


def check_platform(params: Any) -> None:
    platform = params.get("platform", "webapp")
    if platform not in PLATFORMS:
        raise ApiError(404, f"the platform '{platform}' is invalid")


def task_json(server: ReferenceServer, task: UserTask, one: bool = False) -> dict[str, Any]:
    """A task as ``GET /user_task`` lists it (``one``: as it returns a single task, with the user_task_ keys)."""
    steps = server.store.tasks.task_steps(task.task_pk) if task.task_type == "workflow" else []
    data: dict[str, Any] = {
        "user_task_pk": task.user_task_pk, "task_pk": task.task_pk,
        "task_name": server.accounts.task_name(task.user_fk, task.name),
        "task_description": task.description, "task_icon": task.icon, "task_type": task.task_type,
        "steps": [s.json() for s in steps], "enabled": task.enabled,
    }
    if one:
        data.update(user_task_name=data["task_name"], user_task_description=task.description,
                    user_task_icon=task.icon)
    return data


class TaskListing(Routes):
    task_type: ClassVar[str | None] = None
    """The only type of task listed (None: every type)."""

    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/user_task", self.list_tasks),
        ]

    async def list_tasks(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        require_field(query, "datetime")
        check_platform(query)
        purchase = self.server.accounts.has_purchase(user_pk)  # a plan used up: its tasks vanish
        if "user_task_pk" in query:
            pk = as_int(query["user_task_pk"], "user_task_pk")
            task = self.tasks.user_task(pk)
            if (task is None or task.user_fk != user_pk or not task.enabled or not purchase
                    or self.task_type not in (None, task.task_type)):
                raise ApiError(400, f"Invalid user_task_pk: {pk} for this user")
            return json_response(task_json(self.server, task, one=True))
        limit, offset = page(query, "n_user_tasks")
        if not purchase:
            return json_response({"user_tasks": []})
        kind = self.task_type
        found = self.tasks.enabled_user_tasks(user_pk, limit, offset, kind)
        if len(found) < limit:  # a short page: the tasks the user cannot run come after
            skip = max(0, offset - self.tasks.count_enabled(user_pk, kind))
            found += self.tasks.unavailable_tasks(user_pk, limit - len(found), skip, kind)
        return json_response({"user_tasks": [task_json(self.server, t) for t in found]})
