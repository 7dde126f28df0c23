"""SQLite storage of the reference server: users, tokens, workflows, executions and step executions.

One connection per server instance (":memory:" unless a file path is given), used from the event loop
only. Every primary key sequence starts at ``first_pk`` so that clients cannot get away with assuming 1.
The tables of Mojodex 0.4 and of the chat are in ``task_store`` (``Store.tasks``), on the same connection.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import weakref
from dataclasses import dataclass
from typing import Any

from . import home_chat_store, task_store

_TABLES = (
    "users", "tokens", "workflows", "workflow_steps", "user_workflows", "executions", "step_executions",
)

_SCHEMA = """
CREATE TABLE users (pk INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT UNIQUE NOT NULL,
                    password TEXT NOT NULL, name TEXT NOT NULL, terms_accepted INTEGER NOT NULL DEFAULT 1,
                    language_code TEXT);
CREATE TABLE tokens (pk INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT UNIQUE NOT NULL,
                     user_fk INTEGER NOT NULL, expired INTEGER NOT NULL DEFAULT 0);
CREATE TABLE workflows (pk INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, icon TEXT NOT NULL,
                        description TEXT NOT NULL, inputs_spec TEXT NOT NULL);
CREATE TABLE workflow_steps (pk INTEGER PRIMARY KEY AUTOINCREMENT, workflow_fk INTEGER NOT NULL,
                             rank INTEGER NOT NULL, step_name TEXT NOT NULL);
CREATE TABLE user_workflows (pk INTEGER PRIMARY KEY AUTOINCREMENT, user_fk INTEGER NOT NULL,
                             workflow_fk INTEGER NOT NULL);
CREATE TABLE executions (pk INTEGER PRIMARY KEY AUTOINCREMENT, user_workflow_fk INTEGER NOT NULL,
                         user_fk INTEGER NOT NULL, session_id TEXT UNIQUE NOT NULL, json_inputs TEXT,
                         finished INTEGER NOT NULL DEFAULT 0, error TEXT);
CREATE TABLE step_executions (pk INTEGER PRIMARY KEY AUTOINCREMENT, execution_fk INTEGER NOT NULL,
                              workflow_step_fk INTEGER NOT NULL, parameter TEXT NOT NULL, result TEXT,
                              validated INTEGER, error TEXT);
"""


@dataclass(frozen=True)
class User:
    """A user account (no token: log in with ``ReferenceServer.token_for`` or ``POST /user``)."""

    user_pk: int
    email: str
    name: str
    terms_accepted: bool = True
    language_code: str | None = "en"

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass(frozen=True)
class Step:
    workflow_step_pk: int
    step_name: str
    rank: int


@dataclass(frozen=True)
class StepExecution:
    pk: int
    execution_fk: int
    workflow_step_pk: int
    step_name: str
    parameter: dict[str, Any]
    result: list[Any] | None
    validated: bool | None
    error: str | None


@dataclass(frozen=True)
class Execution:
    pk: int
    user_workflow_fk: int
    user_fk: int
    session_id: str
    json_inputs: list[dict[str, Any]] | None
    finished: bool
    error: str | None


class Store:
    """Thin synchronous data access layer over one sqlite3 connection."""

    def __init__(self, db_path: str | None = None, first_pk: int = 1) -> None:
        self.db = sqlite3.connect(db_path or ":memory:", check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        existing = self.db.execute("SELECT name FROM sqlite_master WHERE name = 'users'").fetchone()
        if existing is None:
            self.db.executescript(_SCHEMA + task_store.SCHEMA)
            for table in _TABLES + task_store.TABLES:
                self.db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                (table, first_pk - 1))
        self.tasks = task_store.TaskStore(self.db)
        self.chats = home_chat_store.ChatSessionStore(self.db)
        # The connection lives as long as the Store: a server is still read after stop(), or never started at
        # all, so nothing else can say when it is done with it. Python 3.13 warns (ResourceWarning) about a
        # connection left for the garbage collector to close.
        self._close = weakref.finalize(self, self.db.close)

    def close(self) -> None:
        self._close()

    def _insert(self, sql: str, args: tuple[Any, ...]) -> int:
        cursor = self.db.execute(sql, args)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # users and tokens
    def add_user(self, email: str, password: str, name: str, terms_accepted: bool = True,
                 language_code: str | None = "en") -> User:
        pk = self._insert(
            "INSERT INTO users (email, password, name, terms_accepted, language_code) VALUES (?, ?, ?, ?, ?)",
            (email, password, name, int(terms_accepted), language_code),
        )
        return User(pk, email, name, terms_accepted, language_code)

    @staticmethod
    def _user(row: sqlite3.Row | None) -> User | None:
        if row is None:
            return None
        return User(row["pk"], row["email"], row["name"], bool(row["terms_accepted"]), row["language_code"])

    def user_by_email(self, email: str) -> User | None:
        return self._user(self.db.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone())

    def user_by_pk(self, pk: int) -> User | None:
        return self._user(self.db.execute("SELECT * FROM users WHERE pk = ?", (pk,)).fetchone())

    def check_password(self, email: str, password: str) -> User | None:
        row = self.db.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
        if row is None or not secrets.compare_digest(str(row["password"]), password):
            return None
        return self._user(row)

    def set_language(self, user_pk: int, language_code: str) -> None:
        self.db.execute("UPDATE users SET language_code = ? WHERE pk = ?", (language_code, user_pk))

    def accept_terms(self, user_pk: int) -> None:
        self.db.execute("UPDATE users SET terms_accepted = 1 WHERE pk = ?", (user_pk,))

    def new_token(self, user_pk: int) -> str:
        token = secrets.token_urlsafe(32)
        self._insert("INSERT INTO tokens (token, user_fk) VALUES (?, ?)", (token, user_pk))
        return token

    def token_user(self, token: str) -> tuple[int, bool] | None:
        """(user_pk, expired) for a known token, None otherwise."""
        row = self.db.execute("SELECT user_fk, expired FROM tokens WHERE token = ?", (token,)).fetchone()
        return None if row is None else (int(row["user_fk"]), bool(row["expired"]))

    def expire_tokens(self) -> None:
        self.db.execute("UPDATE tokens SET expired = 1")

    # workflows
    def add_workflow(
        self, user_pk: int, name: str, icon: str, description: str,
        inputs_spec: list[dict[str, Any]], step_names: list[str],
    ) -> int:
        workflow_pk = self._insert(
            "INSERT INTO workflows (name, icon, description, inputs_spec) VALUES (?, ?, ?, ?)",
            (name, icon, description, json.dumps(inputs_spec)),
        )
        for rank, step_name in enumerate(step_names, start=1):
            self._insert(
                "INSERT INTO workflow_steps (workflow_fk, rank, step_name) VALUES (?, ?, ?)",
                (workflow_pk, rank, step_name),
            )
        return self._insert("INSERT INTO user_workflows (user_fk, workflow_fk) VALUES (?, ?)",
                            (user_pk, workflow_pk))

    def steps(self, workflow_pk: int) -> list[Step]:
        rows = self.db.execute(
            "SELECT pk, step_name, rank FROM workflow_steps WHERE workflow_fk = ? ORDER BY rank, pk",
            (workflow_pk,),
        ).fetchall()
        return [Step(r["pk"], r["step_name"], r["rank"]) for r in rows]

    def _user_workflow_json(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "user_workflow_pk": row["uw_pk"],
            "workflow_pk": row["w_pk"],
            "name": row["name"],
            "icon": row["icon"],
            "description": row["description"],
            "inputs_spec": json.loads(row["inputs_spec"]),
            "steps": [{"workflow_step_pk": s.workflow_step_pk, "step_name": s.step_name}
                      for s in self.steps(row["w_pk"])],
        }

    _UW_SELECT = (
        "SELECT uw.pk AS uw_pk, uw.user_fk AS user_fk, w.pk AS w_pk, w.name, w.icon, w.description, "
        "w.inputs_spec FROM user_workflows uw JOIN workflows w ON w.pk = uw.workflow_fk "
    )

    def user_workflows(self, user_pk: int, limit: int, offset: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            self._UW_SELECT + "WHERE uw.user_fk = ? ORDER BY uw.pk LIMIT ? OFFSET ?", (user_pk, limit, offset)
        ).fetchall()
        return [self._user_workflow_json(r) for r in rows]

    def user_workflow(self, user_workflow_pk: int) -> tuple[int, dict[str, Any]] | None:
        """(owner user_pk, user workflow JSON) or None."""
        row = self.db.execute(self._UW_SELECT + "WHERE uw.pk = ?", (user_workflow_pk,)).fetchone()
        return None if row is None else (int(row["user_fk"]), self._user_workflow_json(row))

    # executions
    def add_execution(self, user_workflow_pk: int, user_pk: int) -> Execution:
        session_id = secrets.token_hex(16)
        pk = self._insert(
            "INSERT INTO executions (user_workflow_fk, user_fk, session_id) VALUES (?, ?, ?)",
            (user_workflow_pk, user_pk, session_id),
        )
        execution = self.execution(pk)
        assert execution is not None
        return execution

    @staticmethod
    def _execution(row: sqlite3.Row | None) -> Execution | None:
        if row is None:
            return None
        inputs = None if row["json_inputs"] is None else json.loads(row["json_inputs"])
        return Execution(row["pk"], row["user_workflow_fk"], row["user_fk"], row["session_id"], inputs,
                         bool(row["finished"]), row["error"])

    def execution(self, pk: int) -> Execution | None:
        return self._execution(self.db.execute("SELECT * FROM executions WHERE pk = ?", (pk,)).fetchone())

    def execution_by_session(self, session_id: str) -> Execution | None:
        row = self.db.execute("SELECT * FROM executions WHERE session_id = ?", (session_id,)).fetchone()
        return self._execution(row)

    def session_owner(self, session_id: str) -> int | None:
        """The user pk of the workflow execution or task run that has ``session_id``."""
        execution = self.execution_by_session(session_id)
        if execution is not None:
            return execution.user_fk
        run = self.tasks.execution_by_session(session_id)
        return self.chats.owner(session_id) if run is None else run.user_fk

    def set_inputs(self, pk: int, json_inputs: list[dict[str, Any]]) -> None:
        self.db.execute("UPDATE executions SET json_inputs = ? WHERE pk = ?", (json.dumps(json_inputs), pk))

    def set_finished(self, pk: int) -> None:
        self.db.execute("UPDATE executions SET finished = 1 WHERE pk = ?", (pk,))

    def set_execution_error(self, pk: int, error: str) -> None:
        self.db.execute("UPDATE executions SET error = ? WHERE pk = ?", (error, pk))

    # step executions
    def add_step_execution(self, execution_pk: int, workflow_step_pk: int, parameter: dict[str, Any]) -> int:
        return self._insert(
            "INSERT INTO step_executions (execution_fk, workflow_step_fk, parameter) VALUES (?, ?, ?)",
            (execution_pk, workflow_step_pk, json.dumps(parameter)),
        )

    _SE_SELECT = (
        "SELECT se.*, ws.step_name FROM step_executions se "
        "JOIN workflow_steps ws ON ws.pk = se.workflow_step_fk "
    )

    @staticmethod
    def _step_execution(row: sqlite3.Row) -> StepExecution:
        validated = None if row["validated"] is None else bool(row["validated"])
        result = None if row["result"] is None else json.loads(row["result"])
        return StepExecution(row["pk"], row["execution_fk"], row["workflow_step_fk"], row["step_name"],
                             json.loads(row["parameter"]), result, validated, row["error"])

    def step_execution(self, pk: int) -> StepExecution | None:
        row = self.db.execute(self._SE_SELECT + "WHERE se.pk = ?", (pk,)).fetchone()
        return None if row is None else self._step_execution(row)

    def step_executions(self, execution_pk: int) -> list[StepExecution]:
        rows = self.db.execute(self._SE_SELECT + "WHERE se.execution_fk = ? ORDER BY se.pk",
                               (execution_pk,)).fetchall()
        return [self._step_execution(r) for r in rows]

    def set_step_result(self, pk: int, result: list[Any]) -> None:
        self.db.execute("UPDATE step_executions SET result = ? WHERE pk = ?", (json.dumps(result), pk))

    def set_step_error(self, pk: int, error: str) -> None:
        self.db.execute("UPDATE step_executions SET error = ? WHERE pk = ?", (error, pk))

    def set_validated(self, pk: int, validated: bool | None) -> None:
        value = None if validated is None else int(validated)
        self.db.execute("UPDATE step_executions SET validated = ? WHERE pk = ?", (value, pk))
