"""`mojodex workflow ...` as one command with no terminal: scripted runs, --yes, --json, --jsonl, --output, and
paging of the list."""

from __future__ import annotations

import json
import re

import pytest
from dialects import DIALECTS, play
from workflow_helpers import (
    EXECUTION_PATH,
    NOW,
    POEM_LINE,
    TOPIC,
    json_lines,
    requests,
    step_executions,
    validations,
)

from mojodex_core import ProducedText, RunInfo, hookimpl

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


def poem(played, n: int = 2) -> tuple[str, ...]:
    return ("workflow", "run", played.ref, "--input", "poem_topic=Spring", "--input", f"n_stanzas={n}")


@pytest.mark.parametrize("api", DIALECTS)
def test_jsonl_prints_each_event_as_one_json_line_as_a_local_run_does(start_server_thread, one_shot, api):
    played = play(start_server_thread, api)
    proc = one_shot(played.srv, *poem(played), "--yes", "--jsonl")
    assert proc.returncode == 0, proc.stderr
    events = json_lines(proc.stdout)  # nothing else on stdout
    kinds = [e["event"] for e in events if e["event"] != "title"]  # a 0.4 run's title comes when it comes
    assert kinds == ["run_started", *["step_started", "step_ended", "step_validated"] * 3, "produced_text",
                     "run_ended"]
    [pk] = {e["run_pk"] for e in events}
    [started] = requests(played.srv, *played.run_path())
    assert str(pk) in json.dumps(started.json or started.form)  # the pk of the run the inputs were sent to
    assert [e["step_name"] for e in events if e["event"] == "step_ended"] == [played.first] + [played.second] * 2
    ended = [e for e in events if e["event"] == "step_ended"]
    validated = [e for e in events if e["event"] == "step_validated"]
    assert [e["step_execution_pk"] for e in ended] == [e["step_execution_pk"] for e in validated]
    assert all(e["result"] for e in ended) and [e["result"] for e in ended] == [e["result"] for e in validated]
    assert events[0]["inputs"]["poem_topic"] == "Spring"
    assert "[offline demo] A stanza about" in events[-2]["text"]
    assert events[-1]["status"] == "finished"


@pytest.mark.parametrize("api", DIALECTS)
def test_resume_with_json_and_output_gives_the_whole_run(start_server_thread, one_shot, mojodex_home, api):
    played = play(start_server_thread, api)
    left = one_shot(played.srv, *poem(played))
    assert left.returncode == 1  # no terminal at the first validation: the run waits
    found = re.search(r"workflow resume (\d+) --yes", left.stderr)
    assert found, left.stderr
    pk = found.group(1)
    out = mojodex_home.parent / "poem.md"
    proc = one_shot(played.srv, "workflow", "resume", pk, "--yes", "--json", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # one document, nothing else on stdout
    assert str(doc["run_pk"]) == pk and doc["status"] == "finished"
    assert [s["step_name"] for s in doc["steps"]] == [played.first] + [played.second] * 2
    assert [s["step_execution_pk"] for s in doc["steps"]] == [
        v.json["user_workflow_step_execution_pk"] for v in validations(played.srv)]
    text = doc["produced_text"]["text"]
    assert text.count("[offline demo] A stanza about") == 2
    assert out.read_text(encoding="utf-8") == f"# {doc['produced_text']['title']}\n\n{text}\n"

    # Resumed again, it has finished: the same document, the same file, and the message on stderr.
    out.unlink()
    again = one_shot(played.srv, "workflow", "resume", pk, "--json", "--output", str(out))
    assert again.returncode == 0, again.stderr
    assert f"Run {pk} has finished" in again.stderr
    redoc = json.loads(again.stdout)
    assert redoc["status"] == "finished" and redoc["produced_text"]["text"] == text
    # A specification server keeps no produced text: its title, sent once at the end, is not read back.
    title = redoc["produced_text"]["title"]
    assert title == (doc["produced_text"]["title"] if api != "spec" else "Write poem")
    assert [s["step_execution_pk"] for s in redoc["steps"]] == [s["step_execution_pk"] for s in doc["steps"]]
    assert out.read_text(encoding="utf-8") == f"# {title}\n\n{text}\n"


class AnotherSource:
    """A plugin's own workflows: ``other/text`` produces a text, ``other/none`` finishes without one."""

    @hookimpl
    async def mojodex_run_workflow(self, ctx, ref):
        if not ref.startswith("other/"):
            return None
        run = RunInfo(pk="o1", session_id="o1", name="Other", kind="other")
        if ref == "other/text":
            run.produced = ProducedText("", "Some text.")
        await ctx.call_hook("mojodex_run_ended", run=run, status="finished")
        return 0


async def test_output_of_another_source_s_run_is_its_produced_text_or_a_failure_saying_none_was_written(
        make_shell, logged_in, unreachable_url, tmp_path):
    logged_in(unreachable_url)  # a saved login: the shell asks for none (the other source needs no server)
    shell = make_shell(server_url=unreachable_url, plugins=["workflow"])
    shell.add_plugin("other", AnotherSource())
    written, unwritten = tmp_path / "text.md", tmp_path / "none.md"
    out = await shell.run(f"workflow run other/text --output {written}\rworkflow run other/none --output {unwritten}"
                          "\rexit\r")
    assert written.exists(), out
    assert written.read_text(encoding="utf-8") == "# Other\n\nSome text.\n"
    assert f"error: the run finished without producing any text: nothing was written to {unwritten}\n" in out
    assert not unwritten.exists()
