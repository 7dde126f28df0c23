"""Storage of the reference server, in memory: users, tokens, workflows, executions and step executions.

Used from the event loop only, for as long as the server lives. Every key sequence starts at ``first_pk`` (one
per table). The tasks, runs and messages of Mojodex 0.4 are in ``task_store`` (``Store.tasks``), the home chat's
sessions in ``home_chat_store`` (``Store.chats``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from . import home_chat_store, task_store
from .table import Table, page


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


@dataclass(frozen=True)
class _Workflow:
    pk: int
    name: str
    icon: str
    description: str
    inputs_spec: list[dict[str, Any]]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class _UserWorkflow:
    pk: int
    user_fk: int
    workflow_fk: int


class Store:
    """The server's records; what a method returns is a snapshot (changing it changes nothing stored)."""

    def __init__(self, first_pk: int = 1) -> None:
        self._users: Table[User] = Table(first_pk)
        self._passwords: dict[int, str] = {}
        self._tokens: dict[str, tuple[int, bool]] = {}  # token -> (user pk, expired)
        self._workflows: Table[_Workflow] = Table(first_pk)
        self._steps: Table[Step] = Table(first_pk)
        self._user_workflows: Table[_UserWorkflow] = Table(first_pk)
        self._executions: Table[Execution] = Table(first_pk)
        self._step_executions: Table[StepExecution] = Table(first_pk)
        self.tasks = task_store.TaskStore(first_pk)
        self.chats = home_chat_store.ChatSessionStore(self.tasks)

    # users and tokens
    def add_user(self, email: str, password: str, name: str, terms_accepted: bool = True,
                 language_code: str | None = "en") -> User:
        if self.user_by_email(email) is not None:
            raise ValueError(f"{email} has an account already")
        user = self._users.add(User, email, name, terms_accepted, language_code)
        self._passwords[user.user_pk] = password
        return user

    def user_by_email(self, email: str) -> User | None:
        return next(iter(self._users.where(lambda u: u.email == email)), None)

    def user_by_pk(self, pk: int) -> User | None:
        return self._users.get(pk)

    def check_password(self, email: str, password: str) -> User | None:
        user = self.user_by_email(email)
        if user is None or not secrets.compare_digest(self._passwords[user.user_pk], password):
            return None
        return user

    def set_language(self, user_pk: int, language_code: str) -> None:
        self._users.update(user_pk, language_code=language_code)

    def accept_terms(self, user_pk: int) -> None:
        self._users.update(user_pk, terms_accepted=True)

    def new_token(self, user_pk: int) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (user_pk, False)
        return token

    def token_user(self, token: str) -> tuple[int, bool] | None:
        """(user_pk, expired) for a known token, None otherwise."""
        return self._tokens.get(token)

    def expire_tokens(self) -> None:
        self._tokens = {token: (user_pk, True) for token, (user_pk, _) in self._tokens.items()}

    # workflows
    def add_workflow(
        self, user_pk: int, name: str, icon: str, description: str,
        inputs_spec: list[dict[str, Any]], step_names: list[str],
    ) -> int:
        steps = tuple(self._steps.add(Step, step_name, rank) for rank, step_name in enumerate(step_names, start=1))
        workflow = self._workflows.add(_Workflow, name, icon, description, inputs_spec, steps)
        return self._user_workflows.add(_UserWorkflow, user_pk, workflow.pk).pk

    def steps(self, workflow_pk: int) -> list[Step]:
        workflow = self._workflows.get(workflow_pk)
        return [] if workflow is None else sorted(workflow.steps, key=lambda s: (s.rank, s.workflow_step_pk))

    def _user_workflow_json(self, user_workflow: _UserWorkflow) -> dict[str, Any]:
        workflow = self._workflows.get(user_workflow.workflow_fk)
        assert workflow is not None  # made with its user workflow
        return {
            "user_workflow_pk": user_workflow.pk,
            "workflow_pk": workflow.pk,
            "name": workflow.name,
            "icon": workflow.icon,
            "description": workflow.description,
            "inputs_spec": workflow.inputs_spec,
            "steps": [{"workflow_step_pk": s.workflow_step_pk, "step_name": s.step_name}
                      for s in self.steps(workflow.pk)],
        }

    def user_workflows(self, user_pk: int, limit: int, offset: int) -> list[dict[str, Any]]:
        theirs = self._user_workflows.where(lambda uw: uw.user_fk == user_pk)
        return [self._user_workflow_json(uw) for uw in page(theirs, limit, offset)]

    def user_workflow(self, user_workflow_pk: int) -> tuple[int, dict[str, Any]] | None:
        """(owner user_pk, user workflow JSON) or None."""
        user_workflow = self._user_workflows.get(user_workflow_pk)
        return None if user_workflow is None else (user_workflow.user_fk, self._user_workflow_json(user_workflow))

    # executions
    def add_execution(self, user_workflow_pk: int, user_pk: int) -> Execution:
        session_id = secrets.token_hex(16)
        return self._executions.add(Execution, user_workflow_pk, user_pk, session_id, None, False, None)

    def execution(self, pk: int) -> Execution | None:
        return self._executions.get(pk)

    def execution_by_session(self, session_id: str) -> Execution | None:
        return next(iter(self._executions.where(lambda e: e.session_id == session_id)), None)

    def session_owner(self, session_id: str) -> int | None:
        """The user pk of the workflow execution or task run that has ``session_id``."""
        execution = self.execution_by_session(session_id)
        if execution is not None:
            return execution.user_fk
        run = self.tasks.execution_by_session(session_id)
        return self.chats.owner(session_id) if run is None else run.user_fk

    def set_inputs(self, pk: int, json_inputs: list[dict[str, Any]]) -> None:
        self._executions.update(pk, json_inputs=json_inputs)

    def set_finished(self, pk: int) -> None:
        self._executions.update(pk, finished=True)

    def set_execution_error(self, pk: int, error: str) -> None:
        self._executions.update(pk, error=error)

    # step executions
    def add_step_execution(self, execution_pk: int, workflow_step_pk: int, parameter: dict[str, Any]) -> int:
        step = self._steps.get(workflow_step_pk)
        if step is None:
            raise KeyError(f"no workflow step {workflow_step_pk}")
        return self._step_executions.add(StepExecution, execution_pk, workflow_step_pk, step.step_name, parameter,
                                         None, None, None).pk

    def step_execution(self, pk: int) -> StepExecution | None:
        return self._step_executions.get(pk)

    def step_executions(self, execution_pk: int) -> list[StepExecution]:
        return self._step_executions.where(lambda se: se.execution_fk == execution_pk)

    def set_step_result(self, pk: int, result: list[Any]) -> None:
        self._step_executions.update(pk, result=result)

    def set_step_error(self, pk: int, error: str) -> None:
        self._step_executions.update(pk, error=error)

    def set_validated(self, pk: int, validated: bool | None) -> None:
        self._step_executions.update(pk, validated=validated)
