"""`mojodex task ...` from a script: no terminal, one answer on stdout, exit status 0 or 1, acks answered."""

from __future__ import annotations

import json
from typing import Any

from task_helpers import (
    ASSIST,
    MINUTES,
    add_runs,
    clarify_next,
    draft_text,
    messages_sent,
    pending_acks,
    resent,
    task_execution,
    wait_acked,
)

FIRST_RUN = 11


def test_task_run_prints_the_first_draft(srv: Any, one_shot: Any) -> None:
    proc = one_shot(srv, "task", "run", str(ASSIST), "--input", "request=a thank-you note", "--yes")

    assert proc.returncode == 0, proc.stderr
    title, body = draft_text(srv, FIRST_RUN)
    assert proc.stdout == f"{title}\n\n{body.rstrip()}\n"
    assert proc.stderr == ""
    wait_acked(srv, 1)
    assert resent(srv) == [] and pending_acks(srv) == []


def test_task_run_json_is_one_document_with_the_drafts_pks(srv: Any, one_shot: Any) -> None:
    proc = one_shot(srv, "task", "run", str(ASSIST), "--input", "request=a haiku", "--json")

    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    stored = task_execution(srv, FIRST_RUN)
    assert doc["status"] == "draft" and doc["run_pk"] == FIRST_RUN and doc["user_task_pk"] == ASSIST
    assert (doc["title"], doc["body"]) == draft_text(srv, FIRST_RUN)
    assert doc["produced_text_pk"] == stored["produced_text_pk"]
    assert doc["produced_text_version_pk"] == stored["produced_text_version_pk"] and doc["version"] == 1
    wait_acked(srv, 1)
    assert resent(srv) == []


def test_a_question_fails_the_one_shot_run_and_prints_the_question(srv: Any, one_shot: Any) -> None:
    proc = one_shot(srv, "task", "run", str(MINUTES), "--input", "meeting_topic=budget", "--input", "attendees=",
                    "--input", "notes=")

    assert proc.returncode == 1
    assert proc.stdout == "[offline demo] Before I write, please tell me: Who took part?; Your notes of the meeting?\n"
    assert proc.stderr == (f"error: the assistant asks a question before it writes: answer it with `mojodex task "
                           f"resume {FIRST_RUN} --message \"...\"` (or `task resume {FIRST_RUN}` in the shell)\n")
    wait_acked(srv, 1)
    assert resent(srv) == []

    answered = one_shot(srv, "task", "resume", str(FIRST_RUN), "--message", "Ann and Bob; we spend less")
    assert answered.returncode == 0, answered.stderr
    assert "You said: Ann and Bob; we spend less" in answered.stdout
    assert messages_sent(srv) == ["Ann and Bob; we spend less"]
    wait_acked(srv, 2)
    assert resent(srv) == []


def test_a_question_in_json_is_a_document_too(srv: Any, one_shot: Any) -> None:
    clarify_next(srv)
    proc = one_shot(srv, "task", "run", str(ASSIST), "--input", "request=x", "--json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["status"] == "question" and doc["question"].startswith("[offline demo] Before I write")
    assert doc["body"] is None


def test_inputs_nobody_can_answer_are_one_line(srv: Any, one_shot: Any) -> None:
    proc = one_shot(srv, "task", "run", str(ASSIST))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == "error: input request has no value and no default: pass --input request=VALUE\n"


def test_resume_without_a_terminal_needs_a_message(srv: Any, one_shot: Any) -> None:
    one_shot(srv, "task", "run", str(ASSIST), "--input", "request=x")
    proc = one_shot(srv, "task", "resume", str(FIRST_RUN))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: reopening the conversation of run {FIRST_RUN} needs a terminal: pass "
                                  "--message TEXT")


def test_task_text_of_a_version_and_every_run_as_json(srv: Any, one_shot: Any, tmp_path: Any) -> None:
    one_shot(srv, "task", "run", str(ASSIST), "--input", "request=x")
    one_shot(srv, "task", "resume", str(FIRST_RUN), "--message", "longer")
    add_runs(srv, 60)

    first = one_shot(srv, "task", "text", str(FIRST_RUN), "-V", "1")
    latest = one_shot(srv, "task", "text", str(FIRST_RUN))
    runs = one_shot(srv, "task", "runs", "--all", "--json")
    twenty = one_shot(srv, "task", "runs")

    assert first.stdout.startswith("# General Assistance: x\n\n") and "You said" not in first.stdout
    assert "You said: longer" in latest.stdout
    listed = json.loads(runs.stdout)
    assert len(listed) == 61 and listed[-1]["run_pk"] == FIRST_RUN and listed[-1]["has_text"] is True
    assert len(twenty.stdout.splitlines()) == 20


def test_task_list_on_a_server_without_tasks_lists_its_workflows(start_server_thread: Any, one_shot: Any) -> None:
    srv = start_server_thread(api="spec")
    proc = one_shot(srv, "task", "list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "1  🌸 Write poem  workflow  Write a poem stanza by stanza\n"
