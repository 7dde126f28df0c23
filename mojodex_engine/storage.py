"""Runs on disk: ``<home>/runs/<run id>/``, written after every message so a cut run resumes exactly.

A run directory holds:

- ``state.json``: the whole state (workflow, inputs, position, messages of the current step, pending
  result, accepted outputs, usage, every message of the run). It is the truth; everything else derives
  from it.
- ``workflow.toml``: the definition as it was when the run started, so a resumed run follows the same steps
  even if the user edited the file since.
- ``messages.md``: every message of the run, as a readable transcript.
- ``<artifact>.md``: each accepted output (``designed-code.md``, ``stanza.md``).

Every file is written atomically (a temporary file in the same directory, then ``os.replace``), mode 0600,
by the run's writer thread in call order; directories are 0700. A run id sorts by time: ``20261122-031500-ab12``.

One process at a time drives a run: the engine ``claim``s the store (a lock on the run's ``.lock`` file) before it
changes anything, until ``close`` (the system drops it when the process ends); a second shell that would run it
meanwhile is told that another one has it, instead of both writing its state.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from mojodex_core import MojodexError, atomic_write, ensure_private_dir, one_line
from mojodex_engine.definitions import WorkflowDefinition, parse_definition
from mojodex_engine.errors import RunNotFoundError

RUNS_DIR = "runs"
STATE_FILE = "state.json"
SNAPSHOT_FILE = "workflow.toml"
LOG_FILE = "messages.md"
LOCK_FILE = ".lock"
STATE_VERSION = 1
_RUN_ID_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4,}$")


def new_run_id(now: datetime | None = None) -> str:
    return f"{(now or datetime.now()):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def artifact_filename(name: str) -> str:
    """``"Designed Code"`` -> ``"designed-code.md"``."""
    slug = re.sub(r"[\W_]+", "-", name.casefold()).strip("-_") or "output"
    return f"{slug[:80]}.md"


@dataclass
class RunState:
    """Everything a run needs to go on. Messages are ``{"role": ..., "text": ...}`` dicts.

    ``log`` (every message of the run) only grows: an entry is never changed once appended, so a save
    encodes the new entries only.
    """

    run_id: str
    workflow: str
    workflow_name: str
    inputs: dict[str, str]
    created: str
    updated: str = ""
    version: int = STATE_VERSION
    # running | waiting (a pause: at a question, stopped by Ctrl-C or at the budget; resumable) | failed | done
    # ("interrupted": runs kept before a stop was a pause)
    status: str = "running"
    error: str | None = None
    pause: str = ""  # why the run waits, when it is not a question: "budget"
    budget: int = 0  # total tokens the run may use before it asks to go on (0: no budget)
    allowance: int = 0  # how many more tokens each "go on" gives
    model: str = ""
    total_steps: int = 0
    current_step: str = ""
    # position: index in the plan (phases flattened), its phase and place in the phase, fan-out entry
    ordinal: int = 0
    phase: int = 0
    step: int = 0
    fan: int = 0
    attempt: int = 1
    messages: list[dict[str, Any]] = field(default_factory=list)  # {"role", "text"[, "end": True]}
    rejections: list[dict[str, str | None]] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    step_usage: dict[str, int] = field(default_factory=dict)
    # accepted work
    values: dict[str, str] = field(default_factory=dict)
    entries: dict[str, list[str]] = field(default_factory=dict)
    fan_results: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, encoded_log: list[str] | None = None) -> str:
        """The state as JSON. ``encoded_log``: the log entries already encoded (the log only grows), so a
        save encodes what is new, not the whole run again."""
        # shallow: every field already holds JSON values; no indent, so the C encoder does the work
        head = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "log"}
        parts = encoded_log if encoded_log is not None else [_dumps(e) for e in self.log]
        return _dumps(head)[:-1] + ',"log":[' + ",".join(parts) + "]}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class RunStore:
    """One run's directory and state: ``save()`` after every change.

    ``save()`` and ``write_artifact()`` take their snapshot at once and hand the file writes to one writer
    thread, in call order, so the event loop never waits on a slow disk (an NFS home, a busy machine).
    ``await flush()`` (or ``close()``) waits until every write so far is on disk, and raises a write error
    as a ``MojodexError``; cancelling ``flush`` does not cancel the writes. ``sync=True`` writes at once.
    """

    def __init__(self, path: Path, state: RunState) -> None:
        self.path = path
        self.state = state
        self._definition: WorkflowDefinition | None = None
        self._log_json: list[str] = []  # the log entries encoded so far
        self._log_md: list[str] = []  # messages.md so far, one part per log entry
        self._md_key: tuple[Any, ...] | None = None
        self._logged = -1  # how many log entries the last messages.md written holds
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future[None] | None = None
        self._error: BaseException | None = None
        self._claim: int | None = None

    @property
    def run_id(self) -> str:
        return self.state.run_id

    @classmethod
    def create(
        cls,
        home: Path,
        definition: WorkflowDefinition,
        inputs: dict[str, str],
        *,
        model: str = "",
        run_id: str | None = None,
        budget: int | None = None,
    ) -> RunStore:
        """A new run of ``definition`` with checked ``inputs`` (``UsageError`` for a missing/unknown one)."""
        inputs = definition.check_inputs(inputs)
        runs = ensure_private_dir(home / RUNS_DIR)
        for _ in range(20):
            rid = run_id or new_run_id()
            path = runs / rid
            try:
                path.mkdir(mode=0o700)
                break
            except FileExistsError:
                if run_id:
                    raise MojodexError(f"run {run_id} already exists") from None
        else:  # pragma: no cover - 20 collisions in one second
            raise MojodexError("cannot create a run directory")
        now = _now()
        state = RunState(
            run_id=rid,
            workflow=definition.ref,
            workflow_name=definition.name,
            inputs=inputs,
            created=now,
            updated=now,
            model=model,
            total_steps=len(definition.plan()),
            budget=budget or 0,
            allowance=budget or 0,
        )
        store = cls(path, state)
        atomic_write(path / SNAPSHOT_FILE, definition.source_text)
        store._definition = definition
        store.save(sync=True)
        return store

    @classmethod
    def open(cls, home: Path, run_id: str) -> RunStore:
        path = home / RUNS_DIR / run_id
        try:
            data = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
            state = RunState.from_dict(data)
        except FileNotFoundError:
            raise RunNotFoundError(f"no run '{run_id}' in {home / RUNS_DIR}") from None
        except (OSError, ValueError, TypeError) as exc:
            raise MojodexError(f"run {run_id}: cannot read {STATE_FILE}: {exc}") from None
        store = cls(path, state)
        atomic_write(path / LOG_FILE, store._render_log())  # a crash may have come between the two files
        store._logged = len(state.log)
        return store

    def definition(self) -> WorkflowDefinition:
        """The definition the run started with (its snapshot)."""
        if self._definition is None:
            text = (self.path / SNAPSHOT_FILE).read_text(encoding="utf-8")
            self._definition = parse_definition(
                text, ref=self.state.workflow, label=f"run {self.run_id}/{SNAPSHOT_FILE}"
            )
        return self._definition

    # writing ----------------------------------------------------------------------------------------

    def save(self, *, sync: bool = False) -> None:
        """Write state.json (and messages.md when the log grew) as the state is now, atomically."""
        st = self.state
        st.updated = _now()
        if len(self._log_json) > len(st.log):  # the log was replaced: encode it again
            self._log_json, self._log_md, self._md_key = [], [], None
        self._log_json.extend(_dumps(e) for e in st.log[len(self._log_json) :])
        log = self._render_log() if len(st.log) != self._logged else None
        self._logged = len(st.log)
        self._submit(self._write_state, st.to_json(self._log_json), log, sync=sync)

    def write_artifact(self, name: str, text: str) -> Path:
        """Write an accepted output as ``<name>.md`` under its ``# name`` heading (unless its text starts with
        that heading already); return its path."""
        from mojodex_engine.product import starts_with_heading

        path = self.path / artifact_filename(name)
        body = text.strip()
        self._submit(atomic_write, path, f"{body}\n" if starts_with_heading(body, name) else f"# {name}\n\n{body}\n")
        return path

    def defer(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in the writer thread, in order with the state's writes (its error: a write error)."""
        self._submit(fn, *args)

    async def flush(self) -> None:
        """Wait until every write so far is on disk; raise the first write error."""
        if self._last is not None:
            await asyncio.shield(asyncio.wrap_future(self._last))
        self._raise()

    def claim(self) -> None:
        """Make this process the run's only driver; ``MojodexError`` when another process drives it."""
        if self._claim is None:
            self._claim = _claim(self.path, self.run_id)

    def close(self) -> None:
        """Wait (blocking) for every write so far, stop the writer thread, let other shells open the run, and
        raise the first write error."""
        try:
            self._drain()
        finally:
            if self._claim is not None:
                os.close(self._claim)
                self._claim = None
        self._raise()

    def _drain(self) -> None:
        if self._last is not None:
            self._last.result()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _submit(self, fn: Callable[..., None], *args: Any, sync: bool = False) -> None:
        self._raise()
        if sync:
            self._drain()
            self._guarded(fn, *args)
            self._raise()
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mojodex-run-writer")
        self._last = self._executor.submit(self._guarded, fn, *args)

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        if self._error is not None:
            return  # after a failed write, keep the files as they were rather than write out of order
        try:
            fn(*args)
        except Exception as exc:
            self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            exc, self._error = self._error, None
            raise MojodexError(f"run {self.run_id}: cannot write in {self.path}: {one_line(exc)}") from exc

    def _write_state(self, state_json: str, log: str | None) -> None:
        atomic_write(self.path / STATE_FILE, state_json)
        if log is not None:
            atomic_write(self.path / LOG_FILE, log)

    def _render_log(self) -> str:
        st = self.state
        if len(self._log_md) > len(st.log):
            self._log_md, self._md_key = [], None
        for entry in st.log[len(self._log_md) :]:
            part = ""
            key = (entry.get("ordinal"), entry.get("fan"), entry.get("attempt"))
            if key != self._md_key:
                self._md_key = key
                title = str(entry.get("step", ""))
                if entry.get("fan") is not None:
                    title += f" ({int(entry['fan']) + 1})"
                if (entry.get("attempt") or 1) > 1:
                    title += f", attempt {entry['attempt']}"
                part = f"## {title}\n\n"
            self._log_md.append(part + str(entry.get("text", "")).strip() + "\n\n")
        return f"# {st.workflow_name} — run {st.run_id}\n\n" + "".join(self._log_md)


@dataclass(frozen=True)
class RunSummary:
    """One stored run, for ``workflow runs``."""

    run_id: str
    workflow: str
    workflow_name: str
    status: str
    created: str
    updated: str
    step: str
    step_number: int
    total_steps: int
    total_tokens: int
    error: str | None = None
    path: Path | None = None


def list_runs(home: Path) -> list[RunSummary]:
    """Every stored run, newest first. A run whose state cannot be read is listed with status ``broken``."""
    runs = home / RUNS_DIR
    if not runs.is_dir():
        return []
    out = []
    for path in sorted(runs.iterdir(), reverse=True):
        if not path.is_dir() or not _RUN_ID_RE.match(path.name):
            continue
        try:
            st = RunState.from_dict(json.loads((path / STATE_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            out.append(RunSummary(path.name, "?", "?", "broken", "", "", "", 0, 0, 0, "unreadable state", path))
            continue
        number = min(st.ordinal + 1, st.total_steps) if st.total_steps else 0
        out.append(
            RunSummary(
                st.run_id,
                st.workflow,
                st.workflow_name,
                st.status,
                st.created,
                st.updated,
                st.current_step,
                number,
                st.total_steps,
                int(st.usage.get("total_tokens", 0)),
                st.error,
                path,
            )
        )
    return out


def find_run(home: Path, ref: str) -> str:
    """The run id ``ref`` names: an id, a unique prefix of one, or ``last`` (the newest)."""
    ids = [r.run_id for r in list_runs(home)]
    if ref in ("last", "latest") and ids:
        return ids[0]
    if ref in ids:
        return ref
    matches = [i for i in ids if i.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise RunNotFoundError(f"'{ref}' matches several runs: {', '.join(matches[:5])}")
    raise RunNotFoundError(f"no run '{ref}' (see `workflow runs`)")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _claim(path: Path, run_id: str) -> int:
    """Lock the run for this process (a descriptor of its ``.lock`` file, locked); ``MojodexError`` when another
    process has it. Never waits: the other shell may be at a question for hours."""
    import fcntl

    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise MojodexError(f"run {run_id} is open in another shell: leave it there first "
                           "(Ctrl-C, or let it finish)") from None
    except BaseException:
        os.close(fd)
        raise
    return fd
