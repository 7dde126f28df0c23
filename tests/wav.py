"""A voice message for the tests: a WAV file of silence, as the reference server's 0.4 dialect reads it."""

from __future__ import annotations

import io
import wave
from pathlib import Path


def a_wav(seconds: float = 1.0) -> bytes:
    """The bytes of a mono 16 kHz WAV file of ``seconds`` of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(b"\x00\x00" * int(16000 * seconds))
    return out.getvalue()


def write_wav(path: Path, seconds: float = 1.0) -> Path:
    """``path``, now a WAV file of ``seconds`` of silence."""
    path.write_bytes(a_wav(seconds))
    return path
