"""SQLite tables of Mojodex 0.4 (tasks, task runs, their step executions, uploads) and of the chat (messages,
produced texts), which the 2024 dialect shares for its rejection messages.

It shares the connection of :class:`mojodex_server.store.Store`, which creates the schema.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TABLES = (
    "tasks", "task_steps", "user_tasks", "task_executions", "task_step_executions", "uploads", "messages",
    "produced_texts", "produced_text_versions",
)

SCHEMA = """
CREATE TABLE tasks (pk INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, icon TEXT NOT NULL,
                    description TEXT NOT NULL, task_type TEXT NOT NULL, json_input TEXT NOT NULL,
                    visible_for_teasing INTEGER NOT NULL DEFAULT 0);
CREATE TABLE task_steps (pk INTEGER PRIMARY KEY AUTOINCREMENT, task_fk INTEGER NOT NULL, rank INTEGER NOT NULL,
                         step_name TEXT NOT NULL, name_for_user TEXT NOT NULL, definition_for_user TEXT NOT NULL,
                         user_validation_required INTEGER NOT NULL, review_chat_enabled INTEGER NOT NULL);
CREATE TABLE user_tasks (pk INTEGER PRIMARY KEY AUTOINCREMENT, user_fk INTEGER NOT NULL,
                         task_fk INTEGER NOT NULL, enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE task_executions (pk INTEGER PRIMARY KEY AUTOINCREMENT, user_task_fk INTEGER NOT NULL,
                              user_fk INTEGER NOT NULL, session_id TEXT UNIQUE NOT NULL,
                              json_input_values TEXT NOT NULL, start_date TEXT, title TEXT, summary TEXT,
                              deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE task_step_executions (pk INTEGER PRIMARY KEY AUTOINCREMENT, execution_fk INTEGER NOT NULL,
                                   step_fk INTEGER NOT NULL, parameter TEXT NOT NULL, result TEXT,
                                   validated INTEGER, error_status TEXT, creation_date TEXT NOT NULL,
                                   instruction TEXT);
CREATE TABLE uploads (pk INTEGER PRIMARY KEY AUTOINCREMENT, execution_fk INTEGER NOT NULL,
                      input_name TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,
                      content BLOB NOT NULL);
CREATE TABLE messages (pk INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, sender TEXT NOT NULL,
                       message TEXT NOT NULL, message_id TEXT, creation_date TEXT NOT NULL);
CREATE TABLE produced_texts (pk INTEGER PRIMARY KEY AUTOINCREMENT, execution_fk INTEGER,
                             user_fk INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE produced_text_versions (pk INTEGER PRIMARY KEY AUTOINCREMENT, produced_text_fk INTEGER NOT NULL,
                                     title TEXT, production TEXT NOT NULL, text_type TEXT NOT NULL,
                                     creation_date TEXT NOT NULL);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TaskStep:
    workflow_step_pk: int
    step_name: str  # the system name (stanza_divider): never sent to a 0.4 client
    rank: int
    name_for_user: str
    definition_for_user: str
    user_validation_required: bool
    review_chat_enabled: bool

    def json(self) -> dict[str, Any]:
        return {"workflow_step_pk": self.workflow_step_pk, "step_name_for_user": self.name_for_user,
                "step_definition_for_user": self.definition_for_user}


@dataclass(frozen=True)
class UserTask:
    user_task_pk: int | None  # None: a task the user never had (shown for teasing)
    user_fk: int | None
    enabled: bool
    task_pk: int
    name: str
    icon: str
    description: str
    task_type: str
    json_input: list[dict[str, Any]]


@dataclass(frozen=True)
class TaskExecution:
    pk: int
    user_task_fk: int
    user_fk: int
    session_id: str
    json_input_values: list[dict[str, Any]]
    start_date: str | None
    title: str | None
    summary: str | None
    deleted: bool


@dataclass(frozen=True)
class TaskStepExecution:
    pk: int
    execution_fk: int
    workflow_step_pk: int
    step: TaskStep
    parameter: dict[str, Any]
    result: list[Any] | None
    validated: bool | None
    error_status: dict[str, Any] | None
    creation_date: str
    instruction: str | None

    @property
    def step_name(self) -> str:
        return self.step.step_name

    def json(self) -> dict[str, Any]:
        """As 0.4 sends it (without the session id that events add)."""
        return {
            "user_workflow_step_execution_pk": self.pk,
            "workflow_step_pk": self.workflow_step_pk,
            "step_name_for_user": self.step.name_for_user,
            "step_definition_for_user": self.step.definition_for_user,
            "creation_date": self.creation_date,
            "user_validation_required": self.step.user_validation_required,
            "validated": self.validated,
            "parameter": self.parameter,
            "result": self.result,
            "error_status": self.error_status,
            "review_chat_enabled": self.step.review_chat_enabled,
        }


@dataclass(frozen=True)
class Upload:
    """A file that came with a run's form, as it arrived."""

    input_name: str
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Message:
    pk: int
    session_id: str
    sender: str  # "user" or "mojo"
    message: dict[str, Any]
    message_id: str | None
    creation_date: str


@dataclass(frozen=True)
class ProducedTextVersion:
    pk: int
    produced_text_pk: int
    execution_fk: int | None  # None: a text tied to no run (a hand-made one)
    user_fk: int
    title: str | None  # None: a hand edit that gave no title
    production: str
    text_type: str
    creation_date: str
    index: int  # 1 for the first version of its produced text


class TaskStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def _insert(self, sql: str, args: tuple[Any, ...]) -> int:
        cursor = self.db.execute(sql, args)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # ---- tasks -------------------------------------------------------------------------------------------
    def add_task(self, name: str, icon: str, description: str, task_type: str, json_input: list[dict[str, Any]],
                 steps: list[dict[str, Any]], visible_for_teasing: bool = False) -> int:
        task_pk = self._insert(
            "INSERT INTO tasks (name, icon, description, task_type, json_input, visible_for_teasing) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, icon, description, task_type, json.dumps(json_input), int(visible_for_teasing)),
        )
        for rank, step in enumerate(steps, start=1):
            self._insert(
                "INSERT INTO task_steps (task_fk, rank, step_name, name_for_user, definition_for_user, "
                "user_validation_required, review_chat_enabled) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (task_pk, rank, step["step_name"], step["name_for_user"], step["definition_for_user"],
                 int(step.get("user_validation_required", True)), int(step.get("review_chat_enabled", True))),
            )
        return task_pk

    def add_user_task(self, user_pk: int, task_pk: int, enabled: bool = True) -> int:
        return self._insert("INSERT INTO user_tasks (user_fk, task_fk, enabled) VALUES (?, ?, ?)",
                            (user_pk, task_pk, int(enabled)))

    def task_steps(self, task_pk: int) -> list[TaskStep]:
        rows = self.db.execute("SELECT * FROM task_steps WHERE task_fk = ? ORDER BY rank, pk", (task_pk,)).fetchall()
        return [self._task_step(r) for r in rows]

    @staticmethod
    def _task_step(row: sqlite3.Row) -> TaskStep:
        return TaskStep(row["pk"], row["step_name"], row["rank"], row["name_for_user"], row["definition_for_user"],
                        bool(row["user_validation_required"]), bool(row["review_chat_enabled"]))

    _UT_SELECT = (
        "SELECT ut.pk AS ut_pk, ut.user_fk, ut.enabled, t.pk AS t_pk, t.name, t.icon, t.description, t.task_type, "
        "t.json_input FROM user_tasks ut JOIN tasks t ON t.pk = ut.task_fk "
    )

    @staticmethod
    def _user_task(row: sqlite3.Row) -> UserTask:
        return UserTask(row["ut_pk"], row["user_fk"], bool(row["enabled"]), row["t_pk"], row["name"], row["icon"],
                        row["description"], row["task_type"], json.loads(row["json_input"]))

    def enabled_user_tasks(self, user_pk: int, limit: int, offset: int, task_type: str | None = None) -> list[UserTask]:
        where = "WHERE ut.user_fk = ? AND ut.enabled = 1" + (" AND t.task_type = ?" if task_type else "")
        args: tuple[Any, ...] = (user_pk, task_type) if task_type else (user_pk,)
        rows = self.db.execute(self._UT_SELECT + where + " ORDER BY ut.task_fk, ut.pk LIMIT ? OFFSET ?",
                               (*args, limit, offset)).fetchall()
        return [self._user_task(r) for r in rows]

    def count_enabled(self, user_pk: int) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM user_tasks WHERE user_fk = ? AND enabled = 1",
                              (user_pk,)).fetchone()
        return int(row[0])

    def unavailable_tasks(self, user_pk: int, limit: int, offset: int) -> list[UserTask]:
        """Tasks the user cannot run: disabled for them, or never theirs but shown for teasing."""
        rows = self.db.execute(
            "SELECT ut.pk AS ut_pk, ut.user_fk, 0 AS enabled, t.pk AS t_pk, t.name, t.icon, t.description, "
            "t.task_type, t.json_input FROM tasks t "
            "LEFT JOIN user_tasks ut ON ut.task_fk = t.pk AND ut.user_fk = ? "
            "WHERE (ut.pk IS NOT NULL AND ut.enabled = 0) OR (ut.pk IS NULL AND t.visible_for_teasing = 1) "
            "ORDER BY t.pk LIMIT ? OFFSET ?",
            (user_pk, limit, offset),
        ).fetchall()
        return [self._user_task(r) for r in rows]

    def user_task(self, user_task_pk: int) -> UserTask | None:
        row = self.db.execute(self._UT_SELECT + "WHERE ut.pk = ?", (user_task_pk,)).fetchone()
        return None if row is None else self._user_task(row)

    # ---- task executions -----------------------------------------------------------------------------------
    def add_execution(self, user_task_pk: int, user_pk: int, json_input_values: list[dict[str, Any]]) -> int:
        return self._insert(
            "INSERT INTO task_executions (user_task_fk, user_fk, session_id, json_input_values) VALUES (?, ?, ?, ?)",
            (user_task_pk, user_pk, secrets.token_hex(16), json.dumps(json_input_values)),
        )

    @staticmethod
    def _execution(row: sqlite3.Row | None) -> TaskExecution | None:
        if row is None:
            return None
        return TaskExecution(row["pk"], row["user_task_fk"], row["user_fk"], row["session_id"],
                             json.loads(row["json_input_values"]), row["start_date"], row["title"], row["summary"],
                             bool(row["deleted"]))

    def execution(self, pk: int) -> TaskExecution | None:
        return self._execution(self.db.execute("SELECT * FROM task_executions WHERE pk = ?", (pk,)).fetchone())

    def execution_by_session(self, session_id: str) -> TaskExecution | None:
        row = self.db.execute("SELECT * FROM task_executions WHERE session_id = ?", (session_id,)).fetchone()
        return self._execution(row)

    def started_executions(self, user_pk: int) -> list[TaskExecution]:
        """The user's started, undeleted runs, newest first."""
        rows = self.db.execute(
            "SELECT * FROM task_executions WHERE user_fk = ? AND start_date IS NOT NULL AND deleted = 0 "
            "ORDER BY pk DESC", (user_pk,),
        ).fetchall()
        return [e for e in (self._execution(r) for r in rows) if e is not None]

    def set_inputs(self, pk: int, json_input_values: list[dict[str, Any]]) -> None:
        self.db.execute("UPDATE task_executions SET json_input_values = ? WHERE pk = ?",
                        (json.dumps(json_input_values), pk))

    def set_started(self, pk: int) -> None:
        self.db.execute("UPDATE task_executions SET start_date = COALESCE(start_date, ?) WHERE pk = ?",
                        (now_iso(), pk))

    def set_title(self, pk: int, title: str, summary: str | None = None) -> None:
        self.db.execute("UPDATE task_executions SET title = ?, summary = COALESCE(?, summary) WHERE pk = ?",
                        (title, summary, pk))

    def delete_execution(self, pk: int) -> None:
        self.db.execute("UPDATE task_executions SET deleted = 1 WHERE pk = ?", (pk,))

    # ---- step executions -----------------------------------------------------------------------------------
    def add_step_execution(self, execution_pk: int, step_pk: int, parameter: dict[str, Any],
                           instruction: str | None = None) -> int:
        return self._insert(
            "INSERT INTO task_step_executions (execution_fk, step_fk, parameter, creation_date, instruction) "
            "VALUES (?, ?, ?, ?, ?)",
            (execution_pk, step_pk, json.dumps(parameter), now_iso(), instruction),
        )

    _SE_SELECT = (
        "SELECT se.*, ts.pk AS ts_pk, ts.step_name, ts.rank, ts.name_for_user, ts.definition_for_user, "
        "ts.user_validation_required, ts.review_chat_enabled FROM task_step_executions se "
        "JOIN task_steps ts ON ts.pk = se.step_fk "
    )

    @staticmethod
    def _step_execution(row: sqlite3.Row) -> TaskStepExecution:
        step = TaskStep(row["ts_pk"], row["step_name"], row["rank"], row["name_for_user"],
                        row["definition_for_user"], bool(row["user_validation_required"]),
                        bool(row["review_chat_enabled"]))
        validated = None if row["validated"] is None else bool(row["validated"])
        result = None if row["result"] is None else json.loads(row["result"])
        error = None if row["error_status"] is None else json.loads(row["error_status"])
        return TaskStepExecution(row["pk"], row["execution_fk"], row["step_fk"], step, json.loads(row["parameter"]),
                                 result, validated, error, row["creation_date"], row["instruction"])

    def step_execution(self, pk: int) -> TaskStepExecution | None:
        row = self.db.execute(self._SE_SELECT + "WHERE se.pk = ?", (pk,)).fetchone()
        return None if row is None else self._step_execution(row)

    def step_executions(self, execution_pk: int) -> list[TaskStepExecution]:
        rows = self.db.execute(self._SE_SELECT + "WHERE se.execution_fk = ? ORDER BY se.pk",
                               (execution_pk,)).fetchall()
        return [self._step_execution(r) for r in rows]

    def set_step_result(self, pk: int, result: list[Any]) -> None:
        self.db.execute("UPDATE task_step_executions SET result = ? WHERE pk = ?", (json.dumps(result), pk))

    def set_step_error(self, pk: int, error: str) -> None:
        status = {"datetime": now_iso(), "error": error}
        self.db.execute("UPDATE task_step_executions SET error_status = ? WHERE pk = ?", (json.dumps(status), pk))

    def set_validated(self, pk: int, validated: bool | None) -> None:
        value = None if validated is None else int(validated)
        self.db.execute("UPDATE task_step_executions SET validated = ? WHERE pk = ?", (value, pk))

    # ---- uploads -------------------------------------------------------------------------------------------
    def add_upload(self, execution_pk: int, upload: Upload) -> None:
        self._insert("INSERT INTO uploads (execution_fk, input_name, filename, content_type, content) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (execution_pk, upload.input_name, upload.filename, upload.content_type, upload.content))

    def uploads(self, execution_pk: int) -> list[Upload]:
        rows = self.db.execute("SELECT * FROM uploads WHERE execution_fk = ? ORDER BY pk", (execution_pk,)).fetchall()
        return [Upload(r["input_name"], r["filename"], r["content_type"], bytes(r["content"])) for r in rows]

    # ---- messages ------------------------------------------------------------------------------------------
    def add_message(self, session_id: str, sender: str, message: dict[str, Any], message_id: str | None = None) -> int:
        return self._insert(
            "INSERT INTO messages (session_id, sender, message, message_id, creation_date) VALUES (?, ?, ?, ?, ?)",
            (session_id, sender, json.dumps(message), message_id, now_iso()),
        )

    def set_message(self, pk: int, message: dict[str, Any]) -> None:
        self.db.execute("UPDATE messages SET message = ? WHERE pk = ?", (json.dumps(message), pk))

    @staticmethod
    def _message(row: sqlite3.Row) -> Message:
        return Message(row["pk"], row["session_id"], row["sender"], json.loads(row["message"]), row["message_id"],
                       row["creation_date"])

    def message_by_id(self, session_id: str, message_id: str) -> Message | None:
        row = self.db.execute("SELECT * FROM messages WHERE session_id = ? AND message_id = ?",
                              (session_id, message_id)).fetchone()
        return None if row is None else self._message(row)

    def messages(self, session_id: str, limit: int = -1, offset: int = 0) -> list[Message]:
        """Newest first."""
        rows = self.db.execute("SELECT * FROM messages WHERE session_id = ? ORDER BY pk DESC LIMIT ? OFFSET ?",
                               (session_id, limit, offset)).fetchall()
        return [self._message(r) for r in rows]

    # ---- produced texts ------------------------------------------------------------------------------------
    def add_produced_text_version(self, execution_pk: int, user_pk: int, title: str, production: str,
                                  text_type: str = "document") -> ProducedTextVersion:
        """A new version of the run's produced text (made on its first version). The run's text is the one of
        its newest version: a text added by hand to the run (``add_produced_text``) takes over."""
        row = self.db.execute(
            "SELECT p.pk FROM produced_texts p JOIN produced_text_versions v ON v.produced_text_fk = p.pk "
            "WHERE p.execution_fk = ? ORDER BY v.pk DESC LIMIT 1", (execution_pk,)).fetchone()
        text_pk = row["pk"] if row else self.add_produced_text(execution_pk, user_pk)
        return self.add_version(text_pk, title, production, text_type)

    def add_produced_text(self, execution_pk: int | None, user_pk: int) -> int:
        """A new produced text without versions, tied to a run or to none."""
        return self._insert("INSERT INTO produced_texts (execution_fk, user_fk) VALUES (?, ?)",
                            (execution_pk, user_pk))

    def add_version(self, produced_text_pk: int, title: str | None, production: str,
                    text_type: str = "document") -> ProducedTextVersion:
        """A new version of produced text ``produced_text_pk`` (its ``index`` counts over its run's texts)."""
        version_pk = self._insert(
            "INSERT INTO produced_text_versions (produced_text_fk, title, production, text_type, creation_date) "
            "VALUES (?, ?, ?, ?, ?)", (produced_text_pk, title, production, text_type, now_iso()))
        owner = self.db.execute("SELECT execution_fk FROM produced_texts WHERE pk = ?",
                                (produced_text_pk,)).fetchone()
        execution_pk = owner["execution_fk"] if owner else None
        versions = (self.versions_of_execution(execution_pk) if execution_pk is not None
                    else self.versions_of_text(produced_text_pk))
        return next(v for v in versions if v.pk == version_pk)

    def produced_text_owner(self, produced_text_pk: int, with_deleted: bool = True) -> int | None:
        """The user pk of produced text ``produced_text_pk`` (None: no such text, or deleted and not wanted)."""
        row = self.db.execute("SELECT user_fk, deleted FROM produced_texts WHERE pk = ?",
                              (produced_text_pk,)).fetchone()
        if row is None or (row["deleted"] and not with_deleted):
            return None
        return int(row["user_fk"])

    def delete_produced_text(self, produced_text_pk: int) -> None:
        """Soft: the run still shows it as its text, and it still takes new versions (as on the backend)."""
        self.db.execute("UPDATE produced_texts SET deleted = 1 WHERE pk = ?", (produced_text_pk,))

    _PTV_SELECT = (
        "SELECT v.*, p.execution_fk, p.user_fk FROM produced_text_versions v "
        "JOIN produced_texts p ON p.pk = v.produced_text_fk "
    )

    def _versions(self, where: str, args: tuple[Any, ...]) -> list[ProducedTextVersion]:
        rows = self.db.execute(self._PTV_SELECT + where + " ORDER BY v.pk", args).fetchall()
        return [ProducedTextVersion(r["pk"], r["produced_text_fk"], r["execution_fk"], r["user_fk"], r["title"],
                                    r["production"], r["text_type"], r["creation_date"], i)
                for i, r in enumerate(rows, start=1)]

    def versions_of_execution(self, execution_pk: int) -> list[ProducedTextVersion]:
        return self._versions("WHERE p.execution_fk = ?", (execution_pk,))

    def versions_of_text(self, produced_text_pk: int) -> list[ProducedTextVersion]:
        return self._versions("WHERE p.pk = ?", (produced_text_pk,))
