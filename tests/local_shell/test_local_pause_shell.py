"""The shell side of local runs, in this process: one list of runs (local and server, each marked), `workflow show`
of a local run, typed inputs asked and checked as a server's, and the token budget's question (or pause)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from server_runs import add_runs

from mojodex_core import DIALECTS

from .local_shell_helpers import LLMThread, llm_config, model_env, output_of, read_state, write_config

OFFLINE = '[llm]\nprovider = "offline"\n[shell]\nload_completions = false\n'
POEM = "workflow run local/write-poem --input poem_topic=Sea --input n_stanzas=1"
Main = Callable[..., Any]

TWO_TALKS = """
name = "Two talks"
description = "Plan, then build"

[inputs.task]
description = "What should be built?"

[[roles]]
name = "Boss"
description = "Decides."

[[roles]]
name = "Maker"
description = "Builds."

[[artifacts]]
name = "Task"
from_input = "task"
description = "What is wanted."

[[artifacts]]
name = "Plan"
description = "How to do it."

[[conversations]]
name = "Planning"
description = "Make a plan."
lead = "Boss"
assistant = "Maker"
input = "Task"
output = "Plan"
turns = 4
"""


@pytest.mark.parametrize("api", DIALECTS)
def test_workflow_runs_lists_local_and_server_runs_each_marked(
    mojodex_shell: Callable[..., Any], start_server_thread: Callable[..., Any], mojodex_home: Path, api: str
) -> None:
    srv = start_server_thread(api=api)
    server_runs = add_runs(srv, 1, user_task_pk=1, title="Poem run") if api == "mojodex-0.4" else []
    write_config(mojodex_home, OFFLINE)
    shell = mojodex_shell(server=srv)
    shell.run(f"{POEM} --yes")
    assert shell.status == 0

    rows = json.loads(shell.run("workflow runs --json"))
    assert shell.status == 0  # a server whose dialect keeps no list of runs is no error: it has none to list
    assert [(r["source"], r["workflow"], r["status"]) for r in rows if r["source"] == "local"] == [
        ("local", "local/write-poem", "done")
    ]
    assert [r["run"] for r in rows if r["source"] == "server"] == [str(pk) for pk in server_runs]
    table = shell.run("workflow runs").splitlines()  # no terminal here: the rows without their headers
    assert [line.split()[:2] for line in table] == [[r["run"], r["source"]] for r in rows]


def test_workflow_show_of_a_local_run_has_its_steps_conversation_artifacts_and_tokens(
    mojodex_main: Main, start_llm: Callable[..., LLMThread], mojodex_home: Path, unreachable_url: str
) -> None:
    from .local_shell_helpers import roleplay_reply

    llm = start_llm(reply_fn=roleplay_reply)
    write_config(mojodex_home, llm_config(llm.base_url))
    (mojodex_home / "workflows").mkdir()
    (mojodex_home / "workflows" / "two-talks.toml").write_text(TWO_TALKS, encoding="utf-8")
    run = mojodex_main("workflow", "run", "local/two-talks", "--input", "task=a shed", "--yes", "--json",
                       env=model_env())
    assert run.returncode == 0, run.stderr
    run_id = json.loads(run.stdout)["run_pk"]

    shown = mojodex_main("workflow", "show", run_id[:12], env=model_env())  # a unique prefix is enough
    assert shown.returncode == 0, shown.stderr
    state = read_state(mojodex_home, run_id)
    out = shown.stdout
    assert out.startswith(f"Run {run_id}: Two talks (local/two-talks) - Two talks: a shed\n")
    assert f"done; model test-model; {state['usage']['total_tokens']} tokens" in out
    assert "  task = a shed\nStep Planning (Two talks): validated\n  Boss: Let us start Planning." in out
    assert output_of("Planning") in out and "END CONVERSATION" not in out
    assert f"Artifact Plan (final): {mojodex_home / 'runs' / run_id / 'plan.md'}" in out

    doc = json.loads(mojodex_main("workflow", "show", run_id, "--json", env=model_env()).stdout)
    assert (doc["run_id"], doc["source"], doc["status"]) == (run_id, "local", "done")
    assert [m["role"] for m in doc["steps"][0]["messages"]] == ["Boss", "Maker"]
    assert doc["artifacts"][0]["text"].endswith(output_of("Planning"))

    missing = mojodex_main("workflow", "show", "20990101-000000-beef", env=model_env())
    assert missing.returncode == 1 and missing.stderr == "error: no run '20990101-000000-beef' (see `workflow runs`)\n"


def test_a_number_input_is_checked_as_a_number_one_shot_and_when_asked(
    mojodex_main: Main, mojodex_shell: Callable[..., Any], start_llm: Callable[..., LLMThread], mojodex_home: Path
) -> None:
    llm = start_llm()
    write_config(mojodex_home, llm_config(llm.base_url))
    bad = mojodex_main("workflow", "run", "local/write-poem", "--input", "poem_topic=Sea", "--input",
                       "n_stanzas=two", "--yes", env=model_env())
    assert bad.returncode == 2
    assert bad.stderr == "error: --input n_stanzas: n_stanzas must be a whole number, not 'two'\n"
    assert llm.requests == [] and not (mojodex_home / "runs").exists()  # refused before the model is called

    write_config(mojodex_home, OFFLINE)
    shell = mojodex_shell()
    out = shell.run("workflow run local/write-poem", answers=["Sea", "two", "1", "y", "y"])
    assert shell.status == 0, out
    assert "What is the poem about?\npoem_topic: Sea\nHow many stanzas?\nn_stanzas: two\n" in out
    assert "n_stanzas must be a whole number, not 'two'.\nn_stanzas: 1\n" in out  # asked again
    assert out.count("Step stanza_writer started") == 1


def test_at_the_budget_a_script_pauses_and_at_a_terminal_the_user_is_asked(
    mojodex_main: Main, mojodex_shell: Callable[..., Any], mojodex_home: Path
) -> None:
    write_config(mojodex_home, OFFLINE + "[local]\nbudget = 1\n")  # every call after the first reaches it
    paused = mojodex_main(*POEM.replace("n_stanzas=1", "n_stanzas=2").split(), "--yes")
    assert paused.returncode == 1
    [error] = paused.stderr.splitlines()
    found = re.fullmatch(r"error: run (\S+) reached its token budget: (\d+) tokens used of 1 and there is no terminal "
                         r"to ask whether to go on: `mojodex workflow resume \1` goes on with 1 more tokens", error)
    assert found, error
    run_id = found.group(1)
    state = read_state(mojodex_home, run_id)
    assert (state["status"], state["pause"], len(state["log"])) == ("waiting", "budget", 1)

    shell = mojodex_shell()
    out = shell.run(f"workflow resume {run_id}", answers=["y", "n"])  # the stanza; then stop at the budget
    assert shell.status == 0, out
    assert "Step stanza_writer started" in out
    assert re.search(r"The run has used \d+ tokens, its budget is \d+\.\n"
                     r"Go on with 1 more tokens \(Y\), or stop here \(n\)\? n\n", out), out
    assert f"Run {run_id} paused at its token budget; `workflow resume {run_id}` goes on with 1 more tokens." in out
    state = read_state(mojodex_home, run_id)
    assert (state["status"], state["pause"], len(state["log"])) == ("waiting", "budget", 2)
    assert "waiting" in shell.run("workflow runs")
