"""Fixtures of the local-workflow shell tests: a loopback OpenAI-compatible server in a thread of its own, and
`mojodex` pointed at it, in a pseudo-terminal or in this process. Helpers are in local_shell_helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inprocess import shell_as_configured
from started_threads import start_each

from .local_shell_helpers import LLMThread, llm_config, model_env, roleplay_reply, write_config


@pytest.fixture
def start_llm() -> Iterator[Callable[..., LLMThread]]:
    """``start_llm(**FakeOpenAIServer kwargs)``: one more fake model server in a thread; stopped at the end."""
    yield from start_each(LLMThread)


@pytest.fixture
def llm(start_llm: Callable[..., LLMThread]) -> LLMThread:
    """A fake model server answering every conversation like a well-behaved model (``roleplay_reply``)."""
    return start_llm(reply_fn=roleplay_reply)


def configure(home: Path, llm: LLMThread | None, config: str | None) -> None:
    """``config`` as the shell's config.toml, or by default an [llm] section pointing at ``llm`` (if any)."""
    if config is None and llm is not None:
        config = llm_config(llm.base_url)
    if config is not None:
        write_config(home, config)


@pytest.fixture
def local_shell(spawn_mojodex: Callable[..., Any], logged_in: Callable[..., str], mojodex_home: Path,
                unreachable_url: str) -> Callable[..., Any]:
    """``local_shell(llm)``: `mojodex` in a terminal, its [llm] config pointing at ``llm``, at its first prompt.

    A login to a server that is not there is saved, so the prompt comes at once; local workflows need no server.
    """

    def open_(llm: LLMThread | None, *, config: str | None = None, env: dict[str, str] | None = None) -> Any:
        configure(mojodex_home, llm, config)
        logged_in(unreachable_url)
        term = spawn_mojodex(server_url=unreachable_url, env={**model_env(), **(env or {})})
        term.expect("mojodex> ", timeout=10)
        return term

    return open_


@pytest.fixture
def local_term(make_shell: Callable[..., Any], logged_in: Callable[..., str], mojodex_home: Path,
               unreachable_url: str, in_process_terminal: Callable[..., Any]) -> Callable[..., Any]:
    """``local_term(llm)``: ``local_shell``'s shell in this process (``InProcessTerminal``, the same API), for a
    workflow's flow at the prompt; Ctrl-C while a step runs (a signal) keeps the pseudo-terminal."""

    def open_(llm: LLMThread | None, *, config: str | None = None, env: dict[str, str] | None = None) -> Any:
        configure(mojodex_home, llm, config)
        logged_in(unreachable_url)
        return in_process_terminal(lambda: shell_as_configured(make_shell, mojodex_home, unreachable_url),
                                   {**model_env(), **(env or {})}, "mojodex> ")

    return open_
