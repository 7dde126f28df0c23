"""Voice messages and resources in a real terminal (0.4), in one session: `/audio` with a good and a bad file in a
task's conversation, `task run --audio`, a website added, listed and removed (asked first), and the user's
description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from task_helpers import ASSIST, PROMPT, YOU
from wav import write_wav

HEARD = "[canned transcription] Make it a list of three items for the lunch"


def test_voice_and_resources_in_one_session(srv: Any, open_shell: Any, tmp_path: Path) -> None:
    good = write_wav(tmp_path / "voice.wav")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(good.read_bytes()[:12] + b"garbage")  # a WAV's first bytes, then nothing a decoder takes
    term = open_shell(srv)
    term.line(f"task run {ASSIST}")
    term.expect("request:")
    term.line("a lunch menu")
    term.expect("(version 1 of run 11;")
    term.expect(YOU, timeout=10)
    term.line("/foo")
    term.expect("the commands are /done, /text, /audio and /help")
    term.line(f"/audio {good}")
    term.expect(f"You (voice): {HEARD}")
    term.expect("(version 2 of run 11;", timeout=10)
    term.expect(YOU, timeout=10)
    term.line(f"/audio {broken}")
    term.expect("error: the server could not take the voice message broken.wav: [Errno 2] No such file or "
                "directory: 'ffprobe'")
    term.expect(YOU)
    term.line(f"/audio {tmp_path / 'nothing.wav'}")
    term.expect(f"error: no file {tmp_path / 'nothing.wav'}")
    term.expect(YOU)
    term.line("/done")
    term.expect(PROMPT)

    term.line(f"task run {ASSIST} --audio {good}")
    term.expect("Run 12 started by a voice message: General Assistance.")
    term.expect(f"You (voice): {HEARD}")
    term.expect("(version 1 of run 12;", timeout=10)
    term.expect(YOU, timeout=10)
    term.line("/done")
    term.expect(PROMPT)

    term.line("resource add https://example.com/menu")
    term.expect("The server is fetching https://example.com/menu: waiting for it, 300 s at most.")
    term.expect("Added resource 11: https://example.com/menu")
    term.line("resource list")
    term.expect("RESOURCE  NAME")
    term.expect("11        https://example.com/menu  webpage")
    term.line("resource remove 11")
    term.expect("Remove resource 11? The assistant forgets it. (y/N)")
    term.line("y")
    term.expect("Removed resource 11.")
    term.line("account describe I cook for a team of twelve.")
    term.expect("Your description is saved: the assistant reads it in your tasks.")
    term.expect(PROMPT)
    term.line("exit")
    assert term.wait_exit() == 0
    voices = [r for r in srv.requests if r.path == "/user_message" and r.files]
    assert [(r.files["file"].filename, r.status) for r in voices] == [("voice.wav", 200), ("broken.wav", 400),
                                                                        ("voice.wav", 200)]
    assert [r.status for r in srv.requests if r.path == "/user_task_execution_run"] == [200]  # run 12: no form
    assert [(r.method, r.status) for r in srv.requests if r.path == "/resource"] == [
        ("PUT", 200), ("GET", 200), ("DELETE", 200), ("POST", 200)]
