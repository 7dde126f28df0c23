"""The assistant's words during a server run's rejection stream through the shell's printer: a control sequence
split over two tokens is stripped whole, and the finished message ends the line it streamed on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from mojodex_core import RunInfo, ServerEvent
from mojodex_core.testing import make_context
from mojodex_workflow.run import ServerRun


def _token(text: str, kind: str = "token") -> ServerEvent:
    return ServerEvent(name="mojo_token", kind=kind, session_id="s", text=text)  # type: ignore[arg-type]


async def _watch(home: Path, events: list[ServerEvent]) -> int:
    ctx = make_context(home, builtins=False, interactive=False)
    run = ServerRun(ctx, RunInfo(pk=5, session_id="s", name="Poem", kind="workflow"))
    for event in [*events, ServerEvent(name="error", kind="error", session_id="s", text="stop here")]:
        run.deliver(event)
    return await asyncio.wait_for(run.drive(), 10)


def test_a_control_sequence_split_over_two_tokens_never_shows_half(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    tokens = ["Which \x1b]0;pw", "Which \x1b]0;pwned\x07 stanza?"]
    assert asyncio.run(_watch(tmp_path, [_token(t) for t in tokens])) == 1
    out = capsys.readouterr().out
    assert out == "Assistant: Which  stanza?\n"


def test_the_finished_message_completes_the_streamed_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = [_token("Which"), _token("Which stanza"), _token("Which stanza should change?", "message")]
    asyncio.run(_watch(tmp_path, events))
    assert capsys.readouterr().out == "Assistant: Which stanza should change?\n"


def test_a_message_unlike_its_tokens_is_printed_whole_on_its_own_line(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    events = [_token("Which stanza"), _token("Tell me which one", "message")]
    asyncio.run(_watch(tmp_path, events))
    assert capsys.readouterr().out == "Assistant: Which stanza\nAssistant: Tell me which one\n"
