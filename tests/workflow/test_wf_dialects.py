"""The same workflow behaviours against each dialect of the reference server, with `server.api = "auto"` and no
other setting, through the real `mojodex` script (a pseudo-terminal where the user types, or one-shot). A
behaviour at the prompt runs in a real terminal on one dialect (each dialect has some) and in this process on the
others (``open_term``): the same shell, without starting a program for each.

What a dialect cannot do is skipped with the reason."""

from __future__ import annotations

import json
import re

import pytest
from dialects import DIALECTS, Played, play
from workflow_helpers import PROMPT, QUESTION, TOPIC, requests, set_faults, validations

WITH_INSTRUCTION = [d for d in DIALECTS if d != "spec"]


def start(term, played: Played, n: str = "3") -> None:
    """Answer the inputs as a user does: a default shown as editable text is cleared first (Ctrl-U)."""
    term.line(f"workflow run {played.ref}")
    start_answers(term, n)


def start_answers(term, n: str) -> None:
    term.expect("poem_topic: ")
    term.ctrl("u")
    term.line(TOPIC)
    term.expect("n_stanzas: ")
    term.ctrl("u")
    term.line(n)


def accept(term, name: str, entry: str) -> None:
    term.expect(f"Step {name} ended")
    term.expect(f"Results:\n{entry}")
    term.expect(QUESTION)
    term.line("")


def run_pk(one_shot_json: str) -> str:
    return str(json.loads(one_shot_json)["run_pk"])


@pytest.mark.parametrize("api", DIALECTS)
def test_the_transcript_on_every_dialect(start_server_thread, open_term, api):
    played = play(start_server_thread, api, first_pk=14)
    term = open_term(played.srv, pty=api == "spec")
    term.line("workflow list")
    term.expect(f"{played.ref}. 🌸 Write poem - Write a poem stanza by stanza\n")
    term.expect(PROMPT)
    start(term, played, "2")
    term.expect(f"Step {played.first} started")
    accept(term, played.first, '- Stanza 1: "')
    for _ in range(2):
        accept(term, played.second, "- Stanza:")
    if api != "mojodex-2024":  # the 2024 backend sends no end event: no produced text
        term.expect("[offline demo] A stanza about")
    term.expect("Run finished.")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0
    shown = term.text
    assert shown.count(f"Step {played.first} ended") == 1 and shown.count(f"Step {played.second} ended") == 2
    if played.is_04:
        assert "Title: " in shown  # the run's title, when it arrived
        assert "stanza_divider" not in shown  # system names never reach a 0.4 client
    assert [v.json["validated"] for v in validations(played.srv)] == [True] * 3
    method, path = played.run_path()
    assert len(requests(played.srv, method, path)) == 1


@pytest.mark.parametrize("api", DIALECTS)
def test_detection_is_once_per_server_and_a_cached_dialect_adds_no_request(start_server_thread, one_shot, api):
    played = play(start_server_thread, api)
    first = one_shot(played.srv, "workflow", "list")
    assert first.returncode == 0, first.stderr
    probes = len(played.srv.requests)
    assert probes <= 3  # the listing, and at most a couple of side-effect-free requests to tell the dialect
    second = one_shot(played.srv, "workflow", "list")
    assert second.stdout == first.stdout
    assert len(played.srv.requests) - probes == 1  # the listing only: the dialect was kept with the login
    assert not [r for r in played.srv.requests if r.method not in ("GET",)]  # nothing with a side effect


@pytest.mark.parametrize("api", DIALECTS)
def test_whoami_names_the_dialect(start_server_thread, one_shot, api):
    played = play(start_server_thread, api)
    one_shot(played.srv, "workflow", "list")
    proc = one_shot(played.srv, "whoami")
    assert proc.returncode == 0
    assert api in proc.stdout, proc.stdout


@pytest.mark.parametrize("api", DIALECTS)
def test_reject_with_an_instruction_reruns_the_step_where_the_server_can(start_server_thread, open_term, api):
    played = play(start_server_thread, api)
    term = open_term(played.srv, pty=api == "mojodex-2024")
    start(term, played, "2")
    term.expect(f"Step {played.first} ended")
    term.expect(QUESTION)
    term.line("n")
    if not played.rejects_with_instruction:
        term.expect("work in progress")  # the specification's behaviour: nothing sent, the run left waiting
        term.expect(PROMPT)
        assert validations(played.srv) == []
        return
    term.expect("What should change? ")
    term.line("only spring flowers")
    term.expect(f"Asked for step {played.first} to be done again.")
    term.expect(f"Step {played.first} started")
    term.expect(f"Step {played.first} ended")
    term.expect("only spring flowers")  # the rerun's result follows the instruction
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    [rejected] = validations(played.srv)
    assert rejected.json["validated"] is False
    [message] = requests(played.srv, "PUT", "/user_message")
    assert message.form is not None and message.form["text"] == "only spring flowers"
    assert message.form["origin"] == ("task" if played.is_04 else "workflow")
    assert message.form["message_id"] and message.form["session_id"]
    assert played.srv.call(lambda: list(played.srv.server.recorder.resent)) == []  # every ack answered


@pytest.mark.parametrize("api", DIALECTS)
def test_a_step_the_server_crashes_silently_is_reported_and_can_be_left(start_server_thread, open_term,
                                                                         one_shot, mojodex_home, api):
    played = play(start_server_thread, api)
    played.srv.call(lambda: played.srv.server.faults.crash_silently("stanza_divider", times=2))
    config = '[workflow]\nend_grace_seconds = 0.5\nstep_timeout_seconds = 0.4\n[plugins]\ndisabled = ["local"]\n'
    term = open_term(played.srv, config=config, pty=api == "mojodex-0.4")
    start(term, played)
    term.expect(f"Step {played.first} started")
    term.expect("it may have failed it", timeout=10)
    term.expect(re.compile(r"Ctrl-C to\s+leave the run"))  # as the terminal's width wraps it
    term.ctrl("c")
    term.expect("workflow resume")
    term.expect(PROMPT)
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=x", "--input", "n_stanzas=1",
                    "--yes", config=config)
    assert proc.returncode == 1
    assert "may have failed" in proc.stderr and "workflow resume" in proc.stderr


@pytest.mark.parametrize("api", DIALECTS)
def test_a_finished_run_resumes_at_once_and_shows_every_validated_step(start_server_thread, one_shot, open_term,
                                                                       api):
    played = play(start_server_thread, api)
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", f"poem_topic={TOPIC}", "--input",
                    "n_stanzas=2", "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    pk = run_pk(proc.stdout)
    term = open_term(played.srv, pty=api == "spec")
    term.line(f"workflow resume {pk}")
    term.expect(f"Run {pk} has finished: nothing waits for validation.", timeout=3)  # at once, no waiting
    term.expect(PROMPT)
    term.line(f"workflow show {pk}")
    # Three step executions, all validated: the 2024 backend forgot the last one, the shell did not.
    term.expect(f"Step {played.first}:\n  execution ")
    term.expect(": validated\n")
    term.expect(f"Step {played.second}:\n")
    for _ in range(2):
        term.expect(": validated\n")
    term.expect(PROMPT)
    assert "waiting for validation" not in term.text


@pytest.mark.parametrize("api", DIALECTS)
def test_leave_at_a_question_then_resume_carries_on_to_the_end(start_server_thread, open_term, api):
    played = play(start_server_thread, api)
    term = open_term(played.srv, pty=api == "mojodex-2024")
    start(term, played, "1")
    term.expect(f"Step {played.first} ended")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect("workflow resume ")
    term.expect(PROMPT)
    created = [r for r in played.srv.requests if r.method in ("POST", "PUT") and r.path in (
        "/user_workflow_execution", "/user_task_execution_run")]
    assert created
    pk = created[-1].json["user_workflow_execution_pk"] if created[-1].json else created[-1].form[
        "user_task_execution_pk"]
    term.line(f"workflow resume {pk}")
    term.expect(f"Step {played.first} ended")
    term.expect(QUESTION)
    term.line("")
    accept(term, played.second, "- Stanza:")
    term.expect("Run finished.")
    term.expect(PROMPT)
    posted = [v.json["user_workflow_step_execution_pk"] for v in validations(played.srv)]
    assert len(posted) == len(set(posted)) == 2  # each step validated once


@pytest.mark.parametrize("api", DIALECTS)
def test_defaults_are_shown_before_enter_accepts_them_and_yes_takes_them(start_server_thread, open_term, one_shot,
                                                                         api):
    played = play(start_server_thread, api)
    ref = played.add_workflow("Defaults", "🧩", "Inputs with defaults",
                              [{"input_name": "poem_topic", "default_value": "Spring"},
                               {"input_name": "n_stanzas", "default_value": 2}])
    term = open_term(played.srv, pty=api == "mojodex-0.4")
    term.line(f"workflow run {ref}")
    term.expect("poem_topic: Spring")  # the default, as the answer's editable text
    term.line("")
    term.expect("n_stanzas: 2")
    term.line("")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    proc = one_shot(played.srv, "workflow", "run", ref, "--input", "poem_topic=Autumn", "--yes")
    assert proc.returncode == 0, proc.stderr
    method, path = played.run_path()
    first, second = requests(played.srv, method, path)
    if played.is_04:
        assert json.loads(first.form["inputs"]) == [{"input_name": "poem_topic", "input_value": "Spring"},
                                                    {"input_name": "n_stanzas", "input_value": "2"}]
        assert json.loads(second.form["inputs"])[0] == {"input_name": "poem_topic", "input_value": "Autumn"}
    else:
        assert first.json["json_inputs"] == [{"input_name": "poem_topic", "value": "Spring"},
                                             {"input_name": "n_stanzas", "value": 2}]
        assert second.json["json_inputs"][0] == {"input_name": "poem_topic", "value": "Autumn"}


@pytest.mark.parametrize("api", DIALECTS)
def test_an_input_without_value_nor_default_fails_before_anything_is_created(start_server_thread, one_shot, api):
    played = play(start_server_thread, api)
    ref = played.add_workflow("Bare", "🧩", "No defaults", ["poem_topic", "n_stanzas"])
    proc = one_shot(played.srv, "workflow", "run", ref, "--input", "poem_topic=x", "--yes")
    assert proc.returncode == 1
    assert "n_stanzas" in proc.stderr and "--input" in proc.stderr
    if played.is_04:
        # Mojodex 0.4 lists no inputs: they come with a created run, which then is never started (nor listed).
        assert [r.path for r in played.srv.requests if r.method != "GET"] == ["/user_task_execution"]
    else:
        assert not [r for r in played.srv.requests if r.method != "GET"]


@pytest.mark.parametrize("api", DIALECTS)
def test_terms_not_accepted_say_how_and_are_accepted_when_the_user_agrees(start_server_thread, open_term,
                                                                           one_shot, api):
    played = play(start_server_thread, api)
    set_faults(played.srv, terms_not_accepted=True)
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=x", "--input", "n_stanzas=1",
                    "--yes")
    assert proc.returncode == 1
    assert "terms and conditions" in proc.stderr and "terms accept" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    term = open_term(played.srv, pty=True)  # Ctrl-C while the run's events are being followed: a real terminal
    term.line(f"workflow run {played.ref}")
    if not played.is_04:  # the list gives the inputs: they are asked before the run is created
        start_answers(term, "1")
    term.expect("Accept them now? (y/N)")
    term.line("y")
    term.expect("Accepted.")
    if played.is_04:
        term.expect("poem_topic: ")
    term.ctrl("c")
    term.expect(PROMPT)
    assert len(requests(played.srv, "PUT", "/terms_and_conditions")) == 1


def last_step_text(steps: list[dict]) -> str:
    """What Mojodex 0.4 makes of a finished run: the last step's validated results, joined by blank lines."""
    last = steps[-1]["step_name"]
    return "\n\n".join("\n".join(str(v) for v in entry.values()) for s in steps if s["step_name"] == last
                       for entry in s["result"])


@pytest.mark.parametrize("api", DIALECTS)
def test_one_shot_json_is_one_document_and_output_writes_the_produced_text(start_server_thread, one_shot,
                                                                             mojodex_home, api):
    played = play(start_server_thread, api)
    out = mojodex_home.parent / "poem.md"
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=Spring", "--input",
                    "n_stanzas=2", "--yes", "--json", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # one document, nothing else on stdout
    assert doc["status"] == "finished" and len(doc["steps"]) == 3
    assert all(step["result"] for step in doc["steps"])
    produced = doc["produced_text"]
    # The run's product on every dialect: the server's, or, where the server sends none (the 2024 backend), the
    # same text made as 0.4 makes it, under the run's title (the workflow's name when the run has none).
    assert produced["text"] == last_step_text(doc["steps"])
    assert produced["text"].count("[offline demo] A stanza about") == 2
    title = {"spec": "Write poem: Spring", "mojodex-2024": "Write poem", "mojodex-0.4": doc["title"]}[api]
    assert title and produced["title"] == title
    assert out.read_text(encoding="utf-8") == f"# {title}\n\n{produced['text']}\n"
    assert f"Wrote {out}." in proc.stderr


@pytest.mark.parametrize("api", DIALECTS)
def test_output_of_a_server_that_sends_no_end_event_is_the_last_step_s_results(start_server_thread, one_shot,
                                                                                 mojodex_home, api):
    if api == "mojodex-0.4":
        pytest.skip("a Mojodex 0.4 run always ends with its produced text (protocol.md)")
    # The specification's backend sends nothing at the end of a run: the run is over when it goes quiet.
    played = play(start_server_thread, api, end_event=False)
    out = mojodex_home.parent / "poem.md"
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=Spring", "--input",
                    "n_stanzas=3", "--yes", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("Run finished.")
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# Write poem\n\n") and written.count("[offline demo] A stanza about") == 3
    stanzas = written.removeprefix("# Write poem\n\n").rstrip("\n").split("\n\n")
    assert len(stanzas) == 3 and all(s in proc.stdout for s in stanzas)  # shown at the end, as 0.4's is


@pytest.mark.parametrize("api", DIALECTS)
def test_socket_drops_mid_run_lose_and_double_nothing(start_server_thread, one_shot, api):
    if api == "mojodex-2024":
        pytest.skip("the 2024 backend lists validated steps only: a step that ends while the socket is away "
                    "cannot be caught up over HTTP (protocol.md); the step timeout reports it")
    played = play(start_server_thread, api)
    set_faults(played.srv, drop_socket_every=3)
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=Spring", "--input",
                    "n_stanzas=4", "--yes", timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(f"Step {played.first} ended") == 1
    assert proc.stdout.count(f"Step {played.second} ended") == 4
    posted = [v.json["user_workflow_step_execution_pk"] for v in validations(played.srv)]
    assert len(posted) == len(set(posted)) == 5

