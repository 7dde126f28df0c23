"""One instruct run and its one owner: the events addressed to it, their deduplication, the streaming of the
assistant's words and drafts, the chat with the user, and the end of the conversation.

The Socket.IO plugin delivers the run's events (``deliver``), acknowledges ``mojo_message`` and ``draft_message``
(it answers an event only while its session is followed: a conversation the user stops watching stays followed
until the assistant's reply is in), and after a reconnection asks the owner to catch up (``catch_up``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mojodex_core import (
    CommandCancelled,
    NetworkError,
    ProducedText,
    RunInfo,
    Screen,
    ServerEvent,
    TextStream,
    sanitize,
)
from mojodex_task import render
from mojodex_task.stream import DraftPieces, DraftStream, Piece

if TYPE_CHECKING:
    from mojodex_core import Context

CHAT_HINT = ("Type what to change (\"make it shorter\"); an empty line, Ctrl-D or /done ends the conversation, "
             "/text shows the draft again.")
TOOLBAR = "Enter on an empty line, Ctrl-D or /done: leave the conversation ({reopen} reopens it)"
# The slash commands of ``you>``: (the word, what else says the same, what it does). Any other ``/word`` is sent
# nowhere (a typo must not become a new version); ``//`` starts a message that begins with a slash.
COMMANDS = (
    ("/done", ("/exit", "/quit", "/q"), "end the conversation (so do an empty line and Ctrl-D)"),
    ("/text", (), "show the current draft again"),
    ("/audio", (), "send the audio file PATH as a voice message: /audio PATH"),
    ("/help", (), "list these commands"),
)
ALIASES = {alias: word for word, aliases, _ in COMMANDS for alias in (word, *aliases)}


def chat_line(line: str) -> tuple[str, str]:
    """What a line typed at ``you>`` asks for: ``("send", message)``, ``(command, "")`` for a slash command
    (``/done`` for every way of leaving, an empty line included), or ``("hint", text)``: nothing to send, a hint
    to show."""
    text = line.strip()
    if not text:
        return "/done", ""
    if text.startswith("//"):
        return "send", text[1:]
    if not text.startswith("/"):
        return "send", text
    word, *rest = text.split(maxsplit=1)
    command = ALIASES.get(word.lower())
    if command is None:
        known = ", ".join(w for w, _, _ in COMMANDS[:-1]) + f" and {COMMANDS[-1][0]}"
        return "hint", f"unknown command {word}: the commands are {known}; /{word} sends a message starting with /"
    if command == "/audio":  # the one command with an argument: the file's path
        return ("/audio", rest[0].strip()) if rest else ("hint", "/audio takes the path of an audio file: /audio "
                                                                 "voice.wav")
    if rest:
        return "hint", f"{word} takes no argument; start the line with // to send a message starting with /"
    return command, ""


def commands_help() -> list[str]:
    """The lines ``/help`` prints."""
    rows = [(word + (f" ({', '.join(aliases)})" if aliases else ""), what) for word, aliases, what in COMMANDS]
    rows.append(("//...", 'a message that starts with a slash: //foo sends "/foo"'))
    width = max(len(name) for name, _ in rows)
    return [f"  {name.ljust(width)}  {what}" for name, what in rows]


@dataclass(frozen=True)
class Reply:
    """The assistant's whole answer to one turn: a draft, a question, or an error of the server's."""

    kind: str  # "draft", "question", "error"
    text: str = ""
    draft: ProducedText | None = None


def message_parts(message: dict[str, Any]) -> tuple[str, str, ProducedText | None]:
    """(sender, text, draft) of one entry of ``GET /message``; ``draft`` is set for a message that carries one."""
    sender = message.get("sender")
    body = message.get("message")
    body = body if isinstance(body, dict) else {}
    draft = None
    production = body.get("produced_text", body.get("production"))
    if isinstance(production, str):
        title = body.get("produced_text_title", body.get("title"))
        draft = ProducedText(title if isinstance(title, str) else "", production,
                             body.get("produced_text_pk"), body.get("produced_text_version_pk"))
    text = body.get("text")
    if not isinstance(text, str):
        text = production if isinstance(production, str) else ""
    return (sender if sender in ("user", "mojo") else "mojo"), text, draft


class Conversation:
    """The owner of one instruct run while the shell shows it (``task run``, ``task resume``).

    The chat outside any task (the chat plugin) is one too, whose words a subclass changes: ``hint``, ``label``,
    ``reopen``."""

    hint = CHAT_HINT  # what ``you>`` is for: said when it opens, and by /help

    def __init__(self, ctx: Context, run: RunInfo, *, plain: bool = False, json_mode: bool = False) -> None:
        self.ctx = ctx
        self.run = run
        self.server = ctx.server
        self.json_mode = json_mode
        self.show = ctx.interactive and not json_mode  # stream as it comes, for a person watching
        terminal = self.show and sys.stdout.isatty()
        self.screen = Screen(ctx, terminal)
        self.markdown = terminal and not plain and bool(ctx.config.get("task.markdown", True))
        self.timeout = float(ctx.config.get("task.reply_timeout_seconds", 120.0))
        self.queue: asyncio.Queue[ServerEvent] = asyncio.Queue()
        self.seen_messages: set[str] = set()  # mojo_message pks handled (a server sends one again until acked)
        self.seen_versions: set[str] = set()  # draft version pks handled
        self.version = (run.produced.version or 1) if run.produced is not None else 0
        self.question = ""  # the assistant's last question, while it waits for an answer
        # The run's new title, not shown yet: a draft that bears it as its heading shows it; anything else comes
        # after a `Title: ...` line.
        self.untold_title = ""
        self.detached = False  # the user stopped watching (Ctrl-C): nothing is shown any more
        self.away = False  # the event connection is down: silence says nothing about the assistant
        self.waiting = False  # a reply is due
        self.stream: TextStream | DraftStream | None = None  # what is being streamed right now
        self.pieces = DraftPieces()  # what plugins were told of the draft being written (mojodex_draft_piece)
        # Replies read back after a reconnection (catch_up) whose own event has not come yet: the server sends
        # it again until it is acknowledged, and the socket plugin acknowledges only the sessions followed.
        self.unconfirmed: set[str] = set()
        self.status = "running"
        if run.produced is not None and run.produced.version_pk is not None:
            self.seen_versions.add(str(run.produced.version_pk))

    @property
    def pk(self) -> int | str:
        return self.run.pk

    @property
    def draft(self) -> ProducedText | None:
        """The latest draft: the run's produced text (kept there, and only there)."""
        return self.run.produced

    @property
    def label(self) -> str:
        """What the user watches, in a sentence: ``run 3``."""
        return f"run {self.pk}"

    def reopen(self) -> str:
        """The command that reopens the conversation, as the shell says it."""
        return f"`task resume {self.pk}`"

    # -- the listener the Socket.IO plugin delivers to ---------------------------------------------------------

    def deliver(self, event: ServerEvent) -> None:
        if self.detached:
            if event.kind in ("draft", "message"):
                self.unconfirmed.discard(_key(event))
                if not self.unconfirmed:
                    # The reply nobody watches any more has come and is being acknowledged: let the run go.
                    self._release()
            return
        self.queue.put_nowait(event)

    def connection(self, state: str) -> None:
        self.away = state == "lost"

    async def catch_up(self) -> None:
        """After a reconnection: a draft or a question the server sent while the connection was down."""
        if not self.waiting or self.detached:
            return
        run = await self.server.read_run(self.pk)
        produced = run.produced
        if produced is not None and produced.version_pk is not None and \
                str(produced.version_pk) not in self.seen_versions:
            self.deliver(ServerEvent("catch_up", "draft", run.session_id, run.raw, produced=produced))
            return
        for message in (await self.server.messages(run, limit=5))[:1]:
            sender, text, draft = message_parts(message)
            pk = message.get("message_pk")
            if sender == "mojo" and draft is None and text and str(pk) not in self.seen_messages:
                self.deliver(ServerEvent("catch_up", "message", run.session_id, message, text=text, message_pk=pk))

    def _release(self) -> None:
        async def unfollow() -> None:
            await asyncio.sleep(0)  # the socket plugin returns the acknowledgement first
            await self.server.unfollow(self.run.session_id)

        task = asyncio.get_running_loop().create_task(unfollow())
        _background.add(task)
        task.add_done_callback(_background.discard)

    def seen(self, messages: list[dict[str, Any]]) -> None:
        """What the conversation already holds (``task resume``): not to be taken for a reply."""
        for message in messages:
            sender, _, draft = message_parts(message)
            if sender == "mojo" and message.get("message_pk") is not None:
                self.seen_messages.add(str(message.get("message_pk")))
            if draft is not None and draft.version_pk is not None:
                self.seen_versions.add(str(draft.version_pk))

    # -- waiting for the assistant -----------------------------------------------------------------------------

    async def _next(self) -> ServerEvent:
        # asyncio.timeout rather than wait_for: on Python 3.11 wait_for drops a cancellation (Ctrl-C) that comes
        # as the queue delivers, which a fast stream makes likely.
        while True:
            try:
                if not self.show or self.stream is not None:
                    async with asyncio.timeout(self.timeout):
                        return await self.queue.get()
                async with self.ctx.status("Waiting for the assistant"):
                    async with asyncio.timeout(self.timeout):
                        return await self.queue.get()
            except TimeoutError:
                if self.away:
                    continue
                self.end_stream()
                raise NetworkError(f"the server has sent nothing about run {self.pk} for {self.timeout:g} s: the "
                                   f"assistant may have failed ({self.reopen()} reopens the conversation)"
                                   ) from None

    async def reply(self) -> Reply:
        """Wait for the assistant's answer to the last turn, streaming it; it is whole (and shown) on return."""
        self.waiting = True  # until a reply is in: stopped with Ctrl-C or a timeout, one is still due
        self.pieces = DraftPieces()  # a turn cut short (an error, Ctrl-C) must not leave its pieces to the next
        while True:
            event = await self._next()
            reply = await self._handle(event)
            if reply is not None:
                self.waiting = False
                return reply

    async def _handle(self, event: ServerEvent) -> Reply | None:
        kind = event.kind
        if kind == "title":
            if event.text and event.text != self.run.title:
                self.run.title = event.text
                if self.show and self.stream is None:
                    self.untold_title = event.text
        elif kind == "token" and self.show:
            stream = self.stream if isinstance(self.stream, TextStream) else self._switch(TextStream(
                self.screen, "Assistant: "))
            stream.update(event.text)
        elif kind == "draft_token":
            title, body = _parts(event)
            if self.show:
                draft_stream = self.stream if isinstance(self.stream, DraftStream) else self._switch(
                    DraftStream(self.screen), heading=title)
                draft_stream.update(title, body)
            await self._tell(self.pieces.update(title, body))
        elif kind == "message":
            key = str(event.message_pk)
            if event.message_pk is not None and key in self.seen_messages:
                self.unconfirmed.discard(key)
                return None
            self.seen_messages.add(key)
            if event.name == "catch_up":
                self.unconfirmed.add(key)
            text = sanitize(event.text).strip()
            self._show_message(text)
            self.question = text
            await self.ctx.call_hook("mojodex_assistant_message", text=text, run=self.run)
            return Reply("question", text)
        elif kind == "draft" and event.produced is not None:
            key = str(event.produced.version_pk)
            if event.produced.version_pk is not None and key in self.seen_versions:
                self.unconfirmed.discard(key)
                return None
            self.seen_versions.add(key)
            if event.name == "catch_up":
                self.unconfirmed.add(key)
            self.version += 1
            title, body = _parts(event)
            draft = replace(event.produced, title=title, text=body, version=self.version)
            self.run.produced = draft
            self.question = ""
            self._show_draft(draft)
            await self._tell(self.pieces.finish(draft.title, draft.text))
            self.pieces = DraftPieces()
            await self.ctx.call_hook("mojodex_draft", draft=draft, run=self.run)
            return Reply("draft", draft=draft)
        elif kind == "error":
            self.end_stream()
            self._tell_title()
            return Reply("error", event.text)
        return None

    async def _tell(self, pieces: list[Piece]) -> None:
        for piece, part, start in pieces:
            await self.ctx.call_hook("mojodex_draft_piece", piece=piece, part=part, start=start, run=self.run)

    # -- the screen --------------------------------------------------------------------------------------------

    def _switch(self, stream: Any, heading: str | None = None) -> Any:
        """Stream ``stream`` from now on; ``heading`` is the title so far of a draft that starts streaming."""
        self.end_stream()
        if heading is None or not _same_title(heading, self.untold_title, prefix=True):
            self._tell_title()
        self.stream = stream
        return stream

    def _tell_title(self) -> None:
        """The run's title on a line of its own, if it is new and no draft's heading showed it."""
        if self.untold_title:
            self.ctx.print(f"Title: {self.untold_title}")
            self.untold_title = ""

    def end_stream(self) -> None:
        """Whatever was streaming stops where it is; the cursor goes to a new line."""
        stream, self.stream = self.stream, None
        if isinstance(stream, DraftStream):
            stream.end()
        elif isinstance(stream, TextStream):
            stream.end_line()

    def _show_message(self, text: str) -> None:
        stream, self.stream = self.stream, None
        if not self.show:
            return
        if isinstance(stream, TextStream) and stream.finish(text):
            stream.end_line()
            return
        if isinstance(stream, DraftStream):
            stream.end()
        elif isinstance(stream, TextStream):
            stream.end_line()
        self._tell_title()
        self.ctx.print(f"Assistant: {text}")

    def _show_draft(self, draft: ProducedText) -> None:
        stream, self.stream = self.stream, None
        if not self.show:
            return
        if isinstance(stream, TextStream):
            stream.end_line()
            stream = None
        untold, self.untold_title = self.untold_title, ""
        if _same_title(draft.title, untold):
            untold = ""  # the draft's heading is the run's title: shown once, as the heading
        elif untold and not (isinstance(stream, DraftStream) and stream.started):
            self.ctx.print(f"Title: {untold}")
            untold = ""
        exact = False
        if isinstance(stream, DraftStream):
            exact = stream.finish(draft.title, draft.text)
            stream.end()
        self.show_draft(draft, stream, exact)
        if untold:  # a streamed draft whose heading turned out not to be the run's title
            self.ctx.print(f"Title: {untold}")
        self.ctx.print(f"(version {draft.version} of run {self.pk}; `task text {self.pk}` prints it)")

    def show_draft(self, draft: ProducedText, stream: DraftStream | None = None, exact: bool = False) -> None:
        """Show a finished draft cleanly: rendered in place of what streamed when it is still on the screen."""
        screen = self.screen
        streamed = stream is not None and stream.started
        if self.markdown:
            columns, lines = screen.size
            height = stream.height if stream is not None and streamed else 0
            if streamed and height >= lines - 1:
                if exact:
                    return  # longer than the screen, and shown exactly: the stream is the draft
                self.ctx.print("The finished version:")
            elif height:
                screen.control(f"\x1b[{height}A\r\x1b[J")  # erase the stream: the rendered draft replaces it
            sys.stdout.write(render.rendered(draft.title, draft.text, columns, styled=self.ctx.color))
            sys.stdout.flush()
            return
        if exact:
            return
        if streamed:
            self.ctx.print("The finished version:")
        self.ctx.write(render.plain(draft.title, draft.text))

    # -- the user's turn ---------------------------------------------------------------------------------------

    async def send(self, text: str) -> Reply:
        await self.server.send_message(self.run, text)
        return await self.reply()

    async def send_audio(self, path_text: str) -> Reply | None:
        """``/audio PATH``: the file checked, sent as a voice message, what the server heard shown as the user's
        message, then the reply. None (and one error line) when the file or its transcription fails: the
        conversation goes on."""
        from mojodex_core import MojodexError, NetworkError
        from mojodex_task.voice import check_audio, send_audio

        try:
            path = check_audio(path_text)
            heard = await send_audio(self.ctx, self.run, path)
        except NetworkError:
            raise
        except MojodexError as exc:
            self.ctx.error(str(exc))
            return None
        if self.show:
            self.ctx.print(f"You (voice): {heard}")
        return await self.reply()

    async def chat(self) -> None:
        """The ``you>`` prompt: each message brings a new version (or a question); until the user leaves."""
        self.ctx.print(self.hint)
        toolbar = TOOLBAR.format(reopen=self.reopen())
        while True:
            try:
                line = await self.ctx.ask("you> ", toolbar=toolbar)
            except CommandCancelled:
                return  # Ctrl-D or Ctrl-C at the prompt: the conversation ends, the shell goes on
            what, text = chat_line(line)
            if what == "/done":
                return
            if what == "/text":
                if self.draft is not None:
                    self.show_draft(self.draft)
                else:
                    self.ctx.print("No draft yet.")
                continue
            if what == "/help":
                self.ctx.print(self.hint)
                for row in commands_help():
                    self.ctx.print(row)
                continue
            if what == "hint":
                self.ctx.print(text)
                continue
            if what == "/audio":
                reply = await self.send_audio(text)
                if reply is None:
                    continue
            else:
                reply = await self.send(text)
            if reply.kind == "error":
                self.ctx.error(f"the assistant failed: {reply.text}")

    def detach(self) -> None:
        """The user stopped watching (Ctrl-C): nothing more is shown; the run goes on on the server."""
        self.end_stream()
        self.detached = True
        for event in _drain(self.queue):  # what came meanwhile, not looked at yet
            if event.kind in ("draft", "message"):
                self.unconfirmed.discard(_key(event))
        self.queue = asyncio.Queue()

    @property
    def must_stay(self) -> bool:
        """The session must stay followed after the conversation: a reply is due, or one is yet to be acknowledged."""
        return self.waiting or bool(self.unconfirmed)

    def document(self, reply: Reply | None) -> dict[str, Any]:
        """The run's answer as one JSON document (``--json``)."""
        draft = reply.draft if reply is not None else None
        ref = self.run.ref
        return {
            "run_pk": self.pk, "user_task_pk": int(ref) if ref.isdigit() else ref or None, "task": self.run.name,
            "session_id": self.run.session_id, "run_title": self.run.title,
            "status": reply.kind if reply is not None else "none",
            "question": reply.text if reply is not None and reply.kind == "question" else None,
            "error": reply.text if reply is not None and reply.kind == "error" else None,
            "title": draft.title if draft else None, "body": draft.text if draft else None,
            "produced_text_pk": draft.pk if draft else None,
            "produced_text_version_pk": draft.version_pk if draft else None,
            "version": draft.version if draft else None,
        }

    def print_document(self, reply: Reply | None) -> None:
        self.ctx.print(json.dumps(self.document(reply), ensure_ascii=False, indent=2))


_background: set[asyncio.Task[Any]] = set()


def _key(event: ServerEvent) -> str:
    if event.kind == "draft" and event.produced is not None:
        return str(event.produced.version_pk)
    return str(event.message_pk)


def _drain(queue: asyncio.Queue[ServerEvent]) -> list[ServerEvent]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def _same_title(a: str, b: str, prefix: bool = False) -> bool:
    """Whether title ``a`` reads as ``b`` on the screen (or, with ``prefix``, as its beginning: a title streaming)."""
    a, b = " ".join(sanitize(a).split()), " ".join(sanitize(b).split())
    return b.startswith(a) if prefix else a == b


def _parts(event: ServerEvent) -> tuple[str, str]:
    """(title, body) of a draft event; from ``text`` (``title\\nbody``) when the payload has neither."""
    produced = event.produced
    title, body = (produced.title, produced.text) if produced is not None else ("", "")
    if not title and not body:
        text = event.data.get("text")
        if isinstance(text, str):
            title, _, body = text.partition("\n")
    return title, body
