"""The dialects of the server protocol (protocol.md): one module each, one interface (``_base.Dialect``), and
this registry, which names them without importing them (``mojodex help`` never loads a dialect).

A dialect is registered by one line below: its name, the module and class that speak it, the detection probes
its servers answer, and the dialect of the other generation of the workflow routes (same routes, two methods
swapped), if any. Everything else that needs the names (config choices, the demo, benches, tests) reads
``NAMES`` here or ``mojodex_core.DIALECTS``.

``detect`` tells them apart without a side effect: ``GET /user_workflow`` answers on ``spec`` and
``mojodex-2024`` servers and is an HTML 404 on Mojodex 0.4; ``GET /user_task`` answers on both backends and
is missing on a server that speaks only the specification.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mojodex_core._errors import BadResponseError, MojodexError, ServerError

if TYPE_CHECKING:
    from mojodex_core._dialects._base import Dialect
    from mojodex_core._http import HttpClient


@dataclass(frozen=True)
class Probe:
    """A GET that changes nothing and tells dialects apart: the route answers a JSON list under ``key``, or is
    missing (404, 405). ``versioned``: sent with ``version=server.version``."""

    path: str
    key: str
    versioned: bool = False


@dataclass(frozen=True)
class Registration:
    name: str
    module: str  # under mojodex_core._dialects
    cls: str
    answers: tuple[Probe, ...]  # the probes its servers answer; the other probes' routes are missing there
    other_generation: str = ""  # the dialect whose workflow routes swap two methods with this one's (protocol.md)


_REGISTRY: dict[str, Registration] = {}


def register(name: str, module: str, cls: str, *, answers: tuple[Probe, ...], other_generation: str = "") -> None:
    """Make dialect ``name`` known: ``mojodex_core._dialects.<module>.<cls>`` speaks it (imported on first use)."""
    _REGISTRY[name] = Registration(name, module, cls, answers, other_generation)


WORKFLOWS = Probe("/user_workflow", "user_workflows", versioned=True)
TASKS = Probe("/user_task", "user_tasks")

register("spec", "spec", "SpecDialect", answers=(WORKFLOWS,), other_generation="mojodex-2024")
register("mojodex-2024", "mojodex_2024", "Mojodex2024Dialect", answers=(WORKFLOWS, TASKS), other_generation="spec")
register("mojodex-0.4", "mojodex_04", "Mojodex04Dialect", answers=(TASKS,))

NAMES = tuple(_REGISTRY)
DIALECTS = NAMES  # public: mojodex_core.DIALECTS
CHOICES = ("auto", *NAMES)


def other_generation(name: str) -> str:
    """The dialect that swaps a route's methods with ``name`` ("" when none does)."""
    found = _REGISTRY.get(name)
    return found.other_generation if found is not None else ""


def make(name: str, http: HttpClient, version: str) -> Dialect:
    found = _REGISTRY.get(name)
    if found is None:
        raise ValueError(name)
    import importlib

    cls: type[Dialect] = getattr(importlib.import_module(f"mojodex_core._dialects.{found.module}"), found.cls)
    return cls(http, version)


def probes() -> tuple[Probe, ...]:
    """Every registered probe, once, in the order the registrations name them."""
    return tuple(dict.fromkeys(p for r in _REGISTRY.values() for p in r.answers))


def answering(present: set[str], asked: set[str]) -> list[str]:
    """The dialects whose servers answer the probes of ``present`` and not the other ones ``asked``."""
    return [r.name for r in _REGISTRY.values()
            if {p.path for p in r.answers} & asked == present]


async def _probe(http: HttpClient, probe: Probe, version: str) -> Any:
    """The route's answer when it lists the probe's key; None when the server has no such route (404, 405).

    Any other failure is raised: a server that answers 500 or refuses the token cannot be told apart.
    """
    params = {"version": version} if probe.versioned else {}
    try:
        data = await http.request("GET", probe.path, params=params, what="an answer")
    except ServerError as exc:
        if exc.route_missing or exc.status in (404, 405):
            return None
        raise
    if not isinstance(data, dict) or not isinstance(data.get(probe.key), list):
        raise BadResponseError(f"the server's answer to GET {probe.path} has no {probe.key!r} list")
    return data


async def detect(http: HttpClient, version: str) -> tuple[str, dict[str, Any]]:
    """The dialect the server speaks, from every registered probe (GETs that change nothing), and their answers
    by path (the first page of each list, which the dialect's first listing reuses)."""
    answers: dict[str, Any] = {}
    for probe in probes():
        data = await _probe(http, probe, version)
        if data is not None:
            answers[probe.path] = data
    found = answering(set(answers), {p.path for p in probes()})
    if len(found) != 1:
        paths = [p.path for p in probes()]
        raise MojodexError(f"the server at {http.base_url} has neither {' nor '.join(paths)}: it speaks "
                           "no Mojodex API this shell knows (is server.url the backend's address?)")
    return found[0], answers


async def identify(missing: Callable[[str], Awaitable[bool]]) -> str:
    """The dialect told by the probes' routes alone (``missing(path)``: whether the route is missing, as a sign-up
    without a login reads it), asking only until one dialect is left."""
    asked: set[str] = set()
    present: set[str] = set()
    found = list(NAMES)
    for probe in probes():
        asked.add(probe.path)
        if not await missing(probe.path):
            present.add(probe.path)
        fitting = answering(present, asked)
        if not fitting:
            break  # no dialect answers so: the first that fitted the probes before
        found = fitting
        if len(found) == 1:
            break
    return found[0]
