"""The controls of a local run in the shell: `e` at the question edits the result in $EDITOR, a code artifact's
files show as a diff, `workflow rewind RUN STEP` asks first and runs only the steps after the reopened one."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mojodex_engine.testing import Reply

from .local_shell_helpers import LLMThread, conversation_of, llm_config, model_env, read_state, write_config

# The workflow of the engine's tests of the same controls (tests/local).
THREE = (Path(__file__).parents[1] / "local" / "three_talks.toml").read_text(encoding="utf-8")

OUTPUTS = {"Planning": "PLAN-1: greet", "Coding": '```python path=app/main.py\nprint("hi")\n```',
           "Reviewing": "NOTES-1: fine"}

# An editor that replaces PLAN-1 with PLAN-EDITED in the file it is given.
EDITOR = """import sys
path = sys.argv[1]
text = open(path).read()
open(path, "w").write(text.replace("PLAN-1", "PLAN-EDITED"))
"""


def reply(body: dict[str, Any]) -> str | Reply:
    found = conversation_of(body)
    if found is None:
        return "OK"
    conv, speaker, turn = found
    if turn == 1:
        return f"{speaker}: Let us do {conv}."
    return f"{speaker}: {OUTPUTS[conv]}\nEND CONVERSATION"


@pytest.fixture
def shell(mojodex_shell: Callable[..., Any], mojodex_home: Path, unreachable_url: str, tmp_path: Path,
          start_llm: Callable[..., LLMThread], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, LLMThread]:
    llm = start_llm(reply_fn=reply)
    for name, value in model_env().items():
        monkeypatch.setenv(name, value)
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    write_config(mojodex_home, f'[server]\nurl = "{unreachable_url}"\n{llm_config(llm.base_url)}')
    (mojodex_home / "workflows").mkdir()
    (mojodex_home / "workflows" / "three.toml").write_text(THREE)
    return mojodex_shell(), llm


def _convs(llm: LLMThread) -> list[str]:
    return [c for c, _ in llm.turns()]


def test_e_edits_the_result_and_later_steps_read_the_edited_text_then_rewind_runs_only_the_later_steps(
    shell: tuple[Any, LLMThread], mojodex_home: Path
) -> None:
    sh, llm = shell
    out = sh.run("workflow run local/three --input task=greet", answers=["e", "y", "y", "y"])
    assert sh.status == 0, out
    # the edited result is shown and asked about again, and is what Coding reads
    assert re.search(r"Continue \(Y/n\)\? e\nThe edited result:\nResults:\n- Plan: \"PLAN-EDITED: greet\"", out), out
    coding = [r for r in llm.requests if (conversation_of(r) or ("",))[0] == "Coding"]
    assert "## Plan\nPLAN-EDITED: greet" in coding[0]["messages"][1]["content"]
    assert "PLAN-1" not in str(coding)
    # the code's files as a diff at Coding's question, written once accepted
    assert "app/main.py (new)" in out and '+print("hi")' in out
    run_id = re.search(r"Run (\S+) finished", out).group(1)  # type: ignore[union-attr]
    assert (mojodex_home / "runs" / run_id / "workspace" / "app" / "main.py").read_text() == 'print("hi")\n'
    assert read_state(mojodex_home, run_id)["values"]["Plan"] == "PLAN-EDITED: greet"

    before = len(_convs(llm))
    out = sh.run(f"workflow rewind {run_id} 2", answers=["y", "y", "y"])
    assert sh.status == 0, out
    assert "the results of the step after it are dropped and made again" in out
    assert "Go back to step 2 (Coding)? (y/N) y" in out
    assert f"Run {run_id} goes back to step 2 (Coding)." in out
    assert "(workspace/: 1 files, unchanged)" not in out and "app/main.py (new)" in out  # made again from step 1
    assert _convs(llm)[before:] == ["Reviewing"] * 2  # only the steps after Coding asked the model


def test_rewind_without_a_terminal_asks_for_yes_and_a_no_leaves_the_run_as_it_was(
    shell: tuple[Any, LLMThread], mojodex_home: Path
) -> None:
    sh, llm = shell
    out = sh.run("workflow run local/three --input task=greet --yes --json")
    document = json.loads(out)
    run_id = document["run_pk"]
    assert document["workspace"] == ["app/main.py"]
    out = sh.run(f"workflow rewind {run_id} 1", answers=[])
    assert sh.status == 1
    assert "drops the results after step 1 and there is no terminal to ask: pass --yes" in out
    out = sh.run(f"workflow rewind {run_id} 1", answers=["n"])
    assert sh.status == 1 and f"error: run {run_id} was not rewound" in out
    assert read_state(mojodex_home, run_id)["status"] == "done"
    calls = len(_convs(llm))
    # the last step: reopened, accepted, nothing after (the declined rewind let the run go)
    out = sh.run(f"workflow rewind {run_id} Reviewing --yes")
    assert sh.status == 0 and "Continue (Y/n)? y (--yes)" in out and "NOTES-1: fine" in out, out
    assert len(_convs(llm)) == calls
    out = sh.run(f"workflow rewind {run_id} nope --yes")
    assert sh.status == 2 and "no step 'nope' in Three talks (1. Planning, 2. Coding, 3. Reviewing)" in out
    out = sh.run("workflow rewind 12 1 --yes")  # a server run: refused in one line, no server asked
    assert sh.status == 2 and out.strip() == ("error: run 12 is a server run: only local runs go back to a step "
                                              "(`workflow runs` marks them)"), out


def test_in_a_terminal_e_opens_the_editor_and_rewind_asks_then_runs_the_later_steps(
    local_shell: Callable[..., Any], start_llm: Callable[..., LLMThread], mojodex_home: Path, tmp_path: Path
) -> None:
    llm = start_llm(reply_fn=reply)
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    (mojodex_home / "workflows").mkdir()
    (mojodex_home / "workflows" / "three.toml").write_text(THREE)
    term = local_shell(llm, env={"VISUAL": f"{sys.executable} {editor}"})
    term.line("workflow run local/three --input task=greet")
    term.expect("PLAN-1: greet", timeout=10)
    term.expect("Continue (Y/n)?")
    term.line("e")
    term.expect('- Plan: "PLAN-EDITED: greet"', timeout=10)
    term.expect("Continue (Y/n)?")
    term.line("y")
    term.expect("app/main.py (new)", timeout=10)
    term.expect('+print("hi")')
    term.expect("Continue (Y/n)?")
    term.line("y")
    term.expect("Continue (Y/n)?", timeout=10)
    term.line("y")
    run_id = term.expect(re.compile(r"Run (\S+) finished"), timeout=10).group(1)
    term.expect_prompt()
    term.line("workflow rewind last Coding")
    term.expect("Go back to step 2 (Coding)? (y/N)", timeout=10)
    term.line("y")
    term.expect("Continue (Y/n)?", timeout=10)  # Coding again, as accepted: no model call
    term.line("y")
    term.expect("Continue (Y/n)?", timeout=10)  # Reviewing, asked of the model again
    term.line("y")
    term.expect(f"Run {run_id} finished", timeout=10)
    term.expect_prompt()
    assert _convs(llm) == ["Planning"] * 2 + ["Coding"] * 2 + ["Reviewing"] * 4
    coding = [r for r in llm.conversation_requests() if conversation_of(r)[0] == "Coding"]  # type: ignore[index]
    assert "PLAN-EDITED: greet" in coding[0]["messages"][1]["content"]


def test_an_unchanged_file_or_a_failing_editor_leaves_the_result_and_asks_again(
    shell: tuple[Any, LLMThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    sh, _ = shell
    monkeypatch.setenv("VISUAL", "true")
    out = sh.run("workflow run local/three --input task=greet", answers=["e", "y", "y", "y"])
    assert sh.status == 0 and "Continue (Y/n)? e\nThe result was not changed.\nContinue (Y/n)? y" in out, out
    monkeypatch.setenv("VISUAL", f"{sys.executable} -c 'raise SystemExit(3)'")
    out = sh.run("workflow run local/three --input task=greet", answers=["e", "y", "y", "y"])
    assert sh.status == 0 and "error: the editor exited with status 3" in out, out
    assert "PLAN-1: greet" in json.dumps(out) and "Traceback" not in out
