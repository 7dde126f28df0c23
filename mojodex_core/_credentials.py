"""The credentials file ``~/.mojodex/credentials``: one login per server, readable by the user alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mojodex_core._files import update_json


@dataclass(frozen=True)
class User:
    """Who is logged in, on which server. The token is never printed (``repr`` hides it)."""

    server: str
    token: str
    name: str = ""
    email: str = ""

    def __repr__(self) -> str:
        return f"User(server={self.server!r}, name={self.name!r}, email={self.email!r}, token=<hidden>)"


def _norm(url: str) -> str:
    return url.rstrip("/")


class CredentialStore:
    """Reads and writes the credentials file. A missing or unreadable file means no saved login.

    Every change is made under the file's lock on what the file holds then (other shells may have logged in to
    other servers meanwhile): nothing another process saved is lost.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return _servers(data)

    def load(self, server: str) -> User | None:
        """The saved login for ``server``, or None: credentials are reused only for the server they were made for."""
        entry = self._read().get(_norm(server))
        if not entry or not isinstance(entry.get("token"), str) or not entry["token"]:
            return None
        return User(
            server=_norm(server),
            token=entry["token"],
            name=str(entry.get("name") or ""),
            email=str(entry.get("email") or ""),
        )

    def save(self, user: User) -> None:
        """Keep ``user``'s login; whatever was kept for the server's previous login (its dialect) is forgotten."""
        entry = asdict(user)
        entry.pop("server")

        def change(servers: dict[str, dict[str, Any]]) -> bool:
            servers[_norm(user.server)] = entry
            return True

        self._update(change)

    def load_api(self, server: str) -> str | None:
        """The protocol dialect detected for ``server`` (kept with its login), if any."""
        api = self._read().get(_norm(server), {}).get("api")
        return api if isinstance(api, str) else None

    def save_api(self, server: str, api: str | None) -> None:
        """Keep (or with None, forget) the dialect detected for ``server``, beside its login if it has one."""
        if self.load_api(server) == api:
            return

        def change(servers: dict[str, dict[str, Any]]) -> bool:
            entry = servers.setdefault(_norm(server), {})
            if entry.get("api") == api:
                return False
            if api is None:
                entry.pop("api", None)
            else:
                entry["api"] = api
            if not entry:
                servers.pop(_norm(server))
            return True

        try:
            self._update(change)
        except OSError:
            pass  # a cache: a read-only home costs a detection per start, nothing else

    def recall(self, server: str, key: str, account: str) -> Any:
        """What ``remember`` kept under ``key`` for ``server`` and this ``account`` (a fingerprint of its token),
        or None: a value kept for another login does not count."""
        kept = self._read().get(_norm(server), {}).get(key)
        return kept.get("value") if isinstance(kept, dict) and kept.get("account") == account else None

    def remember(self, server: str, key: str, account: str, value: Any) -> None:
        """Keep a small JSON ``value`` about ``server``'s account beside its login (what the shell last told the
        server: its timezone, its language). A new login forgets it, as it forgets the dialect."""
        def change(servers: dict[str, dict[str, Any]]) -> bool:
            entry = servers.setdefault(_norm(server), {})
            kept = {"account": account, "value": value}
            if entry.get(key) == kept:
                return False
            entry[key] = kept
            return True

        try:
            self._update(change)
        except OSError:
            pass  # a cache: a read-only home costs a request now and then, nothing else

    def delete(self, server: str) -> bool:
        """Forget the login for ``server`` (and what was detected with it). False if there was no token."""
        removed: list[dict[str, Any]] = []

        def change(servers: dict[str, dict[str, Any]]) -> bool:
            entry = servers.pop(_norm(server), None)
            if entry is not None:
                removed.append(entry)
            return entry is not None

        self._update(change)
        return bool(removed and removed[0].get("token"))

    def _update(self, change: Callable[[dict[str, dict[str, Any]]], bool]) -> None:
        """Apply ``change`` to the servers the file holds now, and write them if it says something changed."""
        def apply(data: Any) -> Any:
            servers = _servers(data)
            return {"servers": servers} if change(servers) else None

        update_json(self.path, apply, mode=0o600, indent=2)


def _servers(data: Any) -> dict[str, dict[str, Any]]:
    servers = data.get("servers") if isinstance(data, dict) else None
    return {k: v for k, v in servers.items() if isinstance(v, dict)} if isinstance(servers, dict) else {}
