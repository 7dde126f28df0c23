"""The chat sessions outside any task (Mojodex 0.4's "home chat"), in memory: who owns each one.

Their messages are in ``TaskStore`` like a run's; a task the assistant starts from a chat is a run whose
``session_id`` is the chat's (the backend's sessions can hold a run, protocol-0.4-more.md section 7).
"""

from __future__ import annotations

import secrets

from .table import page
from .task_store import TaskStore


class ChatSessionStore:
    def __init__(self, tasks: TaskStore) -> None:
        self.tasks = tasks
        self._owners: dict[str, int] = {}  # session id -> user pk, in the order they were made; deleted ones gone

    def add(self, user_pk: int) -> str:
        session_id = secrets.token_hex(16)
        self._owners[session_id] = user_pk
        return session_id

    def owner(self, session_id: str) -> int | None:
        """The user pk of the (undeleted) chat session ``session_id``."""
        return self._owners.get(session_id)

    def with_messages(self, user_pk: int, limit: int, offset: int) -> list[str]:
        """The user's chat sessions that have at least one message, the one spoken in last first."""
        last = {s: m[0].pk for s, u in self._owners.items() if u == user_pk and (m := self.tasks.messages(s, 1))}
        return page(sorted(last, key=lambda s: last[s], reverse=True), limit, offset)

    def delete(self, session_id: str) -> None:
        self._owners.pop(session_id, None)

    def attach_run(self, run_pk: int, session_id: str) -> None:
        """The run the assistant started from the chat lives in the chat's session."""
        self.tasks.set_session(run_pk, session_id)
