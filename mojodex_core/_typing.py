"""``mojodex_core.Context``: the typed protocol of ``ctx``, exactly what docs/plugins.md promises to plugins."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mojodex_core._config import Config
    from mojodex_core._credentials import User
    from mojodex_core._plugins_view import Plugins
    from mojodex_core._registry import CommandRegistry
    from mojodex_core._server import Server


class Context(Protocol):
    """What every command handler and hook receives as ``ctx``."""

    home: Path
    """The shell's folder (``~/.mojodex``, or ``$MOJODEX_HOME``): a plugin keeps its files under it."""
    config: Config
    """Settings: ``get("section.key")``, ``["section"]``, ``section(name)``, ``set``, ``unset``, ``override``."""
    options: argparse.Namespace
    """The parsed top-level command line options (``--demo``, and those of ``mojodex_cli_options``)."""
    interactive: bool
    """True when a person is at a terminal to answer questions."""
    in_shell: bool
    """True while the interactive ``mojodex>`` prompt runs (False for one-shot commands)."""
    server: Server
    """The Mojodex server, whatever dialect of the protocol it speaks."""

    @property
    def server_url(self) -> str: ...
    @property
    def user(self) -> User | None: ...
    @property
    def token_source(self) -> str: ...
    @property
    def plugins(self) -> Plugins: ...
    @property
    def commands(self) -> CommandRegistry: ...

    def print(self, *parts: object, sep: str = " ", end: str = "\n", err: bool = False) -> None: ...
    def write(self, text: str, *, err: bool = False) -> None: ...
    def warn(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...
    def log_exception(self, exc: BaseException, context: str = "") -> None: ...
    def status(self, text: str) -> AbstractAsyncContextManager[Any]: ...
    async def ask(self, prompt: str, *, password: bool = False, default: str | None = None,
                  choices: Iterable[str] | None = None, paths: bool = False, toolbar: str | None = None) -> str: ...
    async def confirm(self, question: str = "Continue (Y/n)?", default: bool = True) -> bool: ...
    async def call_hook(self, hook_name: str, /, *, on_error: Any = None, **kwargs: Any) -> Any: ...
    def write_private(self, path: str | Path, data: str | bytes) -> Path: ...
    async def require_user(self) -> User: ...
    async def login(self, email: str | None = None, password: str | None = None, *,
                    save: bool = True) -> User | None: ...
    async def logout(self) -> bool: ...
