"""Storage of the reference server, in memory: users and tokens; the tasks (workflows), runs and messages of every
dialect in ``task_store`` (``Store.tasks``), the home chat's sessions in ``home_chat_store`` (``Store.chats``).

Used from the event loop only, for as long as the server lives. Every key sequence starts at ``first_pk`` (one
per table).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from . import home_chat_store, task_store
from .table import Table


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


class Store:
    """The server's records; what a method returns is a snapshot (changing it changes nothing stored)."""

    def __init__(self, first_pk: int = 1) -> None:
        self._users: Table[User] = Table(first_pk)
        self._passwords: dict[int, str] = {}
        self._tokens: dict[str, tuple[int, bool]] = {}  # token -> (user pk, expired)
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

    def session_owner(self, session_id: str) -> int | None:
        """The user pk of the run or chat session that has ``session_id``."""
        run = self.tasks.execution_by_session(session_id)
        return self.chats.owner(session_id) if run is None else run.user_fk
