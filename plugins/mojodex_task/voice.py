"""Voice messages: an audio file checked before it is uploaded (it exists, can be read, is of a format the server
takes, is not too big), then sent in a run's conversation (``/audio PATH`` at ``you>``, ``task run N --audio``).

Mojodex transcribes with OpenAI's speech-to-text, whose formats and 25 MB limit these are; the server reads WAV
itself and needs ffmpeg for the others (protocol-0.4-more.md, section 8), so WAV is the safe choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mojodex_core import MojodexError, RunInfo, ServerError, one_line, sanitize

if TYPE_CHECKING:
    from mojodex_core import Context

MAX_BYTES = 25 * 1024 * 1024
# extension -> what its first bytes look like (None: any)
FORMATS: dict[str, tuple[str, ...]] = {
    "wav": ("riff",), "mp3": ("id3", "mpeg"), "mpga": ("id3", "mpeg"), "mpeg": ("id3", "mpeg"),
    "m4a": ("ftyp",), "mp4": ("ftyp",), "ogg": ("ogg",), "oga": ("ogg",), "opus": ("ogg",), "webm": ("ebml",),
    "flac": ("flac",),
}


def _magic(head: bytes) -> str:
    """What kind of audio container ``head`` (a file's first bytes) starts."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "riff"
    if head[:3] == b"ID3":
        return "id3"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mpeg"
    if head[4:8] == b"ftyp":
        return "ftyp"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "ebml"
    if head[:4] == b"fLaC":
        return "flac"
    return ""


def check_audio(text: str) -> Path:
    """The audio file ``text`` names, checked: one clear ``MojodexError`` for what the server would refuse."""
    path = Path(text.strip()).expanduser()
    shown = one_line(str(path), 120)
    extension = path.suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise MojodexError(f"{shown} is not an audio file the server takes: use one of "
                           f"{', '.join('.' + e for e in FORMATS)} (.wav is read without ffmpeg on the server)")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise MojodexError(f"{shown} is not a file")
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        raise MojodexError(f"no file {shown}") from None
    except OSError as exc:
        raise MojodexError(f"cannot read {shown}: {exc.strerror or type(exc).__name__}") from None
    if size == 0:
        raise MojodexError(f"{shown} is empty")
    if size > MAX_BYTES:
        raise MojodexError(f"{shown} is {size / 1024 / 1024:.1f} MB: a voice message is at most "
                           f"{MAX_BYTES // 1024 // 1024} MB")
    if _magic(head) not in FORMATS[extension]:
        raise MojodexError(f"{shown} does not hold .{extension} audio (its first bytes say otherwise)")
    return path


async def send_audio(ctx: Context, run: RunInfo, path: Path) -> str:
    """Upload ``path`` as a voice message of ``run``; what the server heard (sanitized). The server's refusal (a
    file it cannot transcribe) is one line."""
    try:
        heard = await ctx.server.send_audio(run, path)
    except ServerError as exc:
        if exc.route_missing or exc.status not in (400, 500):
            raise
        raise MojodexError(f"the server could not take the voice message {one_line(path.name, 80)}: "
                           f"{one_line(exc.text, 200)}") from None
    return sanitize(heard).strip()
