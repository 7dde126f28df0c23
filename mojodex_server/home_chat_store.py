"""SQLite table of the chat sessions outside any task (Mojodex 0.4's "home chat"): who owns each one.

Their messages are in ``messages`` like a run's; a task the assistant starts from a chat is a run whose
``session_id`` is the chat's (the backend's sessions can hold a run, protocol-0.4-more.md section 7).
"""

from __future__ import annotations

import secrets
import sqlite3

from .task_store import now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_sessions (session_id TEXT PRIMARY KEY, user_fk INTEGER NOT NULL,
                                          creation_date TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
"""


class ChatSessionStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(SCHEMA)

    def add(self, user_pk: int) -> str:
        session_id = secrets.token_hex(16)
        self.db.execute("INSERT INTO chat_sessions (session_id, user_fk, creation_date) VALUES (?, ?, ?)",
                        (session_id, user_pk, now_iso()))
        return session_id

    def owner(self, session_id: str) -> int | None:
        """The user pk of the (undeleted) chat session ``session_id``."""
        row = self.db.execute("SELECT user_fk FROM chat_sessions WHERE session_id = ? AND deleted = 0",
                              (session_id,)).fetchone()
        return None if row is None else int(row["user_fk"])

    def with_messages(self, user_pk: int, limit: int, offset: int) -> list[str]:
        """The user's chat sessions that have at least one message, the one spoken in last first."""
        rows = self.db.execute(
            "SELECT c.session_id, MAX(m.pk) AS last FROM chat_sessions c JOIN messages m ON m.session_id = "
            "c.session_id WHERE c.user_fk = ? AND c.deleted = 0 GROUP BY c.session_id ORDER BY last DESC "
            "LIMIT ? OFFSET ?", (user_pk, limit, offset)).fetchall()
        return [str(r["session_id"]) for r in rows]

    def delete(self, session_id: str) -> None:
        self.db.execute("UPDATE chat_sessions SET deleted = 1 WHERE session_id = ?", (session_id,))

    def attach_run(self, run_pk: int, session_id: str) -> None:
        """The run the assistant started from the chat lives in the chat's session."""
        self.db.execute("UPDATE task_executions SET session_id = ? WHERE pk = ?", (session_id, run_pk))
