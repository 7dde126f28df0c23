"""Fixtures of the workflow tests: a logged-in `mojodex` in a pseudo-terminal, or run one-shot with no terminal,
against a reference server running in a thread of its own on 127.0.0.1."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inprocess import shell_as_configured
from workflow_helpers import write_config

# The run's end, for servers that send no end event, comes after this much quiet: short in tests. These tests are
# about the server's workflows: the local-workflow plugin's own are left out of the lists (tests/local has them).
# Nor does Tab's background loading ask the server anything: these tests check what it received, request by request
# (tests/e2e/test_completion.py has the loads).
FAST = '[workflow]\nend_grace_seconds = 0.5\n[plugins]\ndisabled = ["local"]\n[shell]\nload_completions = false\n'
# The reference server playing the 2024 backend never sends an end event: waiting for one is pure loss there. A
# server that does send one (spec, 0.4) keeps a quiet period long enough for its event on a loaded machine.
FAST_2024 = FAST.replace("end_grace_seconds = 0.5", "end_grace_seconds = 0.1")
DEFAULT = object()


def fast_config(srv: Any) -> str:
    return FAST_2024 if getattr(srv, "api", "") == "mojodex-2024" else FAST


@pytest.fixture
def open_shell(spawn_mojodex: Callable[..., Any], logged_in: Callable[..., str],
               mojodex_home: Path) -> Callable[..., Any]:
    """``open_shell(srv, config=fast_config(srv))``: `mojodex` in a terminal, logged in to ``srv`` (saved credentials),
    at its first ``mojodex> `` prompt. ``config=None`` keeps the config file as it is."""
    def open_(srv: Any, config: Any = DEFAULT, token: str | None = None, env: dict[str, str] | None = None) -> Any:
        config = fast_config(srv) if config is DEFAULT else config
        if config is not None:
            write_config(mojodex_home, config)
        logged_in(srv.url, token or srv.token_for())
        term = spawn_mojodex(server_url=srv.url, env=env)
        term.expect("mojodex> ", timeout=10)
        return term

    return open_


@pytest.fixture
def open_term(open_shell: Callable[..., Any], make_shell: Callable[..., Any], logged_in: Callable[..., str],
              mojodex_home: Path, in_process_terminal: Callable[..., Any]) -> Callable[..., Any]:
    """``open_term(srv, config=fast_config(srv), pty=False, env=None)``: the shell logged in to ``srv`` at its first
    prompt, in this process (``InProcessTerminal``: the same ``line``/``expect`` API) or, with ``pty=True``, the
    ``mojodex`` script in a terminal (``open_shell``). A behaviour run on every dialect keeps one dialect in a real
    terminal and runs the others here: the same shell, without a process started for each."""
    def open_(srv: Any, config: Any = DEFAULT, token: str | None = None, pty: bool = False,
              env: dict[str, str] | None = None) -> Any:
        if pty:
            return open_shell(srv, config=config, token=token, env=env)
        config = fast_config(srv) if config is DEFAULT else config
        if config is not None:
            write_config(mojodex_home, config)
        logged_in(srv.url, token or srv.token_for())
        return in_process_terminal(lambda: shell_as_configured(make_shell, mojodex_home, srv.url), env, "mojodex> ")

    return open_


@pytest.fixture
def one_shot(mojodex_main: Callable[..., Any], mojodex_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``one_shot(srv, *args, config=fast_config(srv))``: ``mojodex ARGS`` with no terminal and ``MOJODEX_TOKEN``
    set, through the script's ``main`` in this process (``mojodex_main``); ``config=None`` keeps the config file."""

    def run(srv: Any, *args: str, config: Any = DEFAULT, token: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        config = fast_config(srv) if config is DEFAULT else config
        if config is not None:
            write_config(mojodex_home, config)
        env = {"MOJODEX_TOKEN": token or srv.token_for()}
        proc: subprocess.CompletedProcess[str] = mojodex_main(*args, server_url=srv.url, env=env, timeout=timeout)
        return proc

    return run
