"""Streaming a text over Socket.IO as 0.4 does: one event per token, each carrying the whole text so far."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .assistant import tokens

if TYPE_CHECKING:
    from .server import ReferenceServer

DRAIN_EVERY = 32


async def stream(server: ReferenceServer, event: str, text: str, payload_of: Callable[[str], dict[str, Any]],
                 room: str) -> None:
    """Emit ``payload_of(prefix)`` for every token prefix of ``text``.

    No storage per token; no pause unless ``server.token_delay`` > 0, only a wait every few tokens while a
    client lags behind. Beyond ``server.record_token_limit`` tokens the events are counted, not recorded.
    """
    end = 0
    for i, part in enumerate(tokens(text)):
        end += len(part)
        await server.emit_to_room(event, payload_of(text[:end]), room, record=i < server.record_token_limit)
        if i + 1 == server.faults.hold_streams_after:
            await server.faults.streams_released.wait()
        if server.token_delay > 0:
            await asyncio.sleep(server.token_delay)
        elif i % DRAIN_EVERY == DRAIN_EVERY - 1 and server.sockets is not None:
            await server.sockets.drain(room)


def draft_fields(text: str) -> dict[str, str]:
    """``title\\nbody`` cut into the draft's title and body (the title may be incomplete early on)."""
    title, _, body = text.partition("\n")
    return {"produced_text_title": title, "produced_text": body, "text": text}
