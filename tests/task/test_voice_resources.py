"""Voice messages, resources and the user's description from a script (`mojodex ... ` with no terminal) on Mojodex
0.4 (the reference server), the audio file checked before anything is sent, and the one line the other dialects
answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from task_helpers import ASSIST, POEM
from wav import write_wav

from mojodex_server.mojodex_04.voice import CANNED_LABEL


def paths(srv: Any, *names: str) -> list[str]:
    return [f"{r.method} {r.path}" for r in srv.requests if r.path in names]


@pytest.mark.parametrize("api", ["spec", "mojodex-2024"])
def test_a_server_without_resources_says_so_in_one_line_and_is_asked_nothing(
        task_server: Any, one_shot: Any, api: str) -> None:
    srv = task_server(api=api)
    for args, what in ((("resource", "list"), "the list of resources"),
                       (("resource", "add", "https://example.com/"), "adding a website to the resources"),
                       (("resource", "remove", "3", "--yes"), "removing a resource"),
                       (("account", "describe", "I write short poems."), "the user's description")):
        proc = one_shot(srv, *args)
        assert (proc.returncode, proc.stdout) == (1, ""), args
        assert proc.stderr.splitlines()[-1] == f"error: {what} is not in the {api} dialect of the protocol this " \
                                               "server speaks", args
    assert paths(srv, "/resource", "/user_message") == []


def test_task_run_audio_starts_the_run_from_a_voice_message(srv: Any, one_shot: Any, tmp_path: Path) -> None:
    voice = write_wav(tmp_path / "voice.wav")
    proc = one_shot(srv, "task", "run", str(ASSIST), "--audio", str(voice), "--json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["status"] == "draft" and f"{CANNED_LABEL} Make it a list of three items" in document["body"]
    assert paths(srv, "/user_task_execution_run", "/user_message") == ["PUT /user_message"]  # not the form
    sent = next(r for r in srv.requests if r.path == "/user_message")
    assert "text" not in sent.form and sent.files["file"].filename == "voice.wav"
    assert sent.form["origin"] == "task" and sent.form["user_task_execution_pk"] == str(document["run_pk"])
    assert srv.call(lambda: srv.server.dialect.voice.transcribed) == [("voice.wav", 1.0)]


def test_audio_files_are_checked_before_anything_is_created(srv: Any, one_shot: Any, tmp_path: Path) -> None:
    (tmp_path / "notes.wav").write_text("not audio", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not audio", encoding="utf-8")
    (tmp_path / "empty.wav").write_bytes(b"")
    for name, line in (("missing.wav", f"error: no file {tmp_path / 'missing.wav'}"),
                       ("notes.txt", f"error: {tmp_path / 'notes.txt'} is not an audio file the server takes"),
                       ("notes.wav", f"error: {tmp_path / 'notes.wav'} does not hold .wav audio"),
                       ("empty.wav", f"error: {tmp_path / 'empty.wav'} is empty")):
        proc = one_shot(srv, "task", "run", str(ASSIST), "--audio", str(tmp_path / name))
        assert proc.returncode == 1 and proc.stderr.startswith(line), (name, proc.stderr)
        assert len(proc.stderr.splitlines()) == 1
    voice = str(write_wav(tmp_path / "voice.wav"))
    workflow = one_shot(srv, "task", "run", str(POEM), "--audio", voice)
    assert workflow.returncode == 2 and "--audio starts instruct tasks only" in workflow.stderr
    mixed = one_shot(srv, "task", "run", str(ASSIST), "--audio", voice, "--input", "request=x")
    assert mixed.returncode == 2 and "no --input with it" in mixed.stderr
    assert paths(srv, "/user_task_execution", "/user_message") == []


def test_resource_add_list_remove_and_describe(srv: Any, one_shot: Any) -> None:
    added = one_shot(srv, "resource", "add", "https://example.com/about")
    assert added.returncode == 0, added.stderr
    assert "The server is fetching https://example.com/about: waiting for it, 300 s at most." in added.stderr
    pk = int(added.stdout.split()[2].rstrip(":"))
    assert added.stdout == f"Added resource {pk}: https://example.com/about\n"
    listed = json.loads(one_shot(srv, "resource", "list", "--json").stdout)
    assert [(r["resource_pk"], r["name"], r["type"]) for r in listed] == [
        (pk, "https://example.com/about", "webpage")]
    assert listed[0]["created"].endswith("+00:00")  # the backend's naive dates are UTC
    table = one_shot(srv, "resource", "list").stdout.splitlines()
    assert len(table) == 1 and table[0].split()[:3] == [str(pk), "https://example.com/about", "webpage"]

    twice = one_shot(srv, "resource", "add", "https://example.com/about")
    assert twice.stderr.splitlines()[-1] == "error: https://example.com/about is already among your resources " \
                                            "(`resource list`)"
    bad = one_shot(srv, "resource", "add", "https://nowhere.invalid/")
    assert bad.stderr.splitlines()[-1] == "error: the server cannot reach https://nowhere.invalid/ (invalid_url): " \
                                          "check the address"
    assert one_shot(srv, "resource", "add", "example.com").returncode == 2

    asked = one_shot(srv, "resource", "remove", str(pk))
    assert asked.returncode != 0
    assert asked.stderr == f"error: removing resource {pk} asks first: pass --yes to remove it\n"
    assert one_shot(srv, "resource", "remove", str(pk), "--yes").stdout == f"Removed resource {pk}.\n"
    gone = one_shot(srv, "resource", "remove", str(pk), "--yes")
    assert (gone.returncode, gone.stderr) == (1, f"error: resource {pk} not found\n")
    assert one_shot(srv, "resource", "list").stdout.startswith("No resources yet")

    described = one_shot(srv, "account", "describe", "I write", "short poems.", "--json")
    assert json.loads(described.stdout) == {"description": "I write short poems."}
    sent = [r.json for r in srv.requests if r.method == "POST" and r.path == "/resource"]
    assert [(j["document_pk"], j["edition"]) for j in sent] == [("user_description", "I write short poems.")]


def test_a_slow_fetch_ends_at_the_clients_own_timeout(srv: Any, one_shot: Any) -> None:
    srv.call(lambda: setattr(srv.server.faults, "fetch_delay", 5.0))
    config = ('[plugins]\ndisabled = ["local"]\n[shell]\nload_completions = false\n'
              '[resource]\nfetch_timeout_seconds = 0.3\n')
    proc = one_shot(srv, "resource", "add", "https://slow.example.com/", config=config)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == (
        "error: the server did not finish fetching https://slow.example.com/ within 0.3 s "
        "(resource.fetch_timeout_seconds): it may still add it; `resource list` shows it")
