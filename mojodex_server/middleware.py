"""aiohttp middleware: record every API request, apply fault knobs, turn every failure into JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .records import RECORD_KEY, Headers, RecordedRequest

if TYPE_CHECKING:
    from .server import ReferenceServer

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SOCKETIO_PREFIX = "/socket.io"
GARBAGE_BODY = "<html>oops</html>"
TRUNCATED_BODY = '{"truncated": tr'


def error_response(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def make_middleware(server: ReferenceServer) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(SOCKETIO_PREFIX):
            return await handler(request)
        try:
            body = await request.text()
        except Exception:  # undecodable or oversized body
            body = ""
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = None
        record = RecordedRequest(request.method, request.path, dict(request.query), parsed,
                                 Headers(request.headers), body)
        request[RECORD_KEY] = record
        server.recorder.requests.append(record)
        server.recorder.changed()
        faulted = _fault_response(server, record)
        response = faulted if faulted is not None else await _call(handler, request)
        record.status = response.status
        server.recorder.changed()
        return response

    return middleware


def _fault_response(server: ReferenceServer, record: RecordedRequest) -> web.Response | None:
    rule = server.faults.take(record.path)
    if rule is None:
        return None
    record.fault = rule.kind
    if rule.kind == "garbage":
        return web.Response(status=200, text=GARBAGE_BODY, content_type="text/html")
    if rule.kind == "truncate":
        return web.Response(status=200, text=TRUNCATED_BODY, content_type="application/json")
    return error_response(rule.status, "Internal error")


async def _call(handler: Handler, request: web.Request) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason)
    except Exception:
        log.exception("reference server: unexpected error on %s %s", request.method, request.path)
        return error_response(500, "Internal error")
