"""Mojodex 0.4's voice messages and resources on the reference server, as protocol-0.4-more.md (sections 8 and 9)
records the real backend: the transcription in the HTTP answer with a leading space, the errors of a file it cannot
read, a run started by a message, the documents' routes and the user's description."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server04_helpers import ASSIST, joined_run, nth, server04
from wav import a_wav

from mojodex_server.mojodex_04.todo_routes import MISSING
from mojodex_server.mojodex_04.voice import CANNED_LABEL, NO_FFPROBE

Probes = Callable[..., Any]


def voice_form(run: dict[str, Any], message_id: str) -> dict[str, Any]:
    return {"session_id": run["session_id"], "message_id": message_id, "message_date": "2024-07-01T10:00:00",
            "origin": "task", "user_task_execution_pk": run["user_task_execution_pk"]}


async def test_a_voice_message_is_transcribed_in_the_answer_and_drafted_on(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, ASSIST, {"request": "A lunch menu"})
        await probe.wait_for(nth(probe, "draft_message", 0))
        r = await api.form("/user_message", method="PUT", files={"file": ("voice.wav", a_wav(), "audio/wav")},
                           **voice_form(run, "v1"))
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["text"] == f" {CANNED_LABEL} Make it a list of three items for the lunch"  # the leading space
        assert answer["audio_duration"] == 1.0 and answer["message_id"] == "v1"
        assert answer["user_task_execution_pk"] == run["user_task_execution_pk"]
        draft = await probe.wait_for(nth(probe, "draft_message", 1))
        assert "Make it a list of three items" in draft["produced_text"]
        again = await api.form("/user_message", method="PUT", files={"file": ("voice.wav", a_wav(), "audio/wav")},
                               **voice_form(run, "v1"))
        assert again.json()["message_pk"] == answer["message_pk"] and len(srv.dialect.voice.transcribed) == 1


async def test_files_the_backend_cannot_read_are_refused_as_it_words_it_after_the_reception(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await joined_run(api, probe, ASSIST, {"request": "A lunch menu"})
        await probe.wait_for(nth(probe, "draft_message", 0))
        for n, (name, content) in enumerate((("notes.wav", b"not audio at all"), ("voice.mp3", b"ID3xxxx"))):
            r = await api.form("/user_message", method="PUT", files={"file": (name, content, "audio/wav")},
                               **voice_form(run, f"bad{n}"))
            assert (r.status_code, r.json()) == (400, {"error": NO_FFPROBE}), name
        m4a = await api.form("/user_message", method="PUT", files={"file": ("v.m4a", b"xxxxftyp", "audio/mp4")},
                             **voice_form(run, "m4a"))
        assert m4a.status_code == 400 and "_m4a_to_mp3 : ERROR CONVERTING" in m4a.json()["error"]
        nothing = await api.form("/user_message", method="PUT", **voice_form(run, "none"))
        assert (nothing.status_code, nothing.json()) == (400, {"error": "'NoneType' object has no attribute "
                                                                        "'filename'"})
        # each emitted before the refusal (surprise 14)
        await probe.wait_for(lambda: len(probe.named("user_message_reception")) == 4)
        assert srv.dialect.voice.transcribed == []


async def test_a_voice_message_starts_a_run_created_but_never_started(probes: Probes) -> None:
    async with server04() as (srv, api):
        probe = await probes(srv.url, api.token)
        run = await api.create(ASSIST)
        await probe.join(run["session_id"])
        r = await api.form("/user_message", method="PUT", files={"file": ("voice.wav", a_wav(0.5), "audio/wav")},
                           **voice_form(run, "start"))
        assert r.status_code == 200 and r.json()["audio_duration"] == 0.5
        draft = await probe.wait_for(nth(probe, "draft_message", 0))
        names = [e for e, _ in probe.events if e not in ("draft_token", "connect")]
        assert names[:3] == ["user_message_reception", "user_task_execution_start", "user_task_execution_title"]
        assert draft["user_task_execution_pk"] == run["user_task_execution_pk"]
        assert srv.store.tasks.execution(run["user_task_execution_pk"]).start_date is not None


async def test_resources_list_add_remove_and_their_errors() -> None:
    async with server04() as (_, api):
        assert (await api.get("/resource", learned_by_mojo="false")).json() == {"documents": []}
        assert (await api.get("/resource")).json() == {"error": MISSING}
        learned = await api.get("/resource", learned_by_mojo="true")
        assert learned.status_code == 500 and "Error getting documents" in learned.json()["error"]
        added = await api.send("PUT", "/resource", website_url="https://example.com/about")
        assert added.status_code == 200, added.text
        pk = added.json()["document_pk"]
        listed = (await api.get("/resource", learned_by_mojo="false")).json()["documents"]
        assert [(d["document_pk"], d["document_type"], d["name"]) for d in listed] == [
            (pk, "webpage", "https://example.com/about")]
        assert set(listed[0]) == {"document_pk", "document_type", "name", "author", "creation_date",
                                  "last_update_date", "text"} and "+" not in listed[0]["creation_date"]
        twice = await api.send("PUT", "/resource", website_url="https://example.com/about")
        assert twice.json() == {"error": "Website already exist in user's documents"}
        bad = await api.send("PUT", "/resource", website_url="https://nowhere.invalid/")
        assert (bad.status_code, bad.json()) == (400, {"error": "invalid_url"})
        assert (await api.send("PUT", "/resource")).json() == {"error": "Missing field 'website_url'"}
        gone = await api.http.delete("/resource", params={"datetime": "now", "document_pk": pk}, headers=api.headers)
        assert gone.json() == {"document_pk": str(pk)}  # a string (surprise 5)
        again = await api.http.delete("/resource", params={"datetime": "now", "document_pk": pk},
                                      headers=api.headers)
        assert (again.status_code, again.json()) == (404, {"error": "Document not found for this user"})
        assert (await api.get("/resource", learned_by_mojo="false")).json() == {"documents": []}
        back = await api.send("PUT", "/resource", website_url="https://example.com/about")  # undeleted
        assert back.json()["document_pk"] == pk


async def test_the_users_description_is_an_edition_of_user_description() -> None:
    async with server04() as (srv, api):
        r = await api.send("POST", "/resource", document_pk="user_description", edition="I write short poems.")
        assert r.json() == {"document_pk": "user_description"}
        user_pk = srv.store.user_by_email("demo@example.com").user_pk
        assert srv.dialect.resources.descriptions[(user_pk, "user_description")] == "I write short poems."
        unknown = await api.send("POST", "/resource", document_pk=999)
        assert (unknown.status_code, unknown.json()) == (404, {"error": "Document not found for this user"})
