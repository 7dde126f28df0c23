"""`[server] api = "mojodex-2024"`: the backend of the specification's time (PUT creates, POST submits, no end
event, the very last validation lost), against the reference server playing that backend."""

from __future__ import annotations

import tomllib

import pytest
from workflow_helpers import (
    EXECUTION_PATH,
    NOW,
    PROMPT,
    QUESTION,
    TOPIC,
    execution,
    requests,
    validations,
)


@pytest.mark.slow
def test_a_whole_run_against_the_2024_backend(start_server_thread, run_mojodex, open_shell, mojodex_home):
    srv = start_server_thread(api="mojodex-2024", first_pk=11)
    for key, value in (("server.api", "mojodex-2024"), ("workflow.end_grace_seconds", "0.5"),
                       ("plugins.disabled", '["local"]')):
        proc = run_mojodex("config", "set", key, value)
        assert proc.returncode == 0, proc.stderr
    config = tomllib.loads((mojodex_home / "config.toml").read_text())
    assert config["server"]["api"] == "mojodex-2024" and config["workflow"]["end_grace_seconds"] == 0.5

    term = open_shell(srv, config=None)
    term.line("workflow run 11")
    term.expect("poem_topic: Spring")  # the backend's default, shown as editable text: cleared (Ctrl-U), retyped
    term.ctrl("u")
    term.line(TOPIC)
    term.expect("n_stanzas: 3")
    term.ctrl("u")
    term.line("2")
    term.expect("Step stanza_divider started\nStep stanza_divider ended\nResults:\n- Stanza 1:")
    term.expect(QUESTION)
    term.line("")
    for _ in range(2):
        term.expect("Step stanza_writer started\nStep stanza_writer ended\nResults:\n- Stanza:")
        term.expect(QUESTION)
        term.line("")
    term.expect("Run finished.")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0

    [create] = requests(srv, "PUT", EXECUTION_PATH)
    assert create.json == {"datetime": "now", "user_workflow_pk": 11, "platform": "webapp"}
    [submit] = requests(srv, "POST", EXECUTION_PATH)
    assert submit.json == {**NOW, "user_workflow_execution_pk": 11,
                           "json_inputs": [{"input_name": "poem_topic", "value": TOPIC},
                                           {"input_name": "n_stanzas", "value": 2}]}
    joins = [d for e, d in srv.call(lambda: list(srv.server.socket_log)) if e == "start_session"]
    assert joins and all(d.get("version") == "0.0.0" for d in joins)
    stored = execution(srv, 11)
    steps = stored["step_executions"]
    assert [s["step_name"] for s in steps] == ["stanza_divider", "stanza_writer", "stanza_writer"]
    # That backend answers 200 to the last validation but never stores it: the shell did not loop on it.
    assert [s["validated"] for s in steps] == [True, True, False]
    assert len(validations(srv)) == 3 and len(requests(srv, "GET", EXECUTION_PATH)) == 3
    assert not any(e == "workflow_execution_produced_text" for e, _ in srv.call(lambda: list(srv.server.emitted)))


def test_a_run_the_fan_out_cannot_tell_ends_after_the_grace_period(start_server_thread, open_shell):
    """The divider returns nothing: the server starts no writer and says nothing; the grace period ends the run."""

    async def nothing(step_name, parameter):
        return []

    srv = start_server_thread(api="mojodex-2024", generator=nothing)
    term = open_shell(srv, config='[server]\napi = "mojodex-2024"\n[workflow]\nend_grace_seconds = 0.3\n'
                                 '[plugins]\ndisabled = ["local"]\n')
    term.line("workflow run 1 --input poem_topic=x --input n_stanzas=1")
    term.expect("Step stanza_divider ended\nResults:\n- (no result)\n")
    term.expect(QUESTION)
    term.line("")
    term.expect("Run finished.")
    term.expect(PROMPT)
    assert len(validations(srv)) == 1 and execution(srv, 1)["finished"]
