"""A local run's streamed message goes through the shell's printer: the role's name once, the chunks joined, a
control sequence split over two chunks stripped whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from local_helpers import TWO_CONVERSATIONS, write_definition

from mojodex_core.testing import make_context
from mojodex_engine.storage import RunStore
from mojodex_local.plugin import ShellObserver


class Step:
    kind = "conversation"
    name = "Planning"
    attempt = 1
    resumed = False
    transcript: tuple[Any, ...] = ()
    execution_id = "e1"

    def to_dict(self) -> dict[str, Any]:
        return {}


async def test_chunks_stream_after_the_role_and_half_a_control_sequence_waits(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = RunStore.create(home, write_definition(tmp_path, TWO_CONVERSATIONS), {"task": "a shop"}, model="m")
    observer = ShellObserver(make_context(home, builtins=False, interactive=False), store, assume_yes=True)
    await observer.on_step_started(Step())
    capsys.readouterr()
    for chunk in ["We plan \x1b]0;pw", "ned\x07 it", " well."]:
        await observer.on_message_chunk("CEO", chunk)
    assert capsys.readouterr().out == "CEO: We plan "  # the rest waits: it could be half a control sequence
    await observer.on_message_done("CEO", "CEO: We plan it well.")
    assert capsys.readouterr().out == " it well.\n"
