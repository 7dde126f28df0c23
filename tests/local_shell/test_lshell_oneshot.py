"""Local workflows from scripts: the real `mojodex` script with no terminal (stdin from /dev/null)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .local_shell_helpers import model_env, read_state

LOCAL_LINES = [
    "local/software-company 🏢 Software company - Design, code, test and document a feature with an AI team",
    "local/write-poem 🌸 Write poem - Write a poem stanza by stanza",
]
POEM = ["workflow", "run", "local/write-poem", "--input", "poem_topic=Spring", "--input", "n_stanzas=3"]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.parametrize("logged_in", [True, False], ids=["token-but-no-server", "no-login"])
def test_workflow_list_one_shot_with_a_server_that_fails_lists_the_rest_and_exits_1(
    run_mojodex: Run, unreachable_url: str, logged_in: bool
) -> None:
    env = {"MOJODEX_TOKEN": "token-of-a-server-that-is-not-there"} if logged_in else {}
    proc = run_mojodex("workflow", "list", server_url=unreachable_url, env=env)
    assert proc.returncode == 1, proc.stderr  # a script can tell an incomplete list from a complete one
    assert proc.stdout.splitlines() == LOCAL_LINES
    error = proc.stderr.splitlines()
    assert len(error) == 1, proc.stderr
    assert error[0].startswith("error: server workflows: ") and unreachable_url in error[0]
    assert ("cannot reach" if logged_in else "not logged in") in error[0]


def test_workflow_list_one_shot_for_a_user_who_never_set_up_a_server_is_the_local_list_and_no_error(
    run_mojodex: Run,
) -> None:
    proc = run_mojodex("workflow", "list")  # no server.url, no MOJODEX_TOKEN, no login ever
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == LOCAL_LINES
    assert proc.stderr == ""


def test_workflow_list_json_with_no_server_has_the_local_workflows_and_their_inputs(run_mojodex: Run) -> None:
    proc = run_mojodex("workflow", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    listed = {w["ref"]: w for w in json.loads(proc.stdout)}
    assert set(listed) == {"local/software-company", "local/write-poem"}
    assert listed["local/write-poem"]["inputs"] == ["poem_topic", "n_stanzas"]
    assert all(w["source"] == "local" for w in listed.values())


def test_scripted_write_poem_runs_offline_with_yes(run_mojodex: Run, unreachable_url: str, mojodex_home: Path) -> None:
    proc = run_mojodex(*POEM, "--yes", server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "offline demo provider" in out  # says up front that no model answers
    assert re.findall(r"Step (\S+) started", out) == ["stanza_divider"] + ["stanza_writer"] * 3
    assert out.count("Continue (Y/n)? y (--yes)") == 4
    stanzas = re.findall(r'- Stanza: "(.*)"', out)
    assert len(stanzas) == 3 and all(s.startswith("[offline demo]") for s in stanzas)
    assert [f"Part {i} of 3: Spring" in s for i, s in enumerate(stanzas, 1)] == [True] * 3
    done = re.search(r"Run (\S+) finished: 4 steps, \d+ tokens", out)
    assert done, out
    assert proc.stderr == ""
    run_dir = mojodex_home / "runs" / done.group(1)
    assert read_state(mojodex_home, done.group(1))["status"] == "done"
    assert (run_dir / "stanza.md").read_text(encoding="utf-8").count("[offline demo]") == 3


def test_scripted_write_poem_json_is_one_object_per_line(run_mojodex: Run, unreachable_url: str) -> None:
    proc = run_mojodex(*POEM, "--yes", "--json", server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(e, dict) for e in events) and len(events) == len(lines) > 0
    kinds = [e["event"] for e in events]
    assert kinds.count("step_started") == kinds.count("step_ended") == 4
    assert kinds[-1] == "run_ended"
    assert len({e["run_id"] for e in events}) == 1
    results = [e["result"] for e in events if e["event"] == "step_ended"]
    assert len(results[0]) == 3  # the stanza topics: the writer ran once for each
    assert all("[offline demo]" in value for r in results for entry in r for value in entry.values())


def test_scripted_run_without_yes_exits_1_naming_yes_and_can_be_resumed(
    run_mojodex: Run, unreachable_url: str, mojodex_home: Path
) -> None:
    proc = run_mojodex(*POEM, server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "--yes" in errors[0], proc.stderr
    run_id = re.search(r"workflow resume (\S+) --yes", errors[0])
    assert run_id, errors[0]
    assert "Continue (Y/n)?" not in proc.stdout  # nothing was asked, nothing accepted
    assert read_state(mojodex_home, run_id.group(1))["status"] in ("waiting", "interrupted", "failed")

    resumed = run_mojodex("workflow", "resume", run_id.group(1), "--yes", server_url=unreachable_url,
                          env=model_env(None))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert re.findall(r"Step (\S+) started", resumed.stdout) == ["stanza_divider"] + ["stanza_writer"] * 3
    assert f"Run {run_id.group(1)} finished: 4 steps" in resumed.stdout
    state = read_state(mojodex_home, run_id.group(1))
    assert state["status"] == "done"
    assert [e["step"] for e in state["log"]] == ["stanza_divider"] + ["stanza_writer"] * 3  # not asked twice

    runs = run_mojodex("workflow", "runs", "--json", server_url=unreachable_url)
    assert runs.returncode == 0
    assert [(r["run_id"], r["workflow"], r["status"]) for r in json.loads(runs.stdout)] == [
        (run_id.group(1), "write-poem", "done")
    ]
