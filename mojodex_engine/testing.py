"""A real loopback OpenAI-compatible HTTP server, for tests and benchmarks (aiohttp on 127.0.0.1, port 0).

It serves ``POST /v1/chat/completions`` (SSE streaming in OpenAI's ``chat.completion.chunk`` format with a
final usage chunk and ``data: [DONE]``, or one JSON answer), ``GET /v1/models`` and ``GET /v1/models/{id}``.
Replies are scripted: a queue (``queue("CEO: hi", Reply(...))``) and/or ``reply_fn(body) -> str | Reply``.
Every request body is recorded in ``requests``. Fault knobs apply to the next requests:

Each knob takes ``at_request=k`` to hit the k-th chat request (from 1) instead of the next one.

- ``fail_next(n, status=429)``: answer ``status`` n times, with ``retry-after: 0`` and ``retry-after-ms``
  (the SDK reads ``retry-after: 0`` as "no hint" and backs off 0.5 s or more; ``retry-after-ms: 1`` keeps
  retries immediate);
- ``malformed_next(kind=...)``: ``"json"`` (a chunk that is not JSON), ``"truncated"`` (the stream ends
  without finish reason or ``[DONE]``), ``"error"`` (an error object in the stream);
- ``stall_next(after_chunks=k)``: the stream stops after k content chunks until ``release()`` or
  ``close()``; ``stalled`` is set once it stalls (to cancel a client mid-stream);
- a model not in ``models`` answers 404 ``model_not_found``; a wrong bearer key answers 401.

Usage: ``async with FakeOpenAIServer(["hello"]) as server: ... server.base_url ...``
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    """One scripted answer. ``chunks`` overrides how ``text`` is split into streamed content chunks."""

    text: str = ""
    chunks: list[str] | None = None
    finish_reason: str = "stop"
    usage: dict[str, int] | None = None


ReplyFn = Callable[[dict[str, Any]], "str | Reply"]


def split_chunks(text: str) -> list[str]:
    """Words with their trailing whitespace, the way token streams look."""
    return re.findall(r"\S+\s*|\s+", text)


def _words(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_words(v.get("text", "") if isinstance(v, dict) else v) for v in value)
    return 0


class FakeOpenAIServer:
    def __init__(
        self,
        replies: Iterable[str | Reply] = (),
        *,
        reply_fn: ReplyFn | None = None,
        api_key: str | None = "test-key",
        models: Iterable[str] | None = ("test-model",),
    ) -> None:
        self.replies: deque[str | Reply] = deque(replies)
        self.reply_fn = reply_fn
        self.api_key = api_key
        self.models = set(models) if models is not None else None
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.stalled = asyncio.Event()
        self._release = asyncio.Event()
        self._faults: deque[tuple[str, Any]] = deque()
        self._faults_at: dict[int, tuple[str, Any]] = {}
        self._count = asyncio.Condition()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def queue(self, *replies: str | Reply) -> None:
        self.replies.extend(replies)

    def _add_fault(self, fault: tuple[str, Any], at_request: int | None) -> None:
        if at_request is None:
            self._faults.append(fault)
        else:
            self._faults_at[at_request] = fault

    def fail_next(
        self, n: int = 1, status: int = 429, *, retry_after_ms: int = 1, at_request: int | None = None
    ) -> None:
        """Answer ``status`` to the next ``n`` requests (or to requests ``at_request`` .. + n - 1)."""
        for i in range(n):
            self._add_fault(("status", (status, retry_after_ms)), None if at_request is None else at_request + i)

    def malformed_next(self, kind: str = "json", *, at_request: int | None = None) -> None:
        if kind not in ("json", "truncated", "error"):
            raise ValueError(f"unknown malformed kind {kind!r}")
        self._add_fault(("malformed", kind), at_request)

    def stall_next(self, after_chunks: int = 1, *, at_request: int | None = None) -> None:
        self._add_fault(("stall", after_chunks), at_request)

    def release(self) -> None:
        self._release.set()

    async def wait_for_requests(self, n: int, timeout: float = 5.0) -> None:
        """Wait until at least ``n`` chat-completion requests arrived."""
        async with self._count:
            await asyncio.wait_for(self._count.wait_for(lambda: len(self.requests) >= n), timeout)

    # ---------------------------------------------------------------------------------------- lifecycle

    async def start(self) -> FakeOpenAIServer:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/v1/models/{model}", self._model)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def close(self) -> None:
        self._release.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeOpenAIServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----------------------------------------------------------------------------------------- handlers

    def _error(self, status: int, message: str, code: str | None = None, **headers: str) -> web.Response:
        kind = {401: "invalid_request_error", 404: "invalid_request_error", 429: "rate_limit_error"}
        body = {"error": {"message": message, "type": kind.get(status, "server_error"), "param": None, "code": code}}
        return web.json_response(body, status=status, headers=headers)

    def _auth_error(self, request: web.Request) -> web.Response | None:
        if self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self._error(401, "Incorrect API key provided.", "invalid_api_key")
        return None

    async def _models(self, request: web.Request) -> web.StreamResponse:
        refused = self._auth_error(request)
        if refused is not None:
            return refused
        names = sorted(self.models or {"test-model"})
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "mojodex"} for m in names]
        return web.json_response({"object": "list", "data": data})

    async def _model(self, request: web.Request) -> web.StreamResponse:
        refused = self._auth_error(request)
        if refused is not None:
            return refused
        name = request.match_info["model"]
        if self.models is not None and name not in self.models:
            return self._error(404, f"The model `{name}` does not exist.", "model_not_found")
        return web.json_response({"id": name, "object": "model", "created": 0, "owned_by": "mojodex"})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "The request body is not JSON.")
        async with self._count:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            self._count.notify_all()
        refused = self._auth_error(request)
        if refused is not None:
            return refused
        model = body.get("model")
        if self.models is not None and model not in self.models:
            return self._error(
                404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found"
            )
        fault = self._faults_at.pop(len(self.requests), None)
        if fault is None and self._faults:
            fault = self._faults.popleft()
        if fault and fault[0] == "status":
            status, ms = fault[1]
            return self._error(
                status, f"Scripted failure {status}.", None, **{"retry-after": "0", "retry-after-ms": str(ms)}
            )
        if self.replies:
            reply: str | Reply = self.replies.popleft()
        elif self.reply_fn is not None:
            reply = self.reply_fn(body)
        else:
            return self._error(400, "FakeOpenAIServer: no scripted reply left for this request.")
        if isinstance(reply, str):
            reply = Reply(reply)
        if not body.get("stream"):
            return web.json_response(self._completion(body, reply))
        return await self._stream(request, body, reply, fault)

    def _usage(self, body: dict[str, Any], reply: Reply) -> dict[str, int]:
        if reply.usage is not None:
            return reply.usage
        prompt = sum(_words(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))
        completion = _words(reply.text)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": self._usage(body, reply),
        }

    async def _stream(
        self, request: web.Request, body: dict[str, Any], reply: Reply, fault: tuple[str, Any] | None
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        cid, created, model = f"chatcmpl-{next(self._ids)}", int(time.time()), body.get("model")

        def chunk(delta: dict[str, Any] | None, finish: str | None = None, usage: Any = None) -> bytes:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
            data: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
            }
            if usage is not None:
                data["usage"] = usage
            return f"data: {json.dumps(data)}\n\n".encode()

        kind = fault[1] if fault and fault[0] == "malformed" else None
        stall_after = fault[1] if fault and fault[0] == "stall" else None
        try:
            await resp.write(chunk({"role": "assistant", "content": ""}))
            for i, piece in enumerate(reply.chunks if reply.chunks is not None else split_chunks(reply.text)):
                if stall_after is not None and i == stall_after:
                    self.stalled.set()
                    await self._release.wait()
                    return resp
                if kind == "json" and i == 1:
                    await resp.write(b'data: {"id": "broken", "choices": [{"delta": {"content": "oo\n\n')
                    await resp.write(b"data: [DONE]\n\n")
                    return resp
                if kind == "error" and i == 1:
                    await resp.write(b'data: {"error": {"message": "The server had an error mid-stream."}}\n\n')
                    return resp
                await resp.write(chunk({"content": piece}))
            if kind == "truncated":
                return resp
            await resp.write(chunk({}, reply.finish_reason))
            if (body.get("stream_options") or {}).get("include_usage"):
                await resp.write(chunk(None, usage=self._usage(body, reply)))
            await resp.write(b"data: [DONE]\n\n")
            await resp.write_eof()
        except (ConnectionError, RuntimeError):  # the client went away
            pass
        return resp
