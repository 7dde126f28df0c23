"""Making untrusted text (from a server or a model) safe to print on a terminal."""

from __future__ import annotations

import re

# ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other ESC sequences,
# and the 8-bit C1 forms. Then any C0/C1 control character left, except newline and tab.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]         # CSI
    | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)  # OSC, ended by BEL or ST
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c)  # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]                         # two-or-more byte ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def sanitize(text: object) -> str:
    """Return ``text`` as a string with terminal control sequences and control characters removed.

    Newlines and tabs are kept; a carriage return is dropped (it could overwrite a line already shown).
    """
    s = text if isinstance(text, str) else str(text)
    s = _ESCAPES.sub("", s)
    return _CONTROLS.sub("", s)


def one_line(text: object, limit: int = 300) -> str:
    """Sanitize and fold ``text`` to a single line of at most ``limit`` characters."""
    s = " ".join(sanitize(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
