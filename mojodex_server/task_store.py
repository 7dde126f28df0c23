"""Storage of the runs of every dialect, in memory: tasks, task runs, their step executions, uploads, and the
chat's messages and produced texts. ``Store.tasks`` holds it.

A workflow of ``spec`` and ``mojodex-2024`` is a task of type ``"workflow"`` (its user workflow a user task, its
execution a run, its step executions the run's); each dialect says how they look on the wire.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from .table import Table, page, snapshot

R = TypeVar("R")


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
    json_input_values: list[dict[str, Any]] | None  # None: inputs not submitted yet (a spec execution's)
    start_date: str | None
    title: str | None
    summary: str | None
    deleted: bool
    finished: bool  # the last step validated (kept by spec and 2024)
    error: str | None  # the text of the step error that stopped it (kept by spec and 2024)


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
class FormFile:
    """A file of a multipart form, as it arrived."""

    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True, init=False)
class Upload(FormFile):
    """A file that came with a run's form, as it arrived: a form file under the name of its input."""

    input_name: str

    def __init__(self, input_name: str, filename: str, content_type: str, content: bytes) -> None:
        super().__init__(filename, content_type, content)
        object.__setattr__(self, "input_name", input_name)


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


@dataclass(frozen=True)
class _Task:
    pk: int
    name: str
    icon: str
    description: str
    task_type: str
    json_input: list[dict[str, Any]]
    visible_for_teasing: bool
    steps: tuple[TaskStep, ...]

    def as_user_task(self, user_task_pk: int | None = None, user_pk: int | None = None,
                     enabled: bool = False) -> UserTask:
        """The task as a user has it (as none has it, shown for teasing, by default)."""
        return UserTask(user_task_pk, user_pk, enabled, self.pk, self.name, self.icon, self.description,
                        self.task_type, self.json_input)


@dataclass(frozen=True)
class _ProducedText:
    pk: int
    execution_fk: int | None
    user_fk: int
    deleted: bool = False


def _known(row: R | None, pk: int) -> R:
    if row is None:
        raise KeyError(pk)
    return row


class TaskStore:
    """What a method returns is a snapshot (changing it changes nothing stored)."""

    def __init__(self, first_pk: int = 1) -> None:
        self._tasks: Table[_Task] = Table(first_pk)
        self._steps: Table[TaskStep] = Table(first_pk)
        self._user_tasks: Table[UserTask] = Table(first_pk)  # the tasks never change: a user's has their data
        self._executions: Table[TaskExecution] = Table(first_pk)
        self._step_executions: Table[TaskStepExecution] = Table(first_pk)
        self._uploads: dict[int, list[Upload]] = {}  # by run pk, in the order they came
        self._messages: Table[Message] = Table(first_pk)
        self._texts: Table[_ProducedText] = Table(first_pk)
        self._versions: Table[ProducedTextVersion] = Table(first_pk)  # ``index`` set as they are read

    # ---- tasks -------------------------------------------------------------------------------------------
    def add_task(self, name: str, icon: str, description: str, task_type: str, json_input: list[dict[str, Any]],
                 steps: list[dict[str, Any]], visible_for_teasing: bool = False) -> int:
        made = tuple(self._steps.add(TaskStep, s["step_name"], rank, s["name_for_user"], s["definition_for_user"],
                                     bool(s.get("user_validation_required", True)),
                                     bool(s.get("review_chat_enabled", True)))
                     for rank, s in enumerate(steps, start=1))
        return self._tasks.add(_Task, name, icon, description, task_type, json_input, visible_for_teasing, made).pk

    def add_user_task(self, user_pk: int, task_pk: int, enabled: bool = True) -> int:
        task = self._tasks.get(task_pk)
        if task is None:
            raise KeyError(f"no task {task_pk}")
        pk = self._user_tasks.add(lambda pk: task.as_user_task(pk, user_pk, enabled)).user_task_pk
        assert pk is not None
        return pk

    def task_steps(self, task_pk: int) -> list[TaskStep]:
        task = self._tasks.get(task_pk)
        return [] if task is None else sorted(task.steps, key=lambda s: (s.rank, s.workflow_step_pk))

    def enabled_user_tasks(self, user_pk: int, limit: int, offset: int, task_type: str | None = None) -> list[UserTask]:
        found = self._user_tasks.where(lambda u: u.user_fk == user_pk and u.enabled
                                       and (not task_type or u.task_type == task_type))
        return page(sorted(found, key=lambda u: (u.task_pk, u.user_task_pk)), limit, offset)

    def count_enabled(self, user_pk: int, task_type: str | None = None) -> int:
        return sum(1 for u in self._user_tasks
                   if u.user_fk == user_pk and u.enabled and (not task_type or u.task_type == task_type))

    def unavailable_tasks(self, user_pk: int, limit: int, offset: int, task_type: str | None = None) -> list[UserTask]:
        """Tasks the user cannot run: disabled for them, or never theirs but shown for teasing (by task pk)."""
        found: list[UserTask] = []
        for task in self._tasks.where(lambda t: not task_type or t.task_type == task_type):
            theirs = [snapshot(u) for u in self._user_tasks if u.task_pk == task.pk and u.user_fk == user_pk]
            found += [u for u in theirs if not u.enabled]
            if not theirs and task.visible_for_teasing:
                found.append(task.as_user_task())
        return page(found, limit, offset)

    def user_task(self, user_task_pk: int) -> UserTask | None:
        return self._user_tasks.get(user_task_pk)

    # ---- task executions -----------------------------------------------------------------------------------
    def add_execution(self, user_task_pk: int, user_pk: int, json_input_values: list[dict[str, Any]] | None) -> int:
        return self._executions.add(TaskExecution, user_task_pk, user_pk, secrets.token_hex(16), json_input_values,
                                    None, None, None, False, False, None).pk

    def execution(self, pk: int) -> TaskExecution | None:
        return self._executions.get(pk)

    def known_execution(self, pk: int) -> TaskExecution:
        """Run ``pk``, which the caller knows exists (KeyError otherwise)."""
        return _known(self._executions.get(pk), pk)

    def execution_by_session(self, session_id: str) -> TaskExecution | None:
        return next(iter(self._executions.where(lambda e: e.session_id == session_id)), None)

    def started_executions(self, user_pk: int) -> list[TaskExecution]:
        """The user's started, undeleted runs, newest first."""
        return self._executions.where(
            lambda e: e.user_fk == user_pk and e.start_date is not None and not e.deleted)[::-1]

    def set_inputs(self, pk: int, json_input_values: list[dict[str, Any]]) -> None:
        self._executions.update(pk, json_input_values=json_input_values)

    def set_started(self, pk: int) -> None:
        """The first start counts (the date stays)."""
        run = self._executions.get(pk)
        if run is not None and run.start_date is None:
            self._executions.update(pk, start_date=now_iso())

    def set_title(self, pk: int, title: str, summary: str | None = None) -> None:
        """A title without a summary keeps the summary."""
        self._executions.update(pk, title=title, **({} if summary is None else {"summary": summary}))

    def set_finished(self, pk: int) -> None:
        self._executions.update(pk, finished=True)

    def set_error(self, pk: int, error: str) -> None:
        self._executions.update(pk, error=error)

    def set_session(self, pk: int, session_id: str) -> None:
        self._executions.update(pk, session_id=session_id)

    def delete_execution(self, pk: int) -> None:
        self._executions.update(pk, deleted=True)

    # ---- step executions -----------------------------------------------------------------------------------
    def add_step_execution(self, execution_pk: int, step_pk: int, parameter: dict[str, Any],
                           instruction: str | None = None) -> int:
        step = self._steps.get(step_pk)
        if step is None:
            raise KeyError(f"no task step {step_pk}")
        return self._step_executions.add(TaskStepExecution, execution_pk, step_pk, step, parameter, None, None, None,
                                         now_iso(), instruction).pk

    def step_execution(self, pk: int) -> TaskStepExecution | None:
        return self._step_executions.get(pk)

    def known_step_execution(self, pk: int) -> TaskStepExecution:
        """Step execution ``pk``, which the caller knows exists (KeyError otherwise)."""
        return _known(self._step_executions.get(pk), pk)

    def step_executions(self, execution_pk: int) -> list[TaskStepExecution]:
        return self._step_executions.where(lambda se: se.execution_fk == execution_pk)

    def set_step_result(self, pk: int, result: list[Any]) -> None:
        self._step_executions.update(pk, result=result)

    def set_step_error(self, pk: int, error: str) -> None:
        self._step_executions.update(pk, error_status={"datetime": now_iso(), "error": error})

    def set_validated(self, pk: int, validated: bool | None) -> None:
        self._step_executions.update(pk, validated=validated)

    # ---- uploads -------------------------------------------------------------------------------------------
    def add_upload(self, execution_pk: int, upload: Upload) -> None:
        self._uploads.setdefault(execution_pk, []).append(upload)

    def uploads(self, execution_pk: int) -> list[Upload]:
        return list(self._uploads.get(execution_pk, []))

    # ---- messages ------------------------------------------------------------------------------------------
    def add_message(self, session_id: str, sender: str, message: dict[str, Any], message_id: str | None = None) -> int:
        return self._messages.add(Message, session_id, sender, message, message_id, now_iso()).pk

    def message_by_id(self, session_id: str, message_id: str) -> Message | None:
        found = self._messages.where(lambda m: m.session_id == session_id and m.message_id == message_id)
        return next(iter(found), None)

    def messages(self, session_id: str, limit: int = -1, offset: int = 0) -> list[Message]:
        """Newest first."""
        return page(self._messages.where(lambda m: m.session_id == session_id)[::-1], limit, offset)

    # ---- produced texts ------------------------------------------------------------------------------------
    def add_produced_text_version(self, execution_pk: int, user_pk: int, title: str, production: str,
                                  text_type: str = "document") -> ProducedTextVersion:
        """A new version of the run's produced text (made on its first version). The run's text is the one of
        its newest version: a text added by hand to the run (``add_produced_text``) takes over."""
        versions = self.versions_of_execution(execution_pk)
        text_pk = versions[-1].produced_text_pk if versions else self.add_produced_text(execution_pk, user_pk)
        return self.add_version(text_pk, title, production, text_type)

    def add_produced_text(self, execution_pk: int | None, user_pk: int) -> int:
        """A new produced text without versions, tied to a run or to none."""
        return self._texts.add(_ProducedText, execution_pk, user_pk).pk

    def add_version(self, produced_text_pk: int, title: str | None, production: str,
                    text_type: str = "document") -> ProducedTextVersion:
        """A new version of produced text ``produced_text_pk`` (its ``index`` counts over its run's texts)."""
        text = self._texts.get(produced_text_pk)
        if text is None:
            raise KeyError(f"no produced text {produced_text_pk}")
        version_pk = self._versions.add(ProducedTextVersion, text.pk, text.execution_fk, text.user_fk, title,
                                        production, text_type, now_iso(), 0).pk
        versions = (self.versions_of_execution(text.execution_fk) if text.execution_fk is not None
                    else self.versions_of_text(produced_text_pk))
        return next(v for v in versions if v.pk == version_pk)

    def produced_text_owner(self, produced_text_pk: int, with_deleted: bool = True) -> int | None:
        """The user pk of produced text ``produced_text_pk`` (None: no such text, or deleted and not wanted)."""
        text = self._texts.get(produced_text_pk)
        return None if text is None or (text.deleted and not with_deleted) else text.user_fk

    def delete_produced_text(self, produced_text_pk: int) -> None:
        """Soft: the run still shows it as its text, and it still takes new versions (as on the backend)."""
        self._texts.update(produced_text_pk, deleted=True)

    def _numbered(self, keep: Callable[[ProducedTextVersion], bool]) -> list[ProducedTextVersion]:
        return [dataclasses.replace(v, index=i) for i, v in enumerate(self._versions.where(keep), start=1)]

    def versions_of_execution(self, execution_pk: int) -> list[ProducedTextVersion]:
        return self._numbered(lambda v: v.execution_fk == execution_pk)

    def versions_of_text(self, produced_text_pk: int) -> list[ProducedTextVersion]:
        return self._numbered(lambda v: v.produced_text_pk == produced_text_pk)
