"""The specification's transcript, through the real `mojodex` script in a pseudo-terminal, and what the server got."""

from __future__ import annotations

import pytest
from workflow_helpers import (
    EXECUTION_PATH,
    NOW,
    POEM_LINE,
    PROMPT,
    QUESTION,
    TOPIC,
    execution,
    requests,
    validations,
)


def validate_step(term, name: str, results: list[str]) -> None:
    """One ended step as the specification shows it, up to its question, answered with Enter."""
    term.expect(f"Step {name} started\nStep {name} ended\nResults:\n")
    for line in results:
        term.expect(line)
    term.expect(QUESTION)
    term.line("")


@pytest.mark.parametrize("first_pk", [1, 101])
def test_the_specification_transcript_and_what_the_server_received(start_server_thread, open_shell, open_term,
                                                                    first_pk):
    # join_grace=0: the server starts the first step as soon as the inputs come, so the shell must have joined
    # the run's room before it sent them.
    srv = start_server_thread(first_pk=first_pk, join_grace=0)
    token = srv.token_for()
    # Once in a terminal, once in this process (``open_term``): the same shell.
    term = open_shell(srv, token=token) if first_pk == 1 else open_term(srv, token=token)

    term.line("workflow list")
    term.expect(f"{first_pk}. {POEM_LINE}\n")
    term.expect(PROMPT)
    term.line(f"workflow run {first_pk}")
    term.expect("poem_topic: ")
    term.line(TOPIC)
    term.expect("n_stanzas: ")
    term.line("3")
    validate_step(term, "stanza_divider", [f'- Stanza {i}: "' for i in (1, 2, 3)])
    for _ in range(3):
        validate_step(term, "stanza_writer", ["- Stanza:"])
    # The server's end event: the produced text's title, then the text (the three stanzas).
    term.expect(f"Write poem: {TOPIC}\n[offline demo] A stanza about")
    term.expect("Run finished.")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0

    shown = term.text
    assert shown.count("Step stanza_divider ended") == 1
    assert shown.count("Step stanza_writer started") == shown.count("Step stanza_writer ended") == 3
    assert "Traceback" not in shown and "error" not in shown.lower()

    # What the server received. Every request carries the raw token (no "Bearer ").
    sent = srv.requests
    assert sent and all(r.headers.get("Authorization") == token for r in sent)

    [listing] = requests(srv, "GET", "/user_workflow")
    assert listing.query["datetime"] == "now" and listing.query["platform"] == "webapp"
    assert listing.query["version"] == "0.0.0" and listing.query.get("offset", "0") == "0"

    [create] = requests(srv, "POST", EXECUTION_PATH)
    assert create.json == {"datetime": "now", "user_workflow_pk": first_pk, "platform": "webapp"}
    assert create.status == 200
    pk = first_pk  # the first execution of a server whose keys start at first_pk
    stored = execution(srv, pk)

    [submit] = requests(srv, "PUT", EXECUTION_PATH)
    assert submit.json == {**NOW, "user_workflow_execution_pk": pk,
                           "json_inputs": [{"input_name": "poem_topic", "value": TOPIC},
                                           {"input_name": "n_stanzas", "value": 3}]}
    n_stanzas = submit.json["json_inputs"][1]["value"]
    assert type(n_stanzas) is int  # a JSON number 3, not "3" nor 3.0
    assert '"value": 3}' in submit.body or '"value":3}' in submit.body

    joins = [data for event, data in srv.call(lambda: list(srv.server.socket_log)) if event == "start_session"]
    assert joins == [{"session_id": stored["session_id"], "version": "0.0.0"}]

    # One GET of the execution per ended step, each the specification's query.
    steps = stored["step_executions"]
    assert [s["step_name"] for s in steps] == ["stanza_divider"] + ["stanza_writer"] * 3
    gets = requests(srv, "GET", EXECUTION_PATH)
    assert len(gets) == len(steps) == 4
    assert all(g.query == {**NOW, "user_workflow_execution_pk": str(pk)} for g in gets)

    # One validation per step execution, in order, as the specification writes it; all stored.
    assert [v.json for v in validations(srv)] == [
        {"datetime": "now", "user_workflow_step_execution_pk": s["user_workflow_step_execution_pk"],
         "validated": True, "platform": "webapp"} for s in steps]
    assert all(s["validated"] for s in steps) and stored["finished"]
    assert [s["user_workflow_step_execution_pk"] for s in steps] == list(range(first_pk, first_pk + 4))


def test_numbers_typed_for_a_text_input_follow_inputs_spec(start_server_thread, open_shell):
    """Where ``inputs_spec`` gives a type, it rules: a whole number typed for a text input stays text."""
    srv = start_server_thread()
    wf = srv.call(srv.server.add_workflow, "Typed", "🔢", "Typed inputs",
                  [{"input_name": "title", "type": "string"}, {"input_name": "count", "type": "integer"}])
    term = open_shell(srv)
    term.line(f"workflow run {wf}")
    term.expect("title: ")
    term.line("2024")
    term.expect("count: ")
    term.line("many")
    term.expect("count must be a whole number")
    term.expect("count: ")
    term.line("2")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    [submit] = requests(srv, "PUT", EXECUTION_PATH)
    assert submit.json["json_inputs"] == [{"input_name": "title", "value": "2024"},
                                          {"input_name": "count", "value": 2}]


def test_with_the_local_workflows_listed_too_the_server_line_is_the_specifications(start_server_thread, one_shot):
    srv = start_server_thread()
    proc = one_shot(srv, "workflow", "list", config="")  # every built-in plugin, the local-workflow one too
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"1. {POEM_LINE}" in lines
    assert [line for line in lines if not line.startswith("local/")] == [f"1. {POEM_LINE}"]
