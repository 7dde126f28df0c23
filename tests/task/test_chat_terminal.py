"""The chat with the assistant as a person uses it: the real `mojodex` script in a pseudo-terminal, a 0.4 reference
server on 127.0.0.1, one session through `chat`, a task the assistant starts, `chat list`, `chat resume`, `chat
delete`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from task_helpers import MINUTES, PROMPT, YOU, task_execution
from wav import write_wav

FIRST_RUN = 11  # the server's pks start at 11


def test_chat_starts_a_task_that_the_shell_follows_then_list_resume_and_delete(srv: Any, open_shell: Any,
                                                                             tmp_path: Path) -> None:
    voice = write_wav(tmp_path / "voice.wav")
    term = open_shell(srv)
    term.line("chat")
    term.expect("with the assistant.")
    term.expect("ask for one of your tasks")
    term.expect(YOU)
    term.line("hello")
    term.expect("Assistant: [offline demo] I am the assistant, outside any task.")
    term.expect(YOU, timeout=10)
    term.line(f"/audio {voice}")  # the task conversation's /audio, in the chat too
    term.expect("You (voice): [canned transcription]")
    term.expect("Assistant: [offline demo] I am the assistant, outside any task.")
    term.expect(YOU, timeout=10)
    term.line("Write the minutes of the budget meeting")
    term.expect(f"The assistant started run {FIRST_RUN}: Meeting minutes.")
    term.expect("[offline demo] a first version of your meeting minutes")
    term.expect(f"(version 1 of run {FIRST_RUN}; `task text {FIRST_RUN}` prints it)")
    term.expect(YOU, timeout=10)
    term.line("/done")
    term.expect(f"Run {FIRST_RUN} stays on the server: `task text {FIRST_RUN}` prints its text")
    term.expect(PROMPT)
    session_id = task_execution(srv, FIRST_RUN)["session_id"]
    assert srv.call(lambda: srv.server.store.tasks.execution(FIRST_RUN).user_task_fk) == MINUTES

    term.line("chat list")
    term.expect("FIRST MESSAGE")
    row = term.expect(re.compile(re.escape(session_id[:8]) + " .*"))
    assert row.group(0).split()[3:] == [str(FIRST_RUN), "hello"]  # CHAT, LAST MESSAGE (a date), RUN, FIRST MESSAGE
    term.expect(PROMPT)

    term.line(f"chat resume {session_id[:5]}")
    term.expect(f"Chat {session_id[:8]}, which started run {FIRST_RUN}: Meeting minutes.")
    term.expect("You: hello")
    term.expect("You: Write the minutes of the budget meeting")
    term.expect(f"(version 1 of run {FIRST_RUN}; `task text {FIRST_RUN}` prints it)")
    term.expect(YOU, timeout=10)
    term.line("shorter please")
    term.expect("You said: shorter please")
    term.expect(f"(version 2 of run {FIRST_RUN};")
    term.expect(YOU, timeout=10)
    term.line("")
    term.expect(PROMPT)
    assert len(task_execution(srv, FIRST_RUN)["versions"]) == 2

    term.line(f"chat delete {session_id[:5]}")
    term.expect(f"Delete chat {session_id[:8]}?")
    term.line("y")
    term.expect(f"Deleted chat {session_id[:8]}.")
    term.expect(PROMPT)
    assert srv.call(lambda: srv.server.store.chats.owner(session_id)) is None
    term.line("exit")
    assert term.wait_exit() == 0
