"""Fault knobs: make the next matching HTTP requests fail, steps crash or fail, the assistant ask back,
payloads turn hostile, and Socket.IO connections drop.

A request answered by a fault is recorded (with ``fault`` set) but never reaches its handler: nothing changes
on the server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

BINARY_ATTACHMENT = b"\x00\x01binary\xff"
"""The ``bytes`` value step events carry under ``"attachment"`` when ``Faults.binary_results`` is on."""


@dataclass
class _Rule:
    kind: str
    prefix: str
    status: int
    times: int
    depth: int = 0


@dataclass
class _StepRule:
    kind: str  # "crash" or "fail"
    step_name: str
    times: int
    error: str = ""


@dataclass
class Faults:
    drop_socket_every: int = 0
    """After every Nth event emitted to a run's room, drop every Socket.IO connection (0: never)."""
    drop_mode: str = "transport"
    """"transport": cut the connection like a network failure (clients reconnect by themselves);
    "disconnect": a clean Socket.IO disconnect from the server (clients do not reconnect on their own)."""
    binary_results: bool = False
    """Step events (started, ended, invalidated) carry a ``bytes`` value: python-socketio sends it as a binary
    attachment."""
    clarify_next: bool = False
    """The assistant's next turn (0.4) asks a question instead of drafting or rerunning a step; reset once used."""
    no_purchase: bool = False
    """0.4: creating a run answers 402 ``{"error": "no_purchase"}`` (for every user)."""
    no_purchase_users: set[str] = field(default_factory=set)
    """0.4: the same, for these emails only."""
    hold_streams_after: int = 0
    """Streamed texts (drafts, the assistant's words) stop after this many tokens until ``release_streams()``
    (0: never): a client is then mid-stream for as long as a test needs."""
    streams_released: asyncio.Event = field(default_factory=asyncio.Event)
    fetch_delay: float = 0.0
    """0.4: adding a website (``PUT /resource``) takes this many seconds, as a slow site makes the backend wait."""
    terms_not_accepted: bool = False
    """Creating a run answers 401 ``{"error": "Terms and conditions not accepted"}`` for every user, until one
    accepts them (``PUT /terms_and_conditions`` turns the switch off)."""
    _rules: list[_Rule] = field(default_factory=list)
    _steps: list[_StepRule] = field(default_factory=list)
    _run_errors: list[str] = field(default_factory=list)

    # ---- HTTP answers ------------------------------------------------------------------------------------
    def fail_next(self, path_prefix: str, status: int = 500, times: int = 1) -> None:
        self._rules.append(_Rule("fail", path_prefix, status, times))

    def garbage_next(self, path_prefix: str, times: int = 1) -> None:
        self._rules.append(_Rule("garbage", path_prefix, 200, times))

    def truncate_next(self, path_prefix: str, times: int = 1) -> None:
        self._rules.append(_Rule("truncate", path_prefix, 200, times))

    def deep_next(self, path_prefix: str, depth: int = 100_000, times: int = 1) -> None:
        """The next answers are a 200 JSON array nested ``depth`` levels deep (``[[[...]]]``)."""
        self._rules.append(_Rule("deep", path_prefix, 200, times, depth))

    # ---- steps -------------------------------------------------------------------------------------------
    def crash_silently(self, step_name: str, times: int = 1) -> None:
        """The next executions of ``step_name`` (its system name) start, then nothing at all is sent for them."""
        self._steps.append(_StepRule("crash", step_name, times))

    def fail_step(self, step_name: str, times: int = 1, error: str = "Step failed (fault switch)") -> None:
        """The next executions of ``step_name`` fail: on 0.4 their ``ended`` has ``error_status``; on the other
        dialects an ``error`` event is sent (as when the generator raises)."""
        self._steps.append(_StepRule("fail", step_name, times, error))

    def break_run(self, error: str = "the run loop broke (fault switch)", times: int = 1) -> None:
        """0.4: the next advances of a workflow run fail in the run loop: an ``error`` event, no step."""
        self._run_errors.extend([error] * times)

    def release_streams(self) -> None:
        """Let the streams held by ``hold_streams_after`` go on (and every later one run through)."""
        self.streams_released.set()

    # ---- consumed by the server --------------------------------------------------------------------------
    def clear(self) -> None:
        self._rules.clear()
        self._steps.clear()
        self._run_errors.clear()
        self.drop_socket_every = 0
        self.binary_results = False
        self.clarify_next = False
        self.no_purchase = False
        self.no_purchase_users.clear()
        self.terms_not_accepted = False
        self.hold_streams_after = 0
        self.fetch_delay = 0.0

    def take(self, path: str) -> _Rule | None:
        """Consume one use of the first rule matching ``path``."""
        for rule in self._rules:
            if path.startswith(rule.prefix):
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.remove(rule)
                return rule
        return None

    def take_step(self, step_name: str) -> _StepRule | None:
        for rule in self._steps:
            if rule.step_name == step_name:
                rule.times -= 1
                if rule.times <= 0:
                    self._steps.remove(rule)
                return rule
        return None

    def take_run_error(self) -> str | None:
        return self._run_errors.pop(0) if self._run_errors else None

    def take_clarify(self) -> bool:
        asked, self.clarify_next = self.clarify_next, False
        return asked
