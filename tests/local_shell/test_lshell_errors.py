"""What goes wrong with local workflows is one clear line, and the shell goes on: a refused key, an unknown model,
an endpoint that is not there, a broken definition. Also the tree of a definition, and third-party providers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chunk_iterator import ChunkIterator

from mojodex_core import hookimpl

from .local_shell_helpers import LLMThread, llm_config, model_env, roleplay_reply, write_config

BAD = """
name = "Bad one"
inputs = ["task"]

[[roles]]
name = "Boss"

[[artifacts]]
name = "Task"
from_input = "task"

[[artifacts]]
name = "Plan"

[[conversations]]
name = "Planning"
description = "Make a plan."
lead = "Nobody"
assistant = "Boss"
input = "Task"
output = "Plan"

[[phases]]
name = "Work"
steps = ["Planning"]
"""
BAD_KEY = "conversations[0].lead: unknown role 'Nobody'"

SOFTWARE_COMPANY_TREE = """\
🏢 Software company (local/software-company)
inputs: task
├─ Designing
│  ├─ Design (Modalities): CEO + CPO, Task -> Modalities (at most 10 turns)
│  └─ Design (Language): CEO + CTO, Task, Modalities -> Language (at most 10 turns)
├─ Coding
│  ├─ Coding (Code): CTO + Programmer, Language -> Code (at most 10 turns)
│  └─ Coding (Design): Programmer + Designer, Code -> Designed Code (at most 10 turns)
├─ Testing
│  ├─ Testing (Review): Programmer + Reviewer, Designed Code -> Reviewed Code (at most 10 turns)
│  └─ Testing (Test): Programmer + Tester, Reviewed Code -> Tested Code (at most 10 turns)
└─ Documenting
   ├─ Documenting (Specification): CTO + Programmer, Tested Code -> Specification (at most 10 turns)
   └─ Documenting (Manual): CEO + CPO, Specification -> Manual (at most 10 turns)
"""


def wrapped(line: str) -> re.Pattern[str]:
    """``line`` as a terminal narrower than it shows it: cut at spaces, the rest under a hanging indent."""
    return re.compile(r"\s+".join(re.escape(word) for word in line.split(" ")))


def test_in_a_terminal_errors_are_one_line_and_the_shell_goes_on(
    local_shell: Callable[..., Any], mojodex_home: Path, unreachable_url: str
) -> None:
    (mojodex_home / "workflows").mkdir()
    bad = mojodex_home / "workflows" / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    dead_endpoint = f"{unreachable_url}/v1"
    term = local_shell(None, config=llm_config(dead_endpoint))

    term.line("workflow list")
    term.expect(wrapped(f"warning: {bad}: {BAD_KEY}"))
    term.expect("local/software-company 🏢 Software company - Design, code, test and document a feature")
    term.expect("local/write-poem       🌸 Write poem       - Write a poem stanza by stanza")
    term.expect(f"error: server workflows: cannot reach the Mojodex server at {unreachable_url}")
    term.expect_prompt()

    term.line("workflow run bad")
    term.expect(wrapped(f"error: {bad}: {BAD_KEY}"))
    term.expect_prompt()

    term.line("workflow run software-company")
    term.expect(f"error: cannot reach the model endpoint at {dead_endpoint}: ", timeout=10)
    term.expect_prompt()
    assert "task: " not in term.text  # the endpoint is checked before anything is asked

    term.line("workflow show-definition software-company")
    for line in SOFTWARE_COMPANY_TREE.splitlines():
        term.expect(line)
    term.expect_prompt()

    term.line("workflow runs")
    term.expect(f"error: server runs: cannot reach the Mojodex server at {unreachable_url}")
    term.expect_prompt()
    assert not list((mojodex_home / "runs").glob("*"))  # the failed start left no half-made run behind
    term.line("exit")
    assert term.wait_exit() == 0


# -- in-process: exact output of one command -------------------------------------------------------------------


@pytest.fixture
def shell_with(mojodex_shell: Callable[..., Any], mojodex_home: Path, unreachable_url: str,
               monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``shell_with(config_text, key=...)``: an in-process shell with that config and OPENAI_API_KEY."""

    def make(config: str, key: str | None = "test-key", plugins: dict[str, Any] | None = None) -> Any:
        for name, value in model_env(key).items():
            monkeypatch.setenv(name, value)
        write_config(mojodex_home, f'[server]\nurl = "{unreachable_url}"\n{config}')
        return mojodex_shell(plugins=plugins)

    return make


def _one_error_line(out: str) -> str:
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out
    assert "Traceback" not in out
    return lines[0]


@pytest.mark.parametrize("fault", ["wrong key", "unknown model", "unreachable endpoint"])
def test_model_endpoint_errors_are_one_line_before_anything_runs(
    shell_with: Callable[..., Any], start_llm: Callable[..., LLMThread], unreachable_url: str,
    mojodex_home: Path, fault: str
) -> None:
    llm = start_llm(reply_fn=roleplay_reply)
    base_url = f"{unreachable_url}/v1" if fault == "unreachable endpoint" else llm.base_url
    model = "no-such-model" if fault == "unknown model" else "test-model"
    shell = shell_with(llm_config(base_url, model=model), key="wrong-key" if fault == "wrong key" else "test-key")

    line = _one_error_line(shell.run("workflow run software-company --input task=x"))
    expected = {
        "wrong key": f"error: the model endpoint refused the API key (401 from {base_url})",
        "unknown model": f"error: the model endpoint at {base_url} has no model 'no-such-model' (404)",
        "unreachable endpoint": f"error: cannot reach the model endpoint at {base_url}: ",
    }[fault]
    assert line.startswith(expected), line
    assert shell.status == 1
    assert all(r.get("stream") is not True for r in llm.requests)  # no conversation was asked for
    assert not (mojodex_home / "runs").exists() or not any((mojodex_home / "runs").iterdir())

    out = shell.run("workflow runs --json")  # the shell goes on; the server's runs need a login, as its workflows
    assert shell.status == 1 and "error: server runs: not logged in" in out and '"run"' not in out


def test_a_misspelt_input_is_one_line_before_the_model_is_called(
    shell_with: Callable[..., Any], llm: LLMThread
) -> None:
    shell = shell_with(llm_config(llm.base_url))
    line = _one_error_line(shell.run("workflow run write-poem --input topic=Spring --input n_stanzas=2"))
    assert line == "error: write-poem: unknown input 'topic' (inputs: poem_topic, n_stanzas)"
    assert llm.requests == []


def test_a_broken_definition_names_its_file_and_key_and_the_others_still_list(
    shell_with: Callable[..., Any], mojodex_home: Path
) -> None:
    (mojodex_home / "workflows").mkdir()
    bad = mojodex_home / "workflows" / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    (mojodex_home / "workflows" / "broken-toml.toml").write_text('name = "x\n', encoding="utf-8")
    shell = shell_with("")

    out = shell.run("workflow list")
    assert shell.status == 1  # a server is configured but nobody logged in: the list is incomplete
    lines = out.splitlines()
    assert any(line.startswith("error: server workflows: not logged in") for line in lines), out
    assert f"warning: {bad}: {BAD_KEY}" in lines
    broken = mojodex_home / "workflows" / "broken-toml.toml"
    assert any(line.startswith(f"warning: {broken}: malformed TOML: line 1, column 10") for line in lines), out
    assert [line.split(" ")[0] for line in lines if line.startswith("local/")] == [
        "local/software-company", "local/write-poem"]

    for command in ("workflow run local/bad", "workflow run bad", "workflow show-definition bad"):
        assert _one_error_line(shell.run(command)) == f"error: {bad}: {BAD_KEY}", command
    assert _one_error_line(shell.run("workflow run local/nothing-here")).startswith(
        "error: no local workflow 'nothing-here'")


def test_show_definition_prints_the_phases_as_a_tree(shell_with: Callable[..., Any]) -> None:
    shell = shell_with("")
    assert shell.run("workflow show-definition software-company") == SOFTWARE_COMPANY_TREE
    assert shell.run("workflow show-definition local/write-poem") == (
        "🌸 Write poem (local/write-poem)\n"
        "inputs: poem_topic, n_stanzas\n"
        "└─ Writing\n"
        "   ├─ stanza_divider: prompt -> stanza_topic, one entry per line\n"
        "   └─ stanza_writer: prompt -> stanza\n"
    )


class PlainProvider:
    """The smallest provider the hook documents: ``stream`` and ``usage``, no ``preflight``, no ``aclose``."""

    def __init__(self) -> None:
        self.usage: Any = None
        self.calls = 0

    async def stream(self, messages: list[dict[str, str]], *, model: str, temperature: float) -> Any:
        self.calls += 1
        self.usage = {"prompt_tokens": 10, "completion_tokens": 2}
        text = f"Stanza number {self.calls} from the plain provider."
        return ChunkIterator([text[: len(text) // 2], text[len(text) // 2 :]])


class PlainProviderPlugin:
    def __init__(self) -> None:
        self.provider = PlainProvider()

    @hookimpl
    def mojodex_model_providers(self, register: Any) -> None:
        register("plain", lambda ctx: self.provider)


def test_a_plugin_s_provider_of_the_documented_minimal_shape_runs_a_local_workflow(
    shell_with: Callable[..., Any]
) -> None:
    plugin = PlainProviderPlugin()
    shell = shell_with('[llm]\nprovider = "plain"\n', plugins={"plain-provider": plugin})
    out = shell.run("workflow run write-poem --input poem_topic=Spring --input n_stanzas=1", answers=["", ""])
    assert shell.status == 0, out
    assert "Traceback" not in out and "error" not in out, out
    assert "- Stanza: \"Stanza number 2 from the plain provider.\"" in out
    assert "finished: 2 steps, 24 tokens (20 in, 4 out)" in out
    assert plugin.provider.calls == 2
