"""A group of a server's HTTP handlers, mounted from its table of routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .server import ReferenceServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Routes:
    """HTTP handlers of one server: ``table()`` lists (method, path, handler) and ``setup`` mounts them. The handlers
    reach the shared state through ``server``, ``store``, ``tasks`` (0.4's storage) and ``accounts``."""

    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.store = server.store
        self.tasks = server.store.tasks
        self.accounts = server.accounts

    def table(self) -> list[tuple[str, str, Handler]]:
        raise NotImplementedError

    def setup(self, app: web.Application) -> None:
        for method, path, handler in self.table():
            app.router.add_route(method, path, handler)
