"""Past runs put straight into a reference server's store (``mojodex-0.4``), for tests that need many of them.

Importable from every test folder (``tests/`` is on the path, as ``terminal`` is).
"""

from __future__ import annotations

from typing import Any

DEMO_EMAIL = "demo@example.com"


def add_runs(srv: Any, n: int, user_task_pk: int, title: str = "Old run") -> list[int]:
    """``n`` started runs of task ``user_task_pk`` of the demo user, titled ``{title} 0``, ``{title} 1``...;
    ``srv`` is a server in a thread (its ``call`` runs a function in the server's loop). Returns their pks."""

    def add() -> list[int]:
        store = srv.server.store
        user = store.user_by_email(DEMO_EMAIL)
        pks = []
        for i in range(n):
            pk = store.tasks.add_execution(user_task_pk, user.user_pk, [
                {"input_name": "request", "type": "text_area", "value": f"request {i}"}])
            store.tasks.set_started(pk)
            store.tasks.set_title(pk, f"{title} {i}")
            pks.append(pk)
        return pks

    return list(srv.call(add))
