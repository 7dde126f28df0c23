"""`chat` from a script on Mojodex 0.4 (the reference server's scripted assistant), and the one line it says on
servers whose dialect has no chat outside tasks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from task_helpers import CONFIG, MINUTES, task_execution, write_config

CHAT_ROUTES = ("/session", "/user_message", "/home_chat", "/message")


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
def test_a_server_without_the_chat_says_so_in_one_line_and_is_asked_nothing(
        api: str, mojodex_shell: Any, mojodex_home: Any, start_server_thread: Any) -> None:
    srv = start_server_thread(api=api, first_pk=11)
    write_config(mojodex_home, CONFIG + f'[server]\napi = "{api}"\n')
    shell = mojodex_shell(server=srv)
    for line in ("chat --message hello", "chat list", "chat resume 0123abcd --message hi",
                 "chat delete 0123abcd --yes"):
        out = shell.run(line)
        assert shell.status == 1 and out == f"error: the chat with the assistant is not in the {api} dialect of " \
                                            "the protocol this server speaks\n", (line, out)
    assert srv.requests == []  # not one request


def test_one_shot_chat_starts_a_task_then_list_resume_and_delete(srv: Any, one_shot: Any) -> None:
    hello = one_shot(srv, "chat", "--message", "hello", "--json")
    assert hello.returncode == 0, hello.stderr
    answer = json.loads(hello.stdout)
    assert answer["status"] == "message" and answer["run_pk"] is None and "Meeting minutes" in answer["message"]

    plain = one_shot(srv, "chat", "--message", "Write the minutes of the budget meeting")
    assert plain.returncode == 0, plain.stderr
    assert "budget meeting" in plain.stdout and "[offline demo] a first version of your meeting minutes" in plain.stdout
    assert "`task text " in plain.stderr and "`chat resume " in plain.stderr

    listed = one_shot(srv, "chat", "list", "--json")
    chats = json.loads(listed.stdout)
    assert [c["first_message"] for c in chats] == ["Write the minutes of the budget meeting", "hello"]
    run_pk = chats[0]["run_pk"]
    assert chats[1]["run_pk"] is None and task_execution(srv, run_pk)["session_id"] == chats[0]["session_id"]
    assert srv.call(lambda: srv.server.store.tasks.execution(run_pk).user_task_fk) == MINUTES

    prefix = chats[0]["session_id"][:6]
    more = json.loads(one_shot(srv, "chat", "resume", prefix, "--message", "shorter please", "--json").stdout)
    assert more["status"] == "draft" and more["run_pk"] == run_pk and more["version"] == 2
    assert "shorter please" in more["body"]

    text = one_shot(srv, "chat", "list")
    first = text.stdout.splitlines()[0].split()  # (no header line without a terminal)
    assert first[0] == chats[0]["session_id"][:8] and first[3:5] == [str(run_pk), "Write"]

    refused = one_shot(srv, "chat", "delete", prefix)
    assert refused.returncode == 1 and refused.stderr == f"error: deleting chat {chats[0]['session_id'][:8]} asks " \
                                                         "first: pass --yes to delete it\n"
    gone = one_shot(srv, "chat", "delete", prefix, "--yes", "--json")
    assert json.loads(gone.stdout) == {"session_id": chats[0]["session_id"], "deleted": True}
    assert [c["session_id"] for c in json.loads(one_shot(srv, "chat", "list", "--json").stdout)] == [
        chats[1]["session_id"]]
    missing = one_shot(srv, "chat", "resume", prefix, "--message", "hi")
    assert missing.returncode == 1 and missing.stderr == f"error: chat {prefix} not found: `chat list` shows your " \
                                                         "chats\n"
    assert task_execution(srv, run_pk)["session_id"] == chats[0]["session_id"]  # its run stays


def test_chat_without_a_terminal_asks_for_a_message(srv: Any, one_shot: Any) -> None:
    proc = one_shot(srv, "chat")
    assert proc.returncode != 0 and proc.stderr == "error: a chat needs a terminal: pass --message TEXT to send one " \
                                                   "message and print the answer\n"
    assert [r for r in srv.requests if r.path in CHAT_ROUTES] == []
