"""Helpers of the task tests (a uniquely named module, importable without packages).

The reference server speaks ``mojodex-0.4`` and runs in a thread of its own (``ServerThread``); with
``first_pk=11`` its tasks are Write poem (11, a workflow), General Assistance (12) and Meeting minutes (13, whose
assistant asks a question when inputs are left empty), as in protocol.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

API = "mojodex-0.4"
POEM, ASSIST, MINUTES, DISABLED = 11, 12, 13, 14
DEMO_EMAIL = "demo@example.com"
PROMPT = "mojodex>"
YOU = "you>"
# Tests wait for events, not for time. The server re-sends an event whose ack has not come in 2 s: a loaded machine
# may ack after 0.3 s, and an ack that never comes still fails wait_acked.
SERVER = {"api": API, "first_pk": 11, "ack_resend_seconds": 2.0}
# The server's tasks only (the local-workflow plugin's are left out), and a quick silence timeout. Tab's background
# loading asks the server nothing: these tests check what it received (tests/e2e/test_completion.py has the loads).
CONFIG = '[plugins]\ndisabled = ["local"]\n[task]\nreply_timeout_seconds = 20.0\n[shell]\nload_completions = false\n'


def write_config(home: Path, text: str) -> None:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    (home / "config.toml").write_text(text, encoding="utf-8")


def recorder(srv: Any) -> Any:
    return srv.server.recorder


def resent(srv: Any) -> list[tuple[str, Any]]:
    """Every event the server sent again because its ack did not come."""
    return list(srv.call(lambda: list(srv.server.recorder.resent)))


def acks(srv: Any) -> list[tuple[str, Any]]:
    return list(srv.call(lambda: list(srv.server.recorder.acks)))


def pending_acks(srv: Any) -> list[dict[str, Any]]:
    return list(srv.call(lambda: srv.server.acks.waiting()))


def wait_server(srv: Any, predicate: Any, timeout: float = 10.0) -> Any:
    return srv.call(srv.server.wait_until, predicate, timeout, timeout=timeout + 5)


def wait_acked(srv: Any, n: int, timeout: float = 10.0) -> None:
    """Until the server holds ``n`` answered acks and none waiting."""
    server = srv.server
    wait_server(srv, lambda: len(server.recorder.acks) >= n and not server.acks.waiting(), timeout)


def clarify_next(srv: Any) -> None:
    srv.call(lambda: setattr(srv.server.faults, "clarify_next", True))


def requests(srv: Any, method: str | None = None, path: str | None = None) -> list[Any]:
    return [r for r in srv.requests if (method is None or r.method == method) and (path is None or r.path == path)]


def messages_sent(srv: Any) -> list[str]:
    """The texts of the chat messages the server received, in order."""
    return [str(r.form.get("text")) for r in requests(srv, "PUT", "/user_message")]


def task_execution(srv: Any, pk: int) -> dict[str, Any]:
    return dict(srv.call(srv.server.stored_run, pk))


def add_runs(srv: Any, n: int, user_task_pk: int = ASSIST, title: str = "Old run") -> list[int]:
    """``n`` started runs of the demo user (General Assistance unless told), straight into the server's store."""
    import server_runs

    return server_runs.add_runs(srv, n, user_task_pk, title)


def draft_text(srv: Any, run_pk: int, version: int = -1) -> tuple[str, str]:
    """(title, body) of a stored version of the run's produced text."""
    v = task_execution(srv, run_pk)["versions"][version]
    return v.title, v.production


VERSION_LINE = re.compile(r"\(version (\d+) of run (\d+);")
