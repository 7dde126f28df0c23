"""What of a conversation message's stream is shown and kept: one cut, the same for the screen and the record.

A model asked for one role's message often goes on with the other role's lines, or ends with ``END
CONVERSATION``. ``MessageCut`` reads the streamed chunks and hands on only the speaker's own words: without its
``Role:`` prefix, up to the first line written for the other role, and up to ``END CONVERSATION`` (which ends the
conversation, and is never shown). It holds back the few characters that might still turn into such a prefix or
marker, so that nothing past the cut is ever handed on; what it handed on, whole, is the message's body.
"""

from __future__ import annotations

import re

from mojodex_engine.prompts import END_MARKER

_DECOR = " \t\r\n*_#>"  # what may come around a "Role:" prefix at the start of a line (Markdown emphasis, quote)
_END_RE = re.compile(rf"(?:[*_]+[ \t]*)?(?<![A-Za-z0-9]){re.escape(END_MARKER)}(?![A-Za-z0-9])")
_TRAILING_DECOR = re.compile(r"[*_]+[ \t]*$")


class MessageCut:
    """Feed it the chunks of ``speaker``'s streamed message; it returns what may be shown of each.

    ``ended`` is True once ``END CONVERSATION`` was seen before any cut; ``cut`` is True once the text was cut at
    another role's line or at the marker. ``body`` is the whole of what was handed on once ``finish`` was called.
    """

    def __init__(self, speaker: str, other: str) -> None:
        self.speaker = speaker
        self.other = other
        self.raw = ""
        self.start: int | None = None  # where the body starts in ``raw``, once the prefix question is settled
        self.shown = 0  # how much of the body was handed on
        self.stop: int | None = None  # where the body ends, once cut
        self.ended = False
        self._text = ""  # the body so far (from its first character that is not blank)
        self._other_re = re.compile(rf"\n[ \t]*[*_#>\s]*{re.escape(other)}[*_\s]*:")
        self._own_re = re.compile(rf"[{re.escape(_DECOR)}]*{re.escape(speaker)}[*_\s]*:[*_]*[ \t]*", re.IGNORECASE)

    @property
    def cut(self) -> bool:
        return self.stop is not None

    def _body(self) -> str:
        return self._text

    def _settle_prefix(self, final: bool) -> bool:
        """Decide where the body starts (after the speaker's own ``Role:`` prefix, if the message has one)."""
        if self.start is not None:
            return True
        stripped = self.raw.lstrip(_DECOR)
        name = self.speaker.casefold()
        if not final:
            if not stripped or name.startswith(stripped.casefold()):
                return False  # "CE" may still become "CEO:"
            if stripped.casefold().startswith(name) and re.fullmatch(r"[*_\s]*", stripped[len(name) :]):
                return False  # "CEO **" may still get its colon
            own = self._own_re.match(self.raw)
            if own is not None and own.end() == len(self.raw):
                return False  # "CEO:" and then perhaps "**" or spaces still to come
        own = self._own_re.match(self.raw)
        self.start = own.end() if own is not None else 0
        self._text = self.raw[self.start :].lstrip()
        return True

    def feed(self, chunk: str) -> str:
        """Take one streamed chunk; return the text that may be shown now (often empty)."""
        if self.stop is not None:
            return ""
        self.raw += chunk
        if self.start is not None:  # the body grows by the chunk (blanks before its first character dropped)
            self._text = self._text + chunk if self._text else chunk.lstrip()
        elif not self._settle_prefix(final=False):
            return ""
        return self._advance(final=False)

    def finish(self) -> str:
        """The stream is over: return the rest that may be shown."""
        if self.stop is None:
            self._settle_prefix(final=True)
            return self._advance(final=True)
        return ""

    def _advance(self, final: bool) -> str:
        body = self._body()
        look = max(0, self.shown - 1)
        cuts = [m.start() for m in (self._other_re.search(body, look), _END_RE.search(body, look)) if m is not None]
        if cuts:
            stop = min(cuts)
            end = _END_RE.search(body, look)
            self.ended = end is not None and end.start() == stop
            self.stop = len(body[:stop].rstrip())
            out = body[self.shown : self.stop]
            self.shown = max(self.shown, self.stop)
            return out
        safe = len(body) if final else self._safe(body)
        if final:
            safe = len(body.rstrip())
        out = body[self.shown : safe] if safe > self.shown else ""
        self.shown = max(self.shown, safe)
        return out

    def _safe(self, body: str) -> int:
        """How much of ``body`` cannot turn into a cut any more, whatever comes next. Only the part not shown yet
        is looked at: what was shown ends with neither blanks, a marker's start nor a line that may become one."""
        base = self.shown  # what was shown never ends with a blank, so a held line's break is in the tail
        tail = body[base:]
        safe = len(tail.rstrip())  # trailing blanks: END CONVERSATION may follow, and they go with it
        decor = _TRAILING_DECOR.search(tail, max(0, safe - 64), safe)  # "**" may open "**END CONVERSATION**"
        if decor is not None and decor.end() == safe:
            safe = decor.start()
        for k in range(min(len(END_MARKER) - 1, safe), 0, -1):  # "END CONV" may become the marker
            if tail.endswith(END_MARKER[:k], 0, safe):
                before = tail[: safe - k].rstrip()
                decor = _TRAILING_DECOR.search(before, max(0, len(before) - 64))
                safe = decor.start() if decor is not None else len(before)
                break
        line_start = tail.rfind("\n", 0, safe + 1)
        if line_start >= 0:  # a line that may still become "CPO:"
            line = tail[line_start + 1 :].lstrip(_DECOR)
            other = self.other
            if not line or other.startswith(line) or (
                line.startswith(other) and re.fullmatch(r"[*_\s]*", line[len(other) :])
            ):
                safe = min(safe, line_start)
        return base + len(tail[:safe].rstrip())  # blanks go out with what follows them, or not at all

    @property
    def body(self) -> str:
        """What was handed on: the message's own words, as shown."""
        return self._body()[: self.shown]


def message_text(speaker: str, body: str) -> str:
    """A conversation message as it is shown and kept: ``"CEO: body"``."""
    return f"{speaker}: {body}".rstrip()


def shown_text(text: str) -> str:
    """A kept message as it is shown: without ``END CONVERSATION`` (runs kept before it was cut out)."""
    found = _END_RE.search(text)
    return text[: found.start()].rstrip() if found is not None else text
