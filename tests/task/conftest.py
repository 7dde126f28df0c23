"""Fixtures of the task tests: a ``mojodex-0.4`` reference server in a thread, the real `mojodex` script in a
pseudo-terminal (logged in, at its first prompt) or one-shot with no terminal."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inprocess import shell_as_configured
from task_helpers import CONFIG, PROMPT, SERVER, write_config


@pytest.fixture
def task_server(start_server_thread: Callable[..., Any]) -> Callable[..., Any]:
    """``task_server(**ReferenceServer kwargs)``: a 0.4 server (first pk 11, acks re-sent after 0.3 s)."""

    def start(**kwargs: Any) -> Any:
        return start_server_thread(**{**SERVER, **kwargs})

    return start


@pytest.fixture
def srv(task_server: Callable[..., Any]) -> Any:
    return task_server()


@pytest.fixture
def open_shell(spawn_mojodex: Callable[..., Any], logged_in: Callable[..., str],
               mojodex_home: Path) -> Callable[..., Any]:
    """``open_shell(srv, config=CONFIG, rows=24)``: `mojodex` in a terminal, logged in, at its first prompt."""

    def open_(server: Any, config: str | None = CONFIG, env: dict[str, str] | None = None) -> Any:
        if config is not None:
            write_config(mojodex_home, config)
        logged_in(server.url, server.token_for())
        term = spawn_mojodex(server_url=server.url, env=env)
        term.expect(PROMPT, timeout=10)
        return term

    return open_


@pytest.fixture
def open_term(make_shell: Callable[..., Any], logged_in: Callable[..., str], mojodex_home: Path,
              in_process_terminal: Callable[..., Any]) -> Callable[..., Any]:
    """``open_term(srv, config=CONFIG, env=None)``: the shell logged in, at its first prompt, in this process
    (``InProcessTerminal``: ``open_shell``'s API). For a command's output or a question's flow at the prompt; what
    the terminal itself shows (escape sequences, Ctrl-C as a signal while a command runs) keeps ``open_shell``."""
    def open_(server: Any, config: str | None = CONFIG, env: dict[str, str] | None = None) -> Any:
        if config is not None:
            write_config(mojodex_home, config)
        logged_in(server.url, server.token_for())
        return in_process_terminal(lambda: shell_as_configured(make_shell, mojodex_home, server.url), env, PROMPT)

    return open_


@pytest.fixture
def one_shot(mojodex_main: Callable[..., Any], mojodex_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``one_shot(srv, *args)``: ``mojodex ARGS`` with no terminal and ``MOJODEX_TOKEN`` set."""

    def run(server: Any, *args: str, config: str | None = CONFIG,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        if config is not None:
            write_config(mojodex_home, config)
        proc: subprocess.CompletedProcess[str] = mojodex_main(
            *args, server_url=server.url, env={"MOJODEX_TOKEN": server.token_for()}, timeout=timeout)
        return proc

    return run
