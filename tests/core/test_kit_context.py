"""The kit's context builder and line runner (``make_context``, ``run_line``), as benches and scripts use them."""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from mojodex_core.testing import ServerThread, event_transport, make_context, run_line


async def _lines(ctx: Any, *lines: str) -> list[tuple[int, str]]:
    await ctx.call_hook("mojodex_startup")
    done: list[tuple[int, str]] = []
    try:
        for line in lines:
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                status = await run_line(ctx, line)
            done.append((status, out.getvalue()))
    finally:
        await ctx.call_hook("mojodex_shutdown")
        await ctx.aclose()
    return done


@pytest.mark.parametrize("mojodex_server", ["spec", "mojodex-2024", "mojodex-0.4"], indirect=True)
def test_a_built_context_is_logged_in_and_runs_lines(mojodex_home: Path, mojodex_server: ServerThread) -> None:
    ctx = make_context(mojodex_home, server_url=mojodex_server.url, api=mojodex_server.api,
                       token=mojodex_server.token(), builtins=["workflow", "socketio"], interactive=False)
    assert sorted(p.name for p in ctx.plugins if p.status == "loaded") == ["socketio", "workflow"]
    assert event_transport(ctx) == "off"
    (listed, shown), (unknown, said) = asyncio.run(_lines(ctx, "workflow list", "no-such-command"))
    assert listed == 0 and "Write poem" in shown
    assert unknown != 0 and said.count("\n") == 1 and "no-such-command" in said
