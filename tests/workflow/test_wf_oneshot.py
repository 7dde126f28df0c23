"""`mojodex workflow ...` as one command with no terminal: scripted runs, --yes, --json, and paging of the list."""

from __future__ import annotations

import json

from workflow_helpers import (
    EXECUTION_PATH,
    NOW,
    POEM_LINE,
    TOPIC,
    requests,
    step_executions,
    validations,
)

INPUTS = ("--input", f"poem_topic={TOPIC}", "--input", "n_stanzas=3")


def test_scripted_run_with_yes_exits_0_when_the_run_ends(start_server_thread, one_shot):
    srv = start_server_thread(first_pk=101)
    proc = one_shot(srv, "workflow", "run", "101", *INPUTS, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.count("Step stanza_divider ended") == 1 and out.count("Step stanza_writer ended") == 3
    assert out.count("Continue (Y/n)? y (--yes)") == 4
    assert out.rstrip().endswith("Run finished.")
    steps = step_executions(srv, 101)
    assert len(steps) == 4 and all(s["validated"] for s in steps)
    [submit] = requests(srv, "PUT", EXECUTION_PATH)
    assert submit.json["json_inputs"] == [{"input_name": "poem_topic", "value": TOPIC},
                                          {"input_name": "n_stanzas", "value": 3}]


def test_scripted_run_without_yes_exits_1_naming_yes_and_leaves_the_run_waiting(start_server_thread, one_shot):
    srv = start_server_thread()
    proc = one_shot(srv, "workflow", "run", "1", *INPUTS)
    assert proc.returncode == 1
    assert "--yes" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr  # one clear line
    assert "Step stanza_divider ended" in proc.stdout and "Results:" in proc.stdout
    assert validations(srv) == []
    [divider] = step_executions(srv, 1)
    assert divider["result"] and not divider["validated"]

    # ... and `workflow resume 1 --yes` finishes it from another process.
    proc = one_shot(srv, "workflow", "resume", "1", "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("Step stanza_writer ended") == 3
    assert all(s["validated"] for s in step_executions(srv, 1))


def test_scripted_run_missing_an_input_names_the_flag(start_server_thread, one_shot):
    srv = start_server_thread()
    proc = one_shot(srv, "workflow", "run", "1", "--input", "poem_topic=x", "--yes")
    assert proc.returncode == 1
    assert "--input n_stanzas=VALUE" in proc.stderr
    assert requests(srv, "PUT", EXECUTION_PATH) == []


def test_json_prints_the_run_as_one_document(start_server_thread, one_shot):
    srv = start_server_thread(first_pk=7)
    proc = one_shot(srv, "workflow", "run", "7", *INPUTS, "--yes", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = json.loads(proc.stdout)  # one document, nothing else on stdout
    assert run["run_pk"] == 7 and run["status"] == "finished" and run["workflow"] == "Write poem"
    steps = run["steps"]
    assert [s["step_name"] for s in steps] == ["stanza_divider"] + ["stanza_writer"] * 3
    assert [list(r) for r in steps[0]["result"]] == [["stanza_topic"]] * 3
    assert [s["step_execution_pk"] for s in steps] == [
        s["user_workflow_step_execution_pk"] for s in step_executions(srv, 7)]
    assert run["produced_text"]["title"] == f"Write poem: {TOPIC}"
    assert run["produced_text"]["text"].count("[offline demo]") == 3


def test_list_follows_pages_past_50(start_server_thread, one_shot):
    srv = start_server_thread()

    def add_59() -> None:
        for i in range(2, 61):
            srv.server.add_workflow(f"Workflow {i}", "🔧", f"Number {i}")

    srv.call(add_59)
    proc = one_shot(srv, "workflow", "list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [f"1. {POEM_LINE}"] + [f"{i}. 🔧 Workflow {i} - Number {i}" for i in range(2, 61)]
    pages = requests(srv, "GET", "/user_workflow")
    # The first page is the specification's request as is; the next ones name their page.
    assert [r.query for r in pages] == [{**NOW, "version": "0.0.0"},
                                        {**NOW, "version": "0.0.0", "n_user_workflows": "50", "offset": "50"}]

    proc = one_shot(srv, "workflow", "list", "--json")
    import json

    listed = json.loads(proc.stdout)
    assert [w["ref"] for w in listed] == [str(i) for i in range(1, 61)]


def test_list_of_exactly_50_asks_once_more_and_stops_on_the_empty_page(start_server_thread, one_shot):
    srv = start_server_thread()
    srv.call(lambda: [srv.server.add_workflow(f"W{i}", "", "") for i in range(49)])
    proc = one_shot(srv, "workflow", "list")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 50
    assert [r.query.get("offset", "0") for r in requests(srv, "GET", "/user_workflow")] == ["0", "50"]
