"""Fault knobs: make the next matching HTTP requests fail, and drop Socket.IO connections periodically.

A request answered by a fault is recorded (with ``fault`` set) but never reaches its handler: nothing changes
on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Rule:
    kind: str
    prefix: str
    status: int
    times: int


@dataclass
class Faults:
    drop_socket_every: int = 0
    """After every Nth event emitted to a run's room, drop every Socket.IO connection (0: never)."""
    drop_mode: str = "transport"
    """"transport": cut the connection like a network failure (clients reconnect by themselves);
    "disconnect": a clean Socket.IO disconnect from the server (clients do not reconnect on their own)."""
    _rules: list[_Rule] = field(default_factory=list)

    def fail_next(self, path_prefix: str, status: int = 500, times: int = 1) -> None:
        self._rules.append(_Rule("fail", path_prefix, status, times))

    def garbage_next(self, path_prefix: str, times: int = 1) -> None:
        self._rules.append(_Rule("garbage", path_prefix, 200, times))

    def truncate_next(self, path_prefix: str, times: int = 1) -> None:
        self._rules.append(_Rule("truncate", path_prefix, 200, times))

    def clear(self) -> None:
        self._rules.clear()
        self.drop_socket_every = 0

    def take(self, path: str) -> _Rule | None:
        """Consume one use of the first rule matching ``path``."""
        for rule in self._rules:
            if path.startswith(rule.prefix):
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.remove(rule)
                return rule
        return None
