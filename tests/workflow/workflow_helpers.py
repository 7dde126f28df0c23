"""Helpers of the workflow tests (a uniquely named module, importable without packages).

The reference server runs in a thread of its own (``ServerThread`` of tests/conftest.py); these helpers read
what it received and wait on its state from the test's thread, always with a timeout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEMO_EMAIL = "demo@example.com"
POEM_LINE = "🌸 Write poem - Write a poem stanza by stanza"
TOPIC = "Beauty of life at spring"
NOW = {"datetime": "now", "platform": "webapp"}
PROMPT = "mojodex> "
QUESTION = "Continue (Y/n)? "
VALIDATE_PATH = "/user_workflow_step_execution"
EXECUTION_PATH = "/user_workflow_execution"


def write_config(home: Path, text: str) -> None:
    """The user's config file, as a person would write it (TOML)."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    (home / "config.toml").write_text(text, encoding="utf-8")


def requests(srv: Any, method: str | None = None, path: str | None = None) -> list[Any]:
    return [r for r in srv.requests if (method is None or r.method == method) and (path is None or r.path == path)]


def validations(srv: Any) -> list[Any]:
    """The validation POSTs the server received, in order."""
    return requests(srv, "POST", VALIDATE_PATH)


def execution(srv: Any, pk: int) -> dict[str, Any]:
    """The stored execution (with every step execution, validated or not)."""
    return dict(srv.call(srv.server.stored_run, pk))


def wait_server(srv: Any, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Wait, in the server's own loop, until ``predicate()`` is true (re-checked on every recorded change)."""
    return srv.call(srv.server.wait_until, predicate, timeout, timeout=timeout + 5)


def step_executions(srv: Any, pk: int) -> list[dict[str, Any]]:
    return list(execution(srv, pk)["step_executions"])


def accept_the_poem(term: Any, stanzas: int = 1) -> None:
    """At the question after the poem's divider step: accept it, then each stanza, up to the run's end."""
    term.expect(QUESTION)
    term.line("")
    for _ in range(stanzas):
        term.expect("Step stanza_writer ended")
        term.expect(QUESTION)
        term.line("")
    term.expect("Run finished.")
    term.expect(PROMPT)


def set_faults(srv: Any, **knobs: Any) -> None:
    def apply() -> None:
        for name, value in knobs.items():
            setattr(srv.server.faults, name, value)

    srv.call(apply)


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` as a JSON object (a line that is not one fails the test)."""
    out = []
    for line in text.splitlines():
        value = json.loads(line)
        assert isinstance(value, dict), line
        out.append(value)
    return out


def many_topics(n: int) -> Callable[[str, dict[str, Any]], Any]:
    """A generator whose stanza_divider returns ``n`` topics (so stanza_writer runs ``n`` times)."""

    async def generate(step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
        if step_name == "stanza_divider":
            return [{"stanza_topic": f"topic {i}"} for i in range(n)]
        return [{"stanza": f"a stanza on {parameter.get('stanza_topic')}"}]

    return generate


class Gate:
    """A generator whose steps wait until the test opens the gate (``gate.open(srv)``): a step runs as long
    as the test needs, with no timing guess. The other steps' output is ``offline_generator``'s."""

    def __init__(self, step_name: str = "stanza_divider") -> None:
        import asyncio

        self.step_name = step_name
        self.event = asyncio.Event()  # bound to the server's loop on its first wait

    async def __call__(self, step_name: str, parameter: dict[str, Any]) -> list[dict[str, Any]]:
        from mojodex_server import offline_generator

        if step_name == self.step_name:
            await self.event.wait()
        return await offline_generator(step_name, parameter)

    def open(self, srv: Any) -> None:
        srv.call(self.event.set)
