"""The dialects of the server protocol (protocol.md): one module each, one interface (``_base.Dialect``).

``detect`` tells them apart without a side effect: ``GET /user_workflow`` answers on ``spec`` and
``mojodex-2024`` servers and is an HTML 404 on Mojodex 0.4; ``GET /user_task`` answers on both backends and
is missing on a server that speaks only the specification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mojodex_core._errors import BadResponseError, MojodexError, ServerError

if TYPE_CHECKING:
    from mojodex_core._dialects._base import Dialect
    from mojodex_core._http import HttpClient

NAMES = ("spec", "mojodex-2024", "mojodex-0.4")
CHOICES = ("auto", *NAMES)


def make(name: str, http: HttpClient, version: str) -> Dialect:
    if name == "spec":
        from mojodex_core._dialects.spec import SpecDialect

        return SpecDialect(http, version)
    if name == "mojodex-2024":
        from mojodex_core._dialects.mojodex_2024 import Mojodex2024Dialect

        return Mojodex2024Dialect(http, version)
    if name == "mojodex-0.4":
        from mojodex_core._dialects.mojodex_04 import Mojodex04Dialect

        return Mojodex04Dialect(http, version)
    raise ValueError(name)


async def _probe(http: HttpClient, path: str, key: str, params: dict[str, str]) -> Any:
    """The route's answer when it lists ``key``; None when the server has no such route (404, 405).

    Any other failure is raised: a server that answers 500 or refuses the token cannot be told apart.
    """
    try:
        data = await http.request("GET", path, params=params, what="an answer")
    except ServerError as exc:
        if exc.route_missing or exc.status in (404, 405):
            return None
        raise
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise BadResponseError(f"the server's answer to GET {path} has no {key!r} list")
    return data


async def detect(http: HttpClient, version: str) -> tuple[str, dict[str, Any]]:
    """The dialect the server speaks, in two GETs that change nothing, and their answers by path (the first
    page of each list, which the dialect's first listing reuses)."""
    answers: dict[str, Any] = {}
    workflows = await _probe(http, "/user_workflow", "user_workflows", {"version": version})
    if workflows is not None:
        answers["/user_workflow"] = workflows
    tasks = await _probe(http, "/user_task", "user_tasks", {})
    if tasks is not None:
        answers["/user_task"] = tasks
    if workflows is None:
        if tasks is not None:
            return "mojodex-0.4", answers
        raise MojodexError(f"the server at {http.base_url} has neither /user_workflow nor /user_task: it speaks "
                           "no Mojodex API this shell knows (is server.url the backend's address?)")
    return ("mojodex-2024" if tasks is not None else "spec"), answers
