"""The values plugins see: workflows, inputs, runs, step executions, server events and drafts.

Every dialect of the server protocol is read into these (in ``_dialects``), so a plugin never parses a
server's JSON itself; ``data`` keeps the raw payload for what is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

# Input types whose value is a file path on the user's machine (uploaded with the run's start).
FILE_TYPES = frozenset({"image", "audio_file", "video", "multiple_images"})


@dataclass(frozen=True)
class InputSpec:
    """One input a workflow or task asks for.

    ``type`` is the server's (``text_area``, ``drop_down_list``, ``image``... on Mojodex 0.4; ``integer``,
    ``string``... where an ``inputs_spec`` gives one; empty when the server says nothing). ``choices`` are a
    ``drop_down_list``'s possible values; ``default`` is shown to the user before Enter accepts it.
    """

    name: str
    type: str = ""
    description: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()
    placeholder: str = ""

    @property
    def is_file(self) -> bool:
        return self.type in FILE_TYPES

    @property
    def multiple(self) -> bool:
        return self.type == "multiple_images"


@dataclass(frozen=True)
class StepEvent:
    """One workflow step execution that started or ended, from a server run or a local run.

    ``result`` is None when the step started (or failed) and a list of result entries when it ended; an entry
    is usually a dict of text values (``{"stanza_topic": "..."}``), but may be any JSON value. ``step_name`` is
    the name to show (on Mojodex 0.4 the step's display name). ``error`` is set when the server says the step
    failed. ``data`` is the raw payload as it arrived (the Socket.IO event, or the local engine's record).
    """

    session_id: str
    step_name: str
    step_execution_pk: int | str | None
    result: list[Any] | None
    source: Literal["server", "local"]
    data: dict[str, Any] = field(default_factory=dict)
    run_pk: int | str | None = None
    step_pk: int | str | None = None
    parameter: dict[str, Any] | None = None
    validated: bool | None = None
    error: str | None = None
    needs_validation: bool = True
    review_chat: bool = False
    definition: str = ""

    def with_result(self, result: list[Any] | None) -> StepEvent:
        return replace(self, result=result)

    def started(self) -> StepEvent:
        """This execution as its ``started`` event reads: no result yet."""
        return replace(self, result=None, error=None, validated=None)


@dataclass(frozen=True)
class WorkflowInfo:
    """A workflow (or, on Mojodex 0.4, a task) a user can run, as listed by ``workflow list``.

    ``ref`` is what ``workflow run`` takes (``"1"`` for a server workflow, ``"local/write-poem"`` for a local
    one). ``kind`` is ``"workflow"`` or ``"instruct"`` (a task whose assistant writes a document).
    ``input_specs`` describe the inputs named in ``inputs`` (type, default...) as far as the list says.
    """

    ref: str
    name: str
    icon: str = ""
    description: str = ""
    source: str = "server"
    inputs: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    kind: str = "workflow"
    steps: tuple[str, ...] = ()
    input_specs: tuple[InputSpec, ...] = ()


@dataclass(frozen=True)
class ProducedText:
    """What a run produced: a title and a text (Markdown); ``version`` counts a task's drafts from 1."""

    title: str
    text: str
    pk: int | str | None = None
    version_pk: int | str | None = None
    version: int | None = None


@dataclass
class RunInfo:
    """A server run: created (``Server.create_run``) or read back (``Server.read_run``).

    ``steps`` are the step executions the server lists (validated ones, and on some servers the one that waits
    for validation); ``inputs`` are the inputs to ask for, ``values`` the ones the run was given.
    """

    pk: int | str
    session_id: str
    name: str = ""
    kind: str = "workflow"
    ref: str = ""
    title: str = ""
    icon: str = ""
    inputs: list[InputSpec] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    step_names: list[str] = field(default_factory=list)
    steps: list[StepEvent] = field(default_factory=list)
    produced: ProducedText | None = None
    started: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


EventKind = Literal["step_started", "step_ended", "step_invalidated", "title", "produced_text", "error",
                    "token", "message", "draft_token", "draft", "received", "other"]


@dataclass(frozen=True)
class ServerEvent:
    """One Socket.IO event of a followed run, read by the server's dialect.

    ``kind``: ``step_started``/``step_ended``/``step_invalidated`` (``step`` is set), ``title`` (``text``),
    ``produced_text`` (``produced``: the run is over), ``error`` (``text``), ``token`` (the assistant's message
    so far, ``text``), ``message`` (the assistant's whole message, ``text``), ``draft_token`` (``produced``: the
    draft so far), ``draft`` (``produced``: a finished draft version), ``received`` (the server got a message of
    the user's), ``other``. ``name`` is the event's own name, ``data`` its payload.
    """

    name: str
    kind: EventKind
    session_id: str
    data: dict[str, Any] = field(default_factory=dict)
    step: StepEvent | None = None
    text: str = ""
    produced: ProducedText | None = None
    message_pk: int | str | None = None


@dataclass(frozen=True)
class Todo:
    """A follow-up the assistant found in a run, on Mojodex 0.4's to-do list ("send the minutes to Paul by
    Friday").

    ``due`` is its date (``2026-12-08``; "" when the server gives none), ``run_pk`` the run it came from. ``done``
    and ``read`` say whether the user ticked it and saw it; ``created`` is when it was written (ISO, with its
    offset). ``data`` is the server's raw entry.
    """

    pk: int | str
    description: str
    due: str = ""
    run_pk: int | str | None = None
    done: bool = False
    read: bool = False
    created: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TodoPage:
    """One page of todos (the to-do list, or a run's todos), with what the server says about the whole list:
    ``unread``, how many todos of the to-do list the user has not seen; ``never_had``, True when the user has
    no todo at all (any state)."""

    todos: tuple[Todo, ...] = ()
    unread: int = 0
    never_had: bool = False


@dataclass(frozen=True)
class Resource:
    """A document the assistant knows on Mojodex 0.4 (a website the user added, for now).

    ``kind`` is the server's ``document_type`` (``webpage``), ``name`` its name (a website's URL); ``created`` and
    ``updated`` its dates as the server gives them (ISO). ``data`` is the server's raw entry.
    """

    pk: int | str
    name: str
    kind: str = ""
    author: str = ""
    created: str = ""
    updated: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Purchase:
    """A plan of the account (a *purchase* on Mojodex 0.4), current or expired.

    ``tasks_left`` is None for a plan without a task limit (``tasks_limit`` None); ``days_left`` None for one
    without a time limit. ``tasks`` are the names of the tasks it includes.
    """

    name: str
    tasks_limit: int | None = None
    tasks_used: int = 0
    days_left: int | None = None
    tasks: tuple[str, ...] = ()
    expired: bool = False
    free: bool = False

    @property
    def tasks_left(self) -> int | None:
        return None if self.tasks_limit is None else max(0, self.tasks_limit - self.tasks_used)


@dataclass(frozen=True)
class Plan:
    """The account's plans as the server lists them: the ``current`` ones and the last ``expired`` one."""

    current: tuple[Purchase, ...] = ()
    expired: tuple[Purchase, ...] = ()

    @property
    def usable(self) -> bool:
        """Whether a current plan has a task left (or no task limit)."""
        return any(p.tasks_left is None or p.tasks_left > 0 for p in self.current)

    @property
    def ran_out(self) -> Purchase | None:
        """The plan that ran out when none is usable: a current one with no task left, else the last expired one."""
        if self.usable:
            return None
        spent = [p for p in self.current if p.tasks_left == 0]
        return spent[0] if spent else (self.expired[-1] if self.expired else None)


@dataclass(frozen=True)
class Account:
    """Who is logged in and how the server sees them: ``language`` (a code, "" when unknown),
    ``timezone_offset`` (minutes as JavaScript's ``getTimezoneOffset`` counts them: UTC+1 is -60; None when the
    shell has not told the server yet) and ``plan`` (None where the server cannot say)."""

    name: str = ""
    email: str = ""
    language: str = ""
    timezone_offset: int | None = None
    plan: Plan | None = None


@dataclass(frozen=True)
class ProductCategory:
    """What a new account chooses to start with on Mojodex 0.4 (``Digital Assistant Demo`` on a stock server):
    choosing one gives the account that category's free plan and its tasks. ``name`` and ``description`` are in
    the account's language."""

    pk: int | str
    name: str
    emoji: str = ""
    description: str = ""
