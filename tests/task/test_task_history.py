"""Keeping the history tidy and the result chat, in a shell built in-process against a 0.4 server (and the one-line
refusal on the dialects that cannot): hand edits, deleting a text, rename, delete, `task runs --task`, a finished
workflow's result chat, `task show` without the backend's state messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from task_helpers import ASSIST, CONFIG, POEM, add_runs, requests, task_execution, write_config

from mojodex_core.testing import ServerThread


@pytest.fixture
def shell(mojodex_shell: Any, mojodex_home: Any, srv: Any) -> Any:
    write_config(mojodex_home, CONFIG)
    return mojodex_shell(server=srv)


def draft_run(shell: Any) -> int:
    out = shell.run(f"task run {ASSIST} --input request=a --yes")
    assert shell.status == 0, out
    return 11


def poem_run(shell: Any) -> int:
    """A finished Write poem run of one stanza (validated with --yes)."""
    out = shell.run(f"workflow run {POEM} --input poem_topic=Snow --input n_stanzas=1 --yes")
    assert shell.status == 0 and "Run finished." in out, out
    return 11


def test_edit_from_a_file_writes_a_version_by_hand_and_both_stay_readable(shell: Any, srv: Any,
                                                                         tmp_path: Any) -> None:
    pk = draft_run(shell)
    edited = tmp_path / "edited.md"
    edited.write_text("# My title\n\nMy own words.\n", encoding="utf-8")
    out = shell.run(f"task edit {pk} --file {edited}")
    assert shell.status == 0 and out == f"Saved version 2 of run {pk}, edited by hand: `task text {pk} -V 2` " \
                                        "prints it.\n", out
    [sent] = [r.json for r in requests(srv, "POST", "/produced_text")]
    assert sent["production"] == "My own words." and sent["title"] == "My title"
    assert shell.run(f"task text {pk} -V 2") == "# My title\n\nMy own words.\n"
    assert "[offline demo] a first version" in shell.run(f"task text {pk} -V 1")
    same = tmp_path / "same.md"
    same.write_text(shell.run(f"task text {pk}"), encoding="utf-8")
    assert shell.run(f"task edit {pk} --file {same}") == f"The text of run {pk} was not changed: nothing was sent.\n"
    empty = tmp_path / "empty.md"
    empty.write_text("\n", encoding="utf-8")
    out = shell.run(f"task edit {pk} --file {empty}")
    assert shell.status == 1 and out.startswith("error: the text is empty: nothing was sent"), out
    assert len(requests(srv, "POST", "/produced_text")) == 1
    found = json.loads(shell.run(f"task text {pk} --json"))
    assert (found["title"], found["body"], found["version"]) == ("My title", "My own words.", 2)


def test_the_editor_failing_sends_nothing(shell: Any, srv: Any, monkeypatch: Any) -> None:
    pk = draft_run(shell)
    monkeypatch.setenv("VISUAL", "false")
    out = shell.run(f"task edit {pk}")
    assert shell.status == 1 and out == "error: the editor exited with status 1: nothing was sent\n"
    assert requests(srv, "POST", "/produced_text") == []
    out = shell.run("task edit 99 --file /nonexistent")
    assert shell.status == 1 and out == "error: run 99 not found\n"


def test_rename_delete_and_the_runs_of_a_task(shell: Any, srv: Any, mojodex_main: Any) -> None:
    [old] = add_runs(srv, 1, ASSIST, "Budget")
    poem = add_runs(srv, 1, POEM, "Poem")[0]
    out = shell.run(f"task rename {old} Budget for 2027")
    assert shell.status == 0 and out == f"Run {old} is now titled 'Budget for 2027'.\n"
    assert task_execution(srv, old)["title"] == "Budget for 2027"
    assert [r["run_pk"] for r in json.loads(shell.run(f"task runs --task {POEM} --json"))] == [poem]
    assert [r["run_pk"] for r in json.loads(shell.run(f"task runs -t {POEM} -t {ASSIST} --json"))] == [poem, old]
    assert shell.run(f"task runs --task {POEM} --search Budget") == f"No runs whose title contains 'Budget' and of " \
                                                                     f"task {POEM}.\n"
    assert [r.query["user_task_pks"] for r in requests(srv, "GET", "/user_task_execution")
            if "user_task_pks" in r.query][:2] == [str(POEM), f"{POEM};{ASSIST}"]

    out = shell.run(f"task delete {old}", answers=["n"])
    assert shell.status == 1
    assert out == f"Delete run {old} (Budget for 2027)? (y/N) n\nerror: run {old} was not deleted\n"
    token = srv.token()
    one_shot = mojodex_main("task", "delete", str(old), server_url=srv.url, env={"MOJODEX_TOKEN": token})
    assert one_shot.returncode == 1
    assert one_shot.stderr == f"error: deleting run {old} asks first: pass --yes to delete it\n"
    assert requests(srv, "DELETE", "/user_task_execution") == []
    out = shell.run(f"task delete {old}", answers=["y"])
    assert shell.status == 0 and out.endswith(f"? (y/N) y\nDeleted run {old}: `task runs` no longer lists it.\n"), out
    assert [r["run_pk"] for r in json.loads(shell.run("task runs --json"))] == [poem]
    assert json.loads(shell.run(f"task delete {poem} --yes --json")) == {"run_pk": poem, "deleted": True}
    out = shell.run("task delete 99 --yes")
    assert shell.status == 1 and out == "error: run 99 not found\n"


def test_deleting_the_produced_text_asks_first(shell: Any, srv: Any) -> None:
    pk = draft_run(shell)
    out = shell.run(f"task text {pk} --delete", answers=["no"])
    assert shell.status == 1 and out.endswith(f"error: the produced text of run {pk} was not deleted\n")
    assert requests(srv, "DELETE", "/produced_text") == []
    out = shell.run(f"task text {pk} --delete --yes --json")
    assert json.loads(out) == {"run_pk": pk, "produced_text_pk": 11, "deleted": True}
    assert [r.query["produced_text_pk"] for r in requests(srv, "DELETE", "/produced_text")] == ["11"]


def test_result_chat_one_shot_and_show_without_state_messages(shell: Any, srv: Any, mojodex_main: Any) -> None:
    pk = poem_run(shell)
    out = shell.run(f"task resume {pk} --message '[edit] make it shorter' --json")
    assert shell.status == 0, out
    note, document = out.split("\n", 1)
    assert note.startswith("Note: chatting about a finished workflow's result counts as a task of your plan")
    found = json.loads(document)
    assert found["version"] == 2 and found["produced_text_pk"] == 11 and found["title"] == "Poem about Snow"
    assert "edited as you asked (make it shorter)" in found["body"]
    # An instruction: the last step runs again; at a terminal its validation is asked, then the new version.
    out = shell.run(f"task resume {pk} --message 'sadder'", answers=["y"])
    assert shell.status == 0 and "Step Write stanza reopened" in out and "(as asked: sadder)" in out, out
    assert "Continue (Y/n)? y\n" in out
    assert f"Run finished.\n(version 3 of run {pk}; `task text {pk}` prints it)\n" in out
    # Without a terminal nobody can validate it: one line says where to.
    one_shot = mojodex_main("task", "resume", str(pk), "--message", "sadder still", server_url=srv.url,
                            env={"MOJODEX_TOKEN": srv.token()})
    assert one_shot.returncode == 1 and one_shot.stderr.endswith(
        f"error: the assistant reopened step Write stanza of run {pk}: `mojodex workflow resume {pk}` asks for its "
        "validation\n"), one_shot.stderr
    out = shell.run(f"task show {pk}")
    assert "ACHIEVED WORKFLOW STEPS" not in out and "stanza_divider" not in out, out
    assert "you: [edit] make it shorter" in out and "assistant: [draft] Poem about Snow" in out
    raw = json.loads(shell.run(f"task show {pk} --json"))
    assert {m["sender"] for m in raw["messages"]} == {"user", "mojo"}
    messages = srv.call(lambda: srv.server.store.tasks.messages(raw["session_id"]))
    assert "system" in {m.sender for m in messages}  # the server has them: the shell leaves them out


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
def test_the_dialects_without_them_say_so_in_one_line(api: str, mojodex_shell: Any, mojodex_home: Any,
                                                      start_server_thread: Any) -> None:
    srv: ServerThread = start_server_thread(api=api, first_pk=11)
    write_config(mojodex_home, CONFIG + f'[server]\napi = "{api}"\n')
    shell = mojodex_shell(server=srv)
    for line, what in (("task edit 11", "editing a produced text by hand"),
                       ("task text 11 --delete --yes", "deleting a produced text"),
                       ("task rename 11 New", "renaming a run"), ("task delete 11 --yes", "deleting a run")):
        out = shell.run(line)
        assert shell.status == 1 and out == f"error: {what} is not in the {api} dialect of the protocol this server " \
                                            "speaks\n", (line, out)
    out = shell.run("task runs --task 11")
    assert shell.status == 1 and out.startswith("error: ") and f"the {api} dialect" in out and out[-1] == "\n"
    assert srv.requests == []  # not one request
