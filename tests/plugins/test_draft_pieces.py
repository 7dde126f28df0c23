"""``mojodex_draft_piece``: a plugin sees a draft as it streams, only what is new, and the pieces add up to the
draft ``mojodex_draft`` gives, through the kit's Mojodex 0.4 server and with rewrites a server may send."""

from __future__ import annotations

from typing import Any

from mojodex_core import ProducedText, RunInfo, ServerEvent, hookimpl


class Pieces:
    """A plugin that rebuilds each draft from its pieces, the way docs/hooks.md shows."""

    def __init__(self) -> None:
        self.parts = {"title": "", "text": ""}
        self.calls: list[tuple[str, str, int]] = []  # this version's
        self.runs: set[Any] = set()
        # Each finished version: the draft, the parts rebuilt from its pieces, and those pieces.
        self.versions: list[tuple[ProducedText, dict[str, str], list[tuple[str, str, int]]]] = []

    @hookimpl
    def mojodex_draft_piece(self, piece: str, part: str, start: int, run: RunInfo) -> None:
        self.calls.append((piece, part, start))
        self.runs.add(run.pk)
        self.parts[part] = self.parts[part][:start] + piece

    @hookimpl
    def mojodex_draft(self, draft: ProducedText) -> None:
        self.versions.append((draft, self.parts, self.calls))
        self.parts = {"title": "", "text": ""}
        self.calls = []


def test_the_pieces_of_each_version_stream_in_and_add_up_to_the_draft(mojodex_shell, mojodex_server):
    plugin = Pieces()
    shell = mojodex_shell(plugins={"pieces": plugin}, server=mojodex_server)

    # General Assistance (2): the request, one change (a second version), then an empty line ends the chat.
    out = shell.run("task run 2", answers=["a thank-you note", "make it shorter", ""])

    assert shell.status == 0 and "(version 2 of run" in out, out
    assert [draft.version for draft, _, _ in plugin.versions] == [1, 2]
    for draft, rebuilt, pieces in plugin.versions:
        assert rebuilt == {"title": draft.title, "text": draft.text}
        assert len(pieces) > 20  # streamed: the server sends each version as 60 tokens
        assert pieces[0][1] == "title"  # the title streams first
        # Only what is new: each piece starts where its part so far ends, and none is empty.
        told = {"title": 0, "text": 0}
        for piece, part, start in pieces:
            assert piece and start == told[part], (piece, part, start)
            told[part] += len(piece)
    [run_pk] = plugin.runs
    assert f"(version 1 of run {run_pk};" in out
    # What the server stored of the run (as docs/plugins.md shows): the same two versions.
    stored = mojodex_server.call(mojodex_server.server.stored_run, run_pk)
    assert len(stored["versions"]) == 2


def test_the_pieces_come_without_a_screen_too(mojodex_shell, mojodex_server):
    plugin = Pieces()
    shell = mojodex_shell(plugins={"pieces": plugin}, server=mojodex_server)

    out = shell.run("task run 2 --input 'request=a haiku' --yes --json")

    assert shell.status == 0, out
    [(draft, rebuilt, pieces)] = plugin.versions
    assert rebuilt == {"title": draft.title, "text": draft.text} and len(pieces) > 20


def test_a_rewritten_draft_and_a_split_control_sequence_still_add_up(mojodex_shell):
    from mojodex_task.conversation import Conversation

    plugin = Pieces()
    shell = mojodex_shell(plugins={"pieces": plugin})
    run = RunInfo(pk=7, session_id="chat-1", name="General Assistance", kind="instruct")
    conv = Conversation(shell.ctx, run, json_mode=True)

    def token(title: str, text: str) -> ServerEvent:
        return ServerEvent("draft_token", "draft_token", "chat-1", produced=ProducedText(title, text))

    for event in [token("Tit", ""), token("Title", "Hello wor"),
                  token("Title", "Hello \x1b[3"),  # the assistant rewrote the end; half a colour sequence
                  token("Title", "Hello \x1b[31mbrave new world"),
                  ServerEvent("draft_message", "draft", "chat-1",
                              produced=ProducedText("Title!", "Hello \x1b[31mbrave new world.", 3, 9))]:
        conv.deliver(event)
    reply = shell.loop.run_until_complete(conv.reply())

    assert reply.kind == "draft"
    [(draft, rebuilt, pieces)] = plugin.versions
    assert rebuilt == {"title": "Title!", "text": "Hello \x1b[31mbrave new world."} == {
        "title": draft.title, "text": draft.text}
    # The rewrite is told from where the texts part ways (6), once it is safe: a colour sequence is held back
    # while the end of the text is near it, never cut in half; the finished draft brings what is left.
    assert pieces == [("Tit", "title", 0), ("le", "title", 3), ("Hello wor", "text", 0),
                      ("!", "title", 5), ("\x1b[31mbrave new world.", "text", 6)]
