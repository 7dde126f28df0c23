"""`mojodex --demo`: the reference server in-process, logged in, the specification's transcript; its steps on
the configured model when there is one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mojodex_core.testing import LoopThread
from mojodex_engine.testing import FakeOpenAIServer

NO_MODEL = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}


def write_config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("args", "first", "second"), [
    ((), "Stanza topics", "Write stanza"),  # Mojodex 0.4 by default: steps have display names
    (("--demo-api", "spec"), "stanza_divider", "stanza_writer"),
    (("--demo-api", "mojodex-2024"), "stanza_divider", "stanza_writer"),
])
def test_the_demo_shows_the_specification_transcript(spawn_mojodex: Any, mojodex_home: Path, args: tuple[str, ...],
                                                     first: str, second: str) -> None:
    write_config(mojodex_home, "[demo]\nstep_delay_seconds = 0.0\n")
    term = spawn_mojodex("--demo", *args, env=NO_MODEL)
    term.expect("its steps write offline demo text", timeout=15)
    term.expect("Welcome, Demo User.")
    term.expect("mojodex> ")
    term.line("workflow list")
    term.expect("1. 🌸 Write poem - Write a poem stanza by stanza")
    term.expect("mojodex> ")
    term.line("workflow run 1")
    term.expect("poem_topic: ")
    term.ctrl("u")  # a default shown as editable text (the 2024 backend's) is cleared first
    term.line("Beauty of life at spring")
    term.expect("n_stanzas: ")
    term.ctrl("u")
    term.line("3")
    term.expect(f"Step {first} started")
    term.expect(f"Step {first} ended")
    term.expect("Results:")
    term.expect('- Stanza 1: "[offline demo] Beauty of life at spring')
    for _ in range(4):
        term.expect(r"Continue (Y/n)?")
        term.line("")
    term.expect("Run finished.")
    assert term.text.count(f"Step {second} ended") == 3
    term.expect("mojodex> ")
    term.line("exit")
    assert term.wait_exit() == 0
    # The demo's token is for a server that lived as long as the shell: it is never saved with real logins.
    assert not (mojodex_home / "credentials").exists()


@pytest.fixture
def model() -> Iterator[Callable[[Any], LoopThread]]:
    """``model(reply_fn)``: a loopback OpenAI-compatible server in its own thread."""
    started: list[LoopThread] = []

    def start(reply: Any) -> LoopThread:
        thread = LoopThread(lambda: FakeOpenAIServer(reply_fn=reply), name="fake-openai").start()
        started.append(thread)
        return thread

    yield start
    for thread in started:
        thread.stop()


def test_the_demo_steps_run_on_the_configured_model(run_mojodex: Any, mojodex_home: Path,
                                                     model: Callable[[Any], LoopThread]) -> None:
    def reply(body: dict[str, Any]) -> str:
        prompt = str(body["messages"][-1]["content"])
        return "Buds opening\nWarm rain" if "Divide" in prompt else f"A model stanza about {prompt[-20:]}"

    server = model(reply).server
    write_config(mojodex_home, '[llm]\nmodel = "test-model"\n')
    proc = run_mojodex("--demo", input="workflow run 1 --input poem_topic=Spring --input n_stanzas=2 --yes\n",
                       env={"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": server.base_url}, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "its steps run on test-model" in proc.stderr  # about the shell: stdout is the run's output
    assert '- Stanza 1: "Buds opening"' in proc.stdout
    assert '- Stanza 2: "Warm rain"' in proc.stdout
    assert proc.stdout.count("Step Write stanza ended") == 2
    assert "[offline demo]" not in proc.stdout
    assert len(server.requests) == 3  # one divider, one writer per topic the model returned
