"""What one dialect of the reference server is, and the registry that finds a dialect by name.

A dialect is a package (``spec``, ``mojodex_2024``, ``mojodex_04``) with one :class:`Dialect` subclass, named
in the table below and imported only when a server speaks it. The server asks its dialect (its routes, its demo
content, how it answers a chat message...); nothing else in the server tests a dialect's name.

Who imports whom: ``server`` imports this module, which imports a dialect package when asked; a dialect package
imports the shared modules (storage, params, steps, chat, sockets...), never the server nor another dialect.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ApiError

if TYPE_CHECKING:
    from aiohttp import web

    from .server import ReferenceServer
    from .task_store import FormFile

_REGISTRY: dict[str, tuple[str, str]] = {}


def register(name: str, module: str, class_name: str) -> None:
    """Make dialect ``name`` the class ``class_name`` of ``module`` (imported when a server speaks it)."""
    _REGISTRY[name] = (module, class_name)


register("spec", "mojodex_server.spec", "Spec")
register("mojodex-2024", "mojodex_server.mojodex_2024", "Mojodex2024")
register("mojodex-0.4", "mojodex_server.mojodex_04", "Mojodex04")

NAMES: tuple[str, ...] = tuple(_REGISTRY)
"""The dialects' names, in the order the shell lists them."""


def dialect_class(name: str) -> type[Dialect]:
    if name not in _REGISTRY:
        raise ValueError(f"api must be one of {NAMES}, not {name!r}")
    module, class_name = _REGISTRY[name]
    found: type[Dialect] = getattr(importlib.import_module(module), class_name)
    return found


class Dialect:
    """One dialect's routes and behaviours; one instance per server, made when the server is."""

    name: ClassVar[str]
    end_event: ClassVar[bool] = True
    """A ``workflow_execution_produced_text`` event ends a workflow run (the default of ``end_event``)."""
    loses_last_validation: ClassVar[bool] = False
    """The validation of a run's very last step is answered 200 but never stored."""

    def __init__(self, server: ReferenceServer) -> None:
        self.server = server

    def setup_routes(self, app: web.Application) -> None:
        """Mount this dialect's routes (the accounts' are mounted for every dialect)."""

    def install_demo(self) -> int:
        """Give the demo account its content; return the Write poem workflow's ref."""
        raise NotImplementedError

    def add_workflow(self, name: str, icon: str, description: str, inputs: list[Any] | None,
                     steps: list[str] | None, user_email: str) -> int:
        """Give ``user_email`` a workflow; return the ref a client runs it by."""
        raise NotImplementedError

    def signup_language(self, body: dict[str, Any]) -> str | None:
        """The language a new account (``PUT /user``) starts with; may refuse the body first."""
        return None

    def stored_run(self, pk: int) -> dict[str, Any]:
        """Run ``pk`` as its GET returns it, plus what is stored, for tests to read (KeyError: no such run)."""
        raise NotImplementedError

    def session_not_found(self, session_id: Any) -> Any:
        """The payload of the ``error`` event that refuses ``start_session`` on an unknown session."""
        return {"error": "Unknown session.", "session_id": session_id}

    # ---- PUT /user_message (dialects that chat) -------------------------------------------------------
    def message_run(self, session_id: str, fields: dict[str, str]) -> tuple[str, int]:
        """(the run's key, its pk) that a chat message on ``session_id`` answers with."""
        raise ApiError(404, "Session not found")

    takes_voice: ClassVar[bool] = False
    """A message without ``text`` is a voice message, its audio in the form's ``file`` part."""

    async def transcribe(self, session_id: str, message_id: str, uploads: dict[str, FormFile]) -> tuple[str, float]:
        """A voice message's (transcription, seconds)."""
        raise NotImplementedError

    async def answer_message(self, session_id: str) -> None:
        """The assistant's answer to the user's latest message on ``session_id`` (in the background)."""
