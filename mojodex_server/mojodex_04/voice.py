"""Voice messages of ``mojodex-0.4`` (protocol-0.4-more.md, section 8): an audio file in ``PUT /user_message``,
transcribed by a canned transcription (no speech model here), and a chat message that starts a run created but
never started (surprise 15).

The backend reads a WAV file itself (pydub) and needs ffmpeg for anything else; without ffmpeg, which is the case
the protocol notes record, every other file (and a WAV it cannot read) fails with the ``ffprobe`` error. So does
this server: it takes WAV files only, and answers the others as that backend does.
"""

from __future__ import annotations

import io
import wave
from typing import TYPE_CHECKING

from ..assistant import run_title
from ..errors import ApiError
from ..task_store import FormFile

if TYPE_CHECKING:
    from ..server import ReferenceServer
    from ..task_store import TaskExecution

CANNED_LABEL = "[canned transcription]"
"""Starts every transcription: this server has no speech model, it says the same words for any voice."""
CANNED_WORDS = "Make it a list of three items for the lunch"
NO_FFPROBE = "[Errno 2] No such file or directory: 'ffprobe'"
NO_FILE = "'NoneType' object has no attribute 'filename'"


class Voice:
    """The transcriptions of one server: ``words`` is what every voice message is heard as (a test may change it)."""

    def __init__(self) -> None:
        self.words = CANNED_WORDS
        self.transcribed: list[tuple[str, float]] = []  # (file name, duration in seconds) of each transcription

    def transcribe(self, upload: FormFile, message_id: str) -> tuple[str, float]:
        """(transcription with the backend's leading space, duration in seconds) of an uploaded voice message;
        400 with the backend's words for a file it cannot read."""
        extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if extension == "m4a":
            raise ApiError(400, f"store_audio_file_from_vocal_chat: _m4a_to_mp3 : ERROR CONVERTING "
                                f"/data/user_messages_audios/{message_id}.m4a: {NO_FFPROBE}")
        if extension != "wav":
            raise ApiError(400, NO_FFPROBE)
        try:
            with wave.open(io.BytesIO(upload.content), "rb") as audio:
                frames, rate = audio.getnframes(), audio.getframerate()
        except (wave.Error, EOFError, ValueError):
            raise ApiError(400, NO_FFPROBE) from None
        duration = round(frames / rate, 2) if rate else 0.0
        self.transcribed.append((upload.filename, duration))
        return f" {CANNED_LABEL} {self.words}", duration

    async def transcription(self, server: ReferenceServer, session_id: str, message_id: str,
                            uploads: dict[str, FormFile]) -> tuple[str, float]:
        """The transcription of the voice message in a ``PUT /user_message`` form's ``file`` part; a failure is
        answered after ``user_message_reception``, as the backend emits it before reading anything (surprise 14)."""
        upload = uploads.get("file")
        try:
            if upload is None:
                raise ApiError(400, NO_FILE)
            return self.transcribe(upload, message_id)
        except ApiError:
            await server.emit_to_room("user_message_reception", {"success": "User message has been received",
                                                                 "session_id": session_id}, session_id)
            raise


async def start_by_message(server: ReferenceServer, run: TaskExecution, text: str) -> None:
    """A message on a run created but never started starts it, without the form's inputs (surprise 15):
    ``user_task_execution_start``, then the title, as the backend sends them."""
    tasks = server.store.tasks
    tasks.set_started(run.pk)
    room = run.session_id
    await server.emit_to_room("user_task_execution_start", {"user_task_execution_pk": run.pk, "session_id": room},
                              room)
    task = tasks.user_task(run.user_task_fk)
    title = run_title(task.name if task else "Task", {"message": text})
    tasks.set_title(run.pk, title)
    await server.emit_to_room("user_task_execution_title", {"title": title, "session_id": room}, room)
