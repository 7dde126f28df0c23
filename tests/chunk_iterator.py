"""The plainest stream a model provider may return: an async iterator over given chunks, no SDK behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator


class ChunkIterator:
    """Yields ``chunks`` in order, then stops (the list is consumed)."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        if not self.chunks:
            raise StopAsyncIteration
        return self.chunks.pop(0)
