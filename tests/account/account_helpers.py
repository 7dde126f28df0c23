"""Helpers of the account and todo tests (a uniquely named module, importable without packages).

The reference server speaks ``mojodex-0.4`` in a thread of its own; with ``first_pk=11`` its tasks are Write poem
(11), General Assistance (12) and Meeting minutes (13), and the first run is 11.
"""

from __future__ import annotations

from typing import Any

ASSIST = 12
DEMO_EMAIL = "demo@example.com"
SERVER = {"api": "mojodex-0.4", "first_pk": 11, "ack_resend_seconds": 0.3}
# The server's tasks only, and no background loading of Tab's values: the tests count what the server received.
CONFIG = '[plugins]\ndisabled = ["local"]\n[task]\nreply_timeout_seconds = 20.0\n[shell]\nload_completions = false\n'
AROUND_RUNS = ("/todos", "/timezone", "/language", "/purchase")


def requests(srv: Any, method: str | None = None, path: str | None = None) -> list[Any]:
    return [r for r in srv.requests if (method is None or r.method == method) and (path is None or r.path == path)]


def add_run(srv: Any, title: str = "Weekly sync") -> int:
    """A started run of General Assistance of the demo user, straight into the server's store."""
    import server_runs

    return int(server_runs.add_runs(srv, 1, ASSIST, title)[0])


def add_todo(srv: Any, run_pk: int, description: str, *days: int, **state: Any) -> int:
    return int(srv.call(lambda: srv.server.accounts.add_todo(run_pk, description, *days, **state).pk))
