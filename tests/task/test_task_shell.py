"""The task commands in a shell built in-process (questions answered from a list), against a 0.4 server."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from task_helpers import (
    ASSIST,
    CONFIG,
    MINUTES,
    POEM,
    add_runs,
    clarify_next,
    messages_sent,
    resent,
    wait_acked,
    write_config,
)

from mojodex_core import hookimpl


class Hooks:
    """A plugin that notes every run hook it gets."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def mojodex_draft(self, draft: Any, run: Any) -> None:
        self.calls.append(("draft", (draft.version, draft.version_pk, draft.title, run.pk)))

    @hookimpl
    def mojodex_assistant_message(self, text: str, run: Any) -> None:
        self.calls.append(("message", text))

    @hookimpl
    def mojodex_run_started(self, run: Any) -> None:
        self.calls.append(("started", run.pk))

    @hookimpl
    def mojodex_run_ended(self, run: Any, status: str) -> None:
        self.calls.append(("ended", status))

    def named(self, name: str) -> list[Any]:
        return [args for n, args in self.calls if n == name]


@pytest.fixture
def shell(mojodex_shell: Any, mojodex_home: Any, srv: Any) -> Any:
    write_config(mojodex_home, CONFIG)
    return mojodex_shell(server=srv)


def test_task_list_shows_every_runnable_task_with_its_type(shell: Any) -> None:
    out = shell.run("task list")
    lines = out.splitlines()
    assert [re.split(r"\s{2,}", line) for line in lines] == [  # a table: columns two spaces apart at least
        [str(POEM), "🌸 Write poem", "workflow", "Write a poem stanza by stanza"],
        [str(ASSIST), "💡 General Assistance", "instruct", "Your go-to assistant for anything you need written"],
        [str(MINUTES), "📝 Meeting minutes", "instruct", "Turn your notes of a meeting into clear minutes"],
    ]
    kinds = [line.index("  instruct  " if "  instruct  " in line else "  workflow  ") for line in lines]
    assert len(set(kinds)) == 1  # aligned, whatever the names' widths
    assert "Translate" not in out and "sales call" not in out  # listed by the server as not enabled


def test_task_list_reads_every_page(mojodex_shell: Any, mojodex_home: Any, srv: Any) -> None:
    added = [srv.call(srv.server.add_task, f"Task {i}", "🔧", f"Number {i}", task_type="instruct")
             for i in range(60)]
    write_config(mojodex_home, CONFIG)
    shell = mojodex_shell(server=srv)
    listed = json.loads(shell.run("task list --json"))
    assert [t["ref"] for t in listed] == [str(pk) for pk in (POEM, ASSIST, MINUTES, *added)]
    assert {t["type"] for t in listed} == {"workflow", "instruct"}


def test_a_conversation_fires_each_hook_once_per_version_and_message(mojodex_shell: Any, mojodex_home: Any,
                                                                      srv: Any) -> None:
    write_config(mojodex_home, CONFIG)
    hooks = Hooks()
    shell = mojodex_shell(plugins={"recorder": hooks}, server=srv)
    clarify_next(srv)

    out = shell.run(f"task run {ASSIST}", answers=["a note to the team", "for the whole team", "make it shorter", ""])

    assert shell.status == 0, out
    assert "Assistant: [offline demo] Before I write the general assistance" in out
    assert messages_sent(srv) == ["for the whole team", "make it shorter"]
    [question] = hooks.named("message")
    assert question.startswith("[offline demo] Before I write")
    drafts = hooks.named("draft")
    assert [d[0] for d in drafts] == [1, 2] and len({d[1] for d in drafts}) == 2
    assert [n for n, _ in hooks.calls] == ["started", "message", "draft", "draft", "ended"]
    assert hooks.named("ended") == ["finished"]
    assert "You said: make it shorter" in out
    wait_acked(srv, 3)
    assert resent(srv) == []


def test_workflow_run_on_an_instruct_task_runs_the_task(shell: Any) -> None:
    out = shell.run(f"workflow run {ASSIST} --input 'request=a haiku' --yes")
    assert shell.status == 0, out
    assert "General Assistance: a haiku\n\n[offline demo] a first version" in out


def test_task_run_on_a_workflow_runs_the_workflow(shell: Any) -> None:
    out = shell.run(f"task run {POEM} --input poem_topic=Spring --input n_stanzas=2 --yes")
    assert shell.status == 0, out
    assert "Step Stanza topics ended" in out and "Run finished." in out


def test_task_run_of_an_unknown_task_is_one_line(shell: Any) -> None:
    out = shell.run("task run 999 --yes")
    assert shell.status != 0
    assert len(out.strip().splitlines()) == 1 and out.startswith("error: "), out


def test_a_silent_assistant_is_one_line_after_the_timeout(mojodex_shell: Any, mojodex_home: Any,
                                                          task_server: Any) -> None:
    async def silent(turn: Any) -> Any:
        await asyncio.sleep(3600)

    server = task_server(assistant=silent)
    write_config(mojodex_home, CONFIG.replace("20.0", "0.5"))
    hooks = Hooks()
    shell = mojodex_shell(plugins={"recorder": hooks}, server=server)

    out = shell.run(f"task run {ASSIST} --input request=x")

    assert shell.status == 1
    last = out.strip().splitlines()[-1]
    assert last.startswith("error: the server has sent nothing about run ") and "0.5 s" in last, out
    assert "`task resume " in last and "Traceback" not in out
    assert hooks.named("ended") == ["left"]


def test_what_the_assistant_writes_reaches_the_screen_without_control_sequences(mojodex_shell: Any,
                                                                                mojodex_home: Any,
                                                                                task_server: Any) -> None:
    from mojodex_server.assistant import Reply

    replies = [Reply("question", text="Who \x1b]0;pwned\x07is it \x1b[2Jfor?"),
               Reply("draft", title="Evil \x1b[31mtitle", body="Body \x1b[1;1H\x1b]52;c;Y2xpcA==\x07done")]

    async def assistant(turn: Any) -> Any:
        return replies.pop(0)

    server = task_server(assistant=assistant)
    write_config(mojodex_home, CONFIG)
    shell = mojodex_shell(server=server)

    out = shell.run(f"task run {ASSIST} --input request=x", answers=["me", ""])

    assert "\x1b" not in out and "\x07" not in out
    assert "Assistant: Who is it for?" in out
    assert "Evil title\n\nBody done" in out


def test_task_show_reads_a_run_back_with_its_conversation(shell: Any, srv: Any) -> None:
    clarify_next(srv)
    shell.run(f"task run {ASSIST}", answers=["a poem for Ann", "for her birthday", ""])

    out = shell.run("task show 11")  # the first run of a server whose pks start at 11

    lines = out.splitlines()
    assert lines[0] == "Run 11: 💡 General Assistance (instruct) - General Assistance: a poem for Ann"
    assert "  request = a poem for Ann" in lines
    conversation = lines[lines.index("Conversation:") + 1:]
    assert conversation[0].startswith("  assistant: [offline demo] Before I write")
    assert conversation[1] == "  you: for her birthday"
    assert conversation[2] == "  assistant: [draft] General Assistance: a poem for Ann"
    assert "Produced text, version 1:" in lines and "# General Assistance: a poem for Ann" in lines


def test_task_text_prints_a_version_and_writes_a_file(shell: Any, tmp_path: Any) -> None:
    shell.run(f"task run {ASSIST}", answers=["a note", "shorter please", ""])

    latest = shell.run("task text 11")
    first = shell.run("task text 11 --version 1")
    target = tmp_path / "note.md"
    shell.run(f"task text 11 -V 1 --output {target}")

    assert latest.startswith("# General Assistance: a note\n\n") and "You said: shorter please" in latest
    assert "You said" not in first
    assert target.read_text(encoding="utf-8") == first


def test_task_text_of_a_run_without_text_is_one_line(shell: Any, srv: Any) -> None:
    [pk] = add_runs(srv, 1)
    out = shell.run(f"task text {pk}")
    assert shell.status == 1 and out == f"error: run {pk} has no produced text yet\n"


def test_task_runs_lists_newest_first_and_searches_titles(shell: Any, srv: Any) -> None:
    add_runs(srv, 3, title="Budget")
    add_runs(srv, 2, title="Party")

    out = shell.run("task runs --search Party")
    assert [line.split(" 💡 ")[1].split() for line in out.splitlines()] == [
        ["Party", "1", "General", "Assistance", "no", "text", "yet"],
        ["Party", "0", "General", "Assistance", "no", "text", "yet"]]
    found = json.loads(shell.run("task runs --search Budget --json"))
    assert [r["title"] for r in found] == ["Budget 2", "Budget 1", "Budget 0"]
    assert {r["has_text"] for r in found} == {False}


def test_resume_with_a_message_prints_the_new_version(shell: Any, srv: Any) -> None:
    shell.run(f"task run {ASSIST} --input request=a --yes")
    out = shell.run("task resume 11 --message 'in French'")
    assert shell.status == 0, out
    assert "You said: in French" in out and "(version 2 of run 11;" in out
    assert messages_sent(srv) == ["in French"]


def test_a_connection_lost_while_the_draft_streams_still_brings_the_version_once(mojodex_shell: Any,
                                                                                  mojodex_home: Any,
                                                                                  task_server: Any) -> None:
    server = task_server(draft_tokens=400, token_delay=0.002)
    server.call(lambda: setattr(server.server.faults, "drop_socket_every", 150))  # dropped mid-stream
    write_config(mojodex_home, CONFIG)
    hooks = Hooks()
    shell = mojodex_shell(plugins={"recorder": hooks}, server=server)

    out = shell.run(f"task run {ASSIST} --input request=x --yes")

    assert shell.status == 0, out
    assert out.count("(version 1 of run 11;") == 1 and "version 2" not in out
    assert [d[0] for d in hooks.named("draft")] == [1]
    assert ("disconnect", server.call(lambda: server.server.connections[0][1])) in server.call(
        lambda: list(server.server.connections))  # the connection really was lost, and came back
    server.call(lambda: setattr(server.server.faults, "drop_socket_every", 0))
    # The shell's loop runs on between commands (a harness runs it only during one): the draft may have been read
    # back after the reconnection, and its own draft_message, sent again, is still to be acknowledged.
    shell.loop.run_until_complete(asyncio.to_thread(wait_acked, server, 1))
