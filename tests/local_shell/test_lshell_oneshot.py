"""Local workflows from scripts: `mojodex` with no terminal, through the script's own ``main`` in this process."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .local_shell_helpers import (
    LLMThread,
    conversation_of,
    llm_config,
    model_env,
    output_of,
    read_state,
    roleplay_reply,
    write_config,
)

LOCAL_LINES = [
    "local/software-company 🏢 Software company - Design, code, test and document a feature with an AI team",
    "local/write-poem       🌸 Write poem       - Write a poem stanza by stanza",  # aligned with the row above
]
POEM = ["workflow", "run", "local/write-poem", "--input", "poem_topic=Spring", "--input", "n_stanzas=3"]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_mojodex(mojodex_main: Run) -> Run:
    """The runs of this module go through the script's ``main`` in this process (``mojodex_main``)."""
    return mojodex_main


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


def stanzas_of(steps: list[dict[str, Any]]) -> list[str]:
    """The stanzas a run's steps wrote, in order (the writer's results)."""
    return [entry["stanza"] for s in steps if s["step_name"] == "stanza_writer" for entry in s["result"]]


def test_scripted_write_poem_json_is_one_document_at_the_end(run_mojodex: Run, unreachable_url: str,
                                                             mojodex_home: Path) -> None:
    proc = run_mojodex(*POEM, "--yes", "--json", server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)  # one document, nothing else on stdout
    assert "offline demo provider" in proc.stderr  # messages go to stderr
    # The keys of a server run's document, meaning the same...
    assert {"run_pk", "workflow", "title", "status", "inputs", "steps", "produced_text"} <= set(doc)
    assert (doc["workflow"], doc["title"], doc["status"]) == ("Write poem", "Write poem: Spring", "finished")
    assert doc["inputs"] == {"poem_topic": "Spring", "n_stanzas": "3"}
    assert [s["step_name"] for s in doc["steps"]] == ["stanza_divider"] + ["stanza_writer"] * 3
    assert all(s["validated"] is True and s["step_execution_pk"].startswith(doc["run_pk"] + "/")
               for s in doc["steps"])
    assert len(doc["steps"][0]["result"]) == 3  # the stanza topics: the writer ran once for each
    stanzas = stanzas_of(doc["steps"])
    assert len(stanzas) == 3 and all(s.startswith("[offline demo]") for s in stanzas)
    assert doc["produced_text"] == {"title": "Write poem: Spring", "text": "## stanza\n\n" + "\n\n".join(stanzas)}
    # ... and what only a local run has: its artifacts, its tokens, its files.
    assert [(a["name"], a["final"]) for a in doc["artifacts"]] == [("stanza_topic", False), ("stanza", True)]
    run_dir = mojodex_home / "runs" / doc["run_pk"]
    assert doc["path"] == str(run_dir) and read_state(mojodex_home, doc["run_pk"])["status"] == "done"
    poem = doc["artifacts"][1]
    assert Path(poem["path"]).read_text(encoding="utf-8") == f"# stanza\n\n{poem['text']}\n"
    assert doc["usage"]["total_tokens"] == sum(s["usage"]["total_tokens"] for s in doc["steps"]) > 0


def test_scripted_write_poem_jsonl_is_one_event_per_line_as_a_server_run_s(run_mojodex: Run,
                                                                         unreachable_url: str) -> None:
    proc = run_mojodex(*POEM, "--yes", "--jsonl", server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object, nothing else on stdout
    assert all(isinstance(e, dict) for e in events) and len(events) == len(lines) > 0
    kinds = [e["event"] for e in events if e["event"] != "message"]
    assert kinds == ["run_started", *["step_started", "step_ended", "step_validated"] * 4, "produced_text",
                     "run_ended"]
    assert len({e["run_pk"] for e in events}) == 1
    ended = [e for e in events if e["event"] == "step_ended"]
    assert [e["step_name"] for e in ended] == ["stanza_divider"] + ["stanza_writer"] * 3
    assert len(ended[0]["result"]) == 3
    assert events[0]["inputs"] == {"poem_topic": "Spring", "n_stanzas": "3"}
    assert events[-1]["status"] == "finished" and events[-1]["usage"]["total_tokens"] > 0


def test_json_and_jsonl_together_are_a_usage_error(run_mojodex: Run, unreachable_url: str,
                                                   mojodex_home: Path) -> None:
    proc = run_mojodex(*POEM, "--yes", "--json", "--jsonl", server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and "--jsonl" in proc.stderr
    assert not (mojodex_home / "runs").exists()


def test_output_writes_the_poem_as_one_markdown_document(run_mojodex: Run, unreachable_url: str,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "poem.md"
    proc = run_mojodex(*POEM, "--yes", "--output", str(out), server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stanzas = re.findall(r'- Stanza: "(.*)"', proc.stdout)
    assert len(stanzas) == 3
    assert out.read_text(encoding="utf-8") == "# Write poem: Spring\n\n## stanza\n\n" + "\n\n".join(stanzas) + "\n"
    assert f"Wrote {out}." in proc.stderr


NOTHING = """name = "Nothing to keep"
inputs = ["topic"]
final = []

[[steps]]
name = "muse"
prompt = "Think about {topic}."
"""


def test_output_of_a_workflow_that_produces_nothing_is_refused_before_anything_runs(
    run_mojodex: Run, unreachable_url: str, mojodex_home: Path, tmp_path: Path
) -> None:
    (mojodex_home / "workflows").mkdir(parents=True)
    (mojodex_home / "workflows" / "nothing.toml").write_text(NOTHING, encoding="utf-8")
    out = tmp_path / "nothing.md"
    proc = run_mojodex("workflow", "run", "local/nothing", "--input", "topic=x", "--yes", "--output", str(out),
                       server_url=unreachable_url, env=model_env(None))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        "error: --output: local/nothing produces nothing to write (its definition's `final` is empty)"]
    assert proc.stdout == "" and not out.exists()
    assert not (mojodex_home / "runs").exists()  # no run was made, no model asked
    # Without --output it runs.
    ran = run_mojodex("workflow", "run", "local/nothing", "--input", "topic=x", "--yes", server_url=unreachable_url,
                      env=model_env(None))
    assert ran.returncode == 0, ran.stderr


def test_resume_with_output_and_json_writes_the_whole_run(run_mojodex: Run, unreachable_url: str,
                                                          mojodex_home: Path, tmp_path: Path) -> None:
    left = run_mojodex(*POEM, server_url=unreachable_url, env=model_env(None))
    assert left.returncode == 1  # no terminal to validate the first step: left waiting
    run_id = re.search(r"workflow resume (\S+) --yes", left.stderr)
    assert run_id, left.stderr
    out = tmp_path / "poem.md"
    resumed = run_mojodex("workflow", "resume", run_id.group(1), "--yes", "--json", "--output", str(out),
                          server_url=unreachable_url, env=model_env(None))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    doc = json.loads(resumed.stdout)
    assert doc["run_pk"] == run_id.group(1) and doc["status"] == "finished"
    assert [s["step_name"] for s in doc["steps"]] == ["stanza_divider"] + ["stanza_writer"] * 3
    stanzas = stanzas_of(doc["steps"])
    assert out.read_text(encoding="utf-8") == "# Write poem: Spring\n\n## stanza\n\n" + "\n\n".join(stanzas) + "\n"


def test_resume_with_output_of_a_run_whose_definition_produces_nothing_is_refused(
    run_mojodex: Run, unreachable_url: str, mojodex_home: Path, tmp_path: Path
) -> None:
    (mojodex_home / "workflows").mkdir(parents=True)
    (mojodex_home / "workflows" / "nothing.toml").write_text(NOTHING, encoding="utf-8")
    left = run_mojodex("workflow", "run", "local/nothing", "--input", "topic=x", server_url=unreachable_url,
                       env=model_env(None))
    assert left.returncode == 1
    [run_id] = [p.name for p in (mojodex_home / "runs").iterdir()]
    before = read_state(mojodex_home, run_id)
    out = tmp_path / "nothing.md"
    proc = run_mojodex("workflow", "resume", run_id, "--yes", "--output", str(out), server_url=unreachable_url,
                       env=model_env(None))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "produces nothing to write" in proc.stderr
    assert read_state(mojodex_home, run_id) == before and not out.exists()  # nothing ran


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
    assert read_state(mojodex_home, run_id.group(1))["status"] == "waiting"  # a pause, not a failure

    resumed = run_mojodex("workflow", "resume", run_id.group(1), "--yes", server_url=unreachable_url,
                          env=model_env(None))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert re.findall(r"Step (\S+) started", resumed.stdout) == ["stanza_divider"] + ["stanza_writer"] * 3
    assert f"Run {run_id.group(1)} finished: 4 steps" in resumed.stdout
    state = read_state(mojodex_home, run_id.group(1))
    assert state["status"] == "done"
    assert [e["step"] for e in state["log"]] == ["stanza_divider"] + ["stanza_writer"] * 3  # not asked twice

    runs = run_mojodex("workflow", "runs", "--json", server_url=unreachable_url)
    assert runs.returncode == 1  # the server's runs need a login: listed as one error line, after the local ones
    assert [(r["run_id"], r["source"], r["workflow"], r["status"]) for r in json.loads(runs.stdout)] == [
        (run_id.group(1), "local", "local/write-poem", "done")
    ]


def test_output_of_the_software_company_is_its_final_artifacts_in_order_each_under_one_heading(
    run_mojodex: Run, start_llm: Callable[..., LLMThread], unreachable_url: str, mojodex_home: Path, tmp_path: Path
) -> None:
    def reply(body: dict[str, Any]) -> Any:
        found = conversation_of(body)
        if found is not None and found[0] == "Documenting (Manual)" and found[2] == 2:
            # A model that starts its artifact with the heading the document would give it.
            return f"{found[1]}: # Manual\n\nClick Create user.\n\nEND CONVERSATION"
        return roleplay_reply(body)

    llm = start_llm(reply_fn=reply)
    write_config(mojodex_home, llm_config(llm.base_url))
    out = tmp_path / "feature.md"
    proc = run_mojodex("workflow", "run", "local/software-company", "--input", "task=Create users", "--yes",
                       "--json", "--output", str(out), server_url=unreachable_url, env=model_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    texts = {a["name"]: a["text"] for a in doc["artifacts"]}
    assert [a["name"] for a in doc["artifacts"] if a["final"]] == ["Tested Code", "Specification", "Manual"]
    assert texts["Tested Code"].endswith(output_of("Testing (Test)")) and texts["Manual"].startswith("# Manual\n")
    assert out.read_text(encoding="utf-8") == (
        "# Software company: Create users\n\n"
        f"## Tested Code\n\n{texts['Tested Code']}\n\n"
        f"## Specification\n\n{texts['Specification']}\n\n"
        f"{texts['Manual']}\n"
    )
    assert doc["produced_text"]["text"] + "\n" == out.read_text(encoding="utf-8").split("\n\n", 1)[1]
