"""Fixtures of the account and todo tests: a ``mojodex-0.4`` reference server in a thread, ``mojodex`` one-shot
in this process (no terminal, ``MOJODEX_TOKEN`` set)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from account_helpers import CONFIG, SERVER


@pytest.fixture
def srv(start_server_thread: Callable[..., Any]) -> Any:
    return start_server_thread(**SERVER)


@pytest.fixture
def one_shot(mojodex_main: Callable[..., Any], mojodex_home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``one_shot(srv, *args, token=None)``: ``mojodex ARGS`` with no terminal; the same token every time unless
    told (a login of its own)."""
    tokens: dict[str, str] = {}

    def run(server: Any, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
        (mojodex_home / "config.toml").write_text(CONFIG, encoding="utf-8")
        token = token or tokens.setdefault(server.url, server.token_for())
        proc: subprocess.CompletedProcess[str] = mojodex_main(*args, server_url=server.url,
                                                              env={"MOJODEX_TOKEN": token})
        return proc

    return run
