"""What Mojodex 0.4 adds to a workflow run, through the real `mojodex` script where the user types: editing a
result, a failed step relaunched, a restart with new inputs, a file input, the assistant's clarification of a
rejection, and every acknowledgement answered. The runs that need nothing of a terminal but its keys (a relaunch,
a whole run with a rejection, a drop-down's refusal) run the same shell in this process (``open_term``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from dialects import play
from workflow_helpers import PROMPT, QUESTION, requests, set_faults, validations

API = "mojodex-0.4"


@pytest.fixture
def played(start_server_thread):
    # Unanswered acknowledgements would be sent again every 0.2 s: any that a test leaves unanswered shows.
    return play(start_server_thread, API, first_pk=7, ack_resend_seconds=0.2)


def editor(tmp_path: Path, content: str) -> dict[str, str]:
    """$VISUAL: a program that replaces the file it is given with ``content``."""
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write({content!r})\n", encoding="utf-8")
    return {"VISUAL": f"{sys.executable} {script}"}


def start(term, played, topic: str = "Spring", n: str = "2") -> None:
    term.line(f"workflow run {played.ref}")
    term.expect("What is the poem about?")
    term.expect("poem_topic: ")
    term.line(topic)
    term.expect("How many stanzas?")
    term.expect("n_stanzas: ")
    term.line(n)


def no_resent_acks(played) -> None:
    assert played.srv.call(lambda: list(played.srv.server.recorder.resent)) == []


@pytest.fixture
def shell_04(open_term, played):
    """The shell at its prompt, logged in to ``played``: the `mojodex` script in a terminal, or with
    ``pty=False`` the same shell in this process (``open_term``)."""

    def open_(env: dict[str, str] | None = None, pty: bool = True):
        config = '[workflow]\nend_grace_seconds = 0.5\n[plugins]\ndisabled = ["local"]\n'
        return open_term(played.srv, config=config, pty=pty, env=env)

    return open_


def test_edit_a_result_sends_it_and_later_steps_use_it(shell_04, played, tmp_path):
    term = shell_04(editor(tmp_path, "stanza_topic: the thaw\n---\nstanza_topic: the bloom\n"))
    start(term, played, n="3")
    term.expect("Step Stanza topics ended")
    term.expect(QUESTION)
    term.line("e")
    term.expect("The edited result was sent:")
    term.expect('- Stanza 1: "the thaw"\n- Stanza 2: "the bloom"')
    term.expect(QUESTION)
    term.line("")
    for _ in range(2):
        term.expect("Step Write stanza ended")
        term.expect(QUESTION)
        term.line("")
    term.expect("Run finished.")
    term.expect(PROMPT)
    [edit] = requests(played.srv, "PUT", "/user_workflow_step_execution_result")
    assert edit.json["result"] == [{"stanza_topic": "the thaw"}, {"stanza_topic": "the bloom"}]
    assert term.text.count("Step Write stanza ended") == 2  # two topics: two stanza runs, not three
    assert "the thaw" in term.text.split("Run finished.")[0].rsplit("Title:", 1)[-1]


def test_an_edit_that_changes_the_shape_is_refused_and_nothing_is_sent(shell_04, played, tmp_path):
    term = shell_04(editor(tmp_path, "stanza: not a topic\n"))
    start(term, played)
    term.expect(QUESTION)
    term.line("e")
    term.expect("nothing was sent")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    assert requests(played.srv, "PUT", "/user_workflow_step_execution_result") == []


def test_a_failed_step_is_shown_and_relaunched_when_the_user_says_so(shell_04, played):
    set_faults(played.srv)
    played.srv.call(lambda: played.srv.server.faults.fail_step("stanza_divider", times=1, error="model overloaded"))
    term = shell_04(pty=False)
    start(term, played)
    term.expect("Step Stanza topics failed on the server: model overloaded")
    term.expect("Relaunch it? (Y/n)")
    term.line("")
    term.expect("Step Stanza topics started")
    term.expect("Step Stanza topics ended\nResults:")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    [relaunch] = requests(played.srv, "PUT", "/user_workflow_step_execution")
    assert {"datetime", "user_workflow_step_execution_pk"} <= set(relaunch.json)


def test_one_shot_yes_relaunches_a_failed_step_once_then_exits_1(played, one_shot):
    played.srv.call(lambda: played.srv.server.faults.fail_step("stanza_divider", times=5, error="still broken"))
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=x", "--input", "n_stanzas=1",
                    "--yes")
    assert proc.returncode == 1
    assert len(requests(played.srv, "PUT", "/user_workflow_step_execution")) == 1
    assert proc.stderr.strip() == "error: step Stanza topics failed again: still broken"


def test_restart_with_new_inputs_at_the_first_step_and_not_later(shell_04, played):
    term = shell_04()
    start(term, played, topic="Spring")
    term.expect("Step Stanza topics ended")
    term.expect(QUESTION)
    term.line("r")
    term.expect("poem_topic: Spring")  # the inputs again, the previous values as editable text
    term.ctrl("u")
    term.line("Winter")
    term.expect("n_stanzas: ")
    term.line("")
    term.expect("Restarting the run with these inputs.")
    term.expect("Step Stanza topics started")
    term.expect("Step Stanza topics ended\nResults:\n- Stanza 1: \"[offline demo] Winter")
    term.expect(QUESTION)
    term.line("")
    term.expect("Step Write stanza ended")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    [restart] = requests(played.srv, "POST", "/restart_user_workflow_execution")
    assert restart.form is not None and json.loads(restart.form["inputs"])[0] == {
        "input_name": "poem_topic", "input_value": "Winter"}
    pk = restart.form["user_task_execution_pk"]
    term.line(f"workflow restart {pk}")
    term.expect("can't be restarted: only while its first step waits for validation")
    term.expect(PROMPT)
    assert len(requests(played.srv, "POST", "/restart_user_workflow_execution")) == 1


def test_a_file_input_is_checked_then_uploaded_with_the_run(played, one_shot, tmp_path):
    ref = played.srv.call(played.srv.server.add_task, "Describe a picture", "🖼", "Describe what a picture shows",
                          "workflow", [{"input_name": "picture", "type": "image", "description_for_user": "The picture",
                                        "description_for_system": "A picture"}], ["describe"])
    missing = one_shot(played.srv, "workflow", "run", str(ref), "--input", f"picture=@{tmp_path / 'nope.png'}", "--yes")
    assert missing.returncode == 2 and "nope.png" in missing.stderr  # a bad --input value: a usage error
    assert requests(played.srv, "POST", "/user_task_execution_run") == []
    picture = tmp_path / "sunset.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    proc = one_shot(played.srv, "workflow", "run", str(ref), "--input", f"picture=@{picture}", "--yes")
    assert proc.returncode == 0, proc.stderr
    [start_form] = requests(played.srv, "POST", "/user_task_execution_run")
    assert start_form.files["picture"].content == picture.read_bytes()
    assert start_form.files["picture"].filename == "sunset.png"


def test_a_rejection_the_assistant_asks_about_is_answered_then_rerun(shell_04, played):
    set_faults(played.srv, clarify_next=True)
    term = shell_04()
    start(term, played)
    term.expect("Step Stanza topics ended")
    term.expect(QUESTION)
    term.line("n")
    term.expect("What should change? ")
    term.line("make it different")
    term.expect("Assistant: ")
    term.expect("?")  # the assistant's question, streamed
    term.expect("you> ")
    term.line("only about flowers")
    term.expect("Step Stanza topics started")
    term.expect("Step Stanza topics ended")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
    texts = [r.form["text"] for r in requests(played.srv, "PUT", "/user_message")]
    assert texts == ["make it different", "only about flowers"]
    acked = played.srv.call(lambda: list(played.srv.server.recorder.acks))
    assert [event for event, _ in acked] == ["mojo_message"]
    no_resent_acks(played)


def test_a_whole_run_with_a_rejection_leaves_no_acknowledgement_unanswered(shell_04, played):
    term = shell_04(pty=False)
    start(term, played, n="1")
    term.expect(QUESTION)
    term.line("n")
    term.expect("What should change? ")
    term.line("shorter topics")
    term.expect("Step Stanza topics ended")
    term.expect(QUESTION)
    term.line("")
    term.expect("Step Write stanza ended")
    term.expect(QUESTION)
    term.line("")
    term.expect("Run finished.")
    term.expect(PROMPT)
    assert [v.json["validated"] for v in validations(played.srv)] == [False, True, True]
    no_resent_acks(played)


def test_tasks_the_user_cannot_run_are_never_offered(played, one_shot):
    played.srv.call(played.srv.server.add_task, "Locked poem", "🔒", "A workflow this user has not bought",
                    "workflow", None, None, enabled=False)
    proc = one_shot(played.srv, "workflow", "list")
    assert proc.returncode == 0, proc.stderr
    assert "Locked poem" not in proc.stdout and "Write poem" in proc.stdout
    tasks = one_shot(played.srv, "task", "list")
    assert "Locked poem" not in tasks.stdout and "Translate document" not in tasks.stdout


def test_a_drop_down_list_takes_one_of_its_values_only(shell_04, played, one_shot):
    proc = one_shot(played.srv, "workflow", "run", played.ref, "--input", "poem_topic=x", "--input", "n_stanzas=9",
                    "--yes")
    assert proc.returncode == 2 or proc.returncode == 1
    assert "n_stanzas" in proc.stderr and "1, 2, 3, 4, 5" in proc.stderr, proc.stderr
    assert requests(played.srv, "POST", "/user_task_execution_run") == []
    term = shell_04(pty=False)
    term.line(f"workflow run {played.ref}")
    term.expect("poem_topic: ")
    term.line("Spring")
    term.expect("n_stanzas: ")
    term.line("9")
    term.expect("one of")
    term.expect("n_stanzas: ")
    term.line("2")
    term.expect("Step Stanza topics started")
    term.expect(QUESTION)
    term.ctrl("c")
    term.expect(PROMPT)
