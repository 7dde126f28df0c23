"""The registry of dialects: the names everyone reads, detection driven by the registered probes (the same two
GETs and answers as ever), the other generation of the workflow routes, and the dialect modules left unimported
until a server speaks them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest

import mojodex_core
from mojodex_core import _dialects
from mojodex_core._errors import MojodexError, ServerError
from mojodex_server.server import APIS

PAGES = {"/user_workflow": {"user_workflows": [{"user_workflow_pk": 1}]}, "/user_task": {"user_tasks": []}}
# The routes a server of each dialect has, and what detection has always answered for them.
SERVERS = [({"/user_workflow"}, "spec"), ({"/user_workflow", "/user_task"}, "mojodex-2024"),
           ({"/user_task"}, "mojodex-0.4")]


class FakeHttp:
    base_url = "http://mojodex.test"

    def __init__(self, routes: set[str]) -> None:
        self.routes = routes
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, **_: Any) -> Any:
        assert method == "GET"
        self.asked.append((path, dict(params or {})))
        if path not in self.routes:
            raise ServerError("no such route", 404, route_missing=True)
        return PAGES[path]


def test_the_reference_server_plays_every_registered_dialect_and_no_other():
    # The reference server shares no code with the shell: its own list, kept equal to the registry's here.
    assert tuple(APIS) == mojodex_core.DIALECTS == _dialects.NAMES
    assert ("auto", *mojodex_core.DIALECTS) == _dialects.CHOICES


def test_reading_the_names_imports_no_dialect():
    code = ("import sys, mojodex_core; mojodex_core.DIALECTS; "
            "print(sorted(m for m in sys.modules if m.startswith('mojodex_core._dialects.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", _dialects.NAMES)
def test_each_name_makes_its_dialect_and_the_generations_pair_up(name):
    dialect = _dialects.make(name, None, "1.2.3")  # type: ignore[arg-type]  # nothing is sent
    assert dialect.name == name and dialect.version == "1.2.3"
    other = _dialects.other_generation(name)
    assert other == "" or _dialects.other_generation(other) == name
    # Read the result back from the run on the specification's generations only (0.4's events carry it whole).
    assert dialect.can.result_in_run is (name != "mojodex-0.4")


def test_the_workflow_routes_generations():
    assert _dialects.other_generation("spec") == "mojodex-2024"
    assert _dialects.other_generation("mojodex-0.4") == "" == _dialects.other_generation("nonsense")
    with pytest.raises(ValueError):
        _dialects.make("nonsense", None, "0")  # type: ignore[arg-type]


@pytest.mark.parametrize(("routes", "name"), SERVERS)
def test_detection_asks_the_same_two_gets_and_keeps_their_answers(routes, name):
    http = FakeHttp(routes)
    found, answers = asyncio.run(_dialects.detect(http, "0.4.12"))  # type: ignore[arg-type]
    assert found == name
    assert http.asked == [("/user_workflow", {"version": "0.4.12"}), ("/user_task", {})]
    assert answers == {path: PAGES[path] for path in routes}


def test_detection_of_a_server_with_neither_route_says_so_in_one_line():
    with pytest.raises(MojodexError, match=r"^the server at http://mojodex.test has neither /user_workflow nor "
                                           r"/user_task: it speaks no Mojodex API this shell knows"):
        asyncio.run(_dialects.detect(FakeHttp(set()), "0"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("routes", "name", "asked"), [
    (set(), "mojodex-0.4", ["/user_workflow"]),
    *[(routes, name, ["/user_workflow"] if name == "mojodex-0.4" else ["/user_workflow", "/user_task"])
      for routes, name in SERVERS],
])
def test_the_signups_detection_stops_as_soon_as_one_dialect_is_left(routes, name, asked):
    seen: list[str] = []

    async def missing(path: str) -> bool:
        seen.append(path)
        return path not in routes

    assert asyncio.run(_dialects.identify(missing)) == name
    assert seen == asked
