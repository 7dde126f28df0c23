"""aiohttp middleware: record every API request (JSON or form), apply fault knobs, answer failures as the
Flask backends do: JSON ``{"error": ...}`` from handlers, Flask's HTML pages for unknown routes and methods."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .task_store import FormFile
from .testing import RECORD_KEY, Headers, RecordedRequest

if TYPE_CHECKING:
    from .server import ReferenceServer

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SOCKETIO_PREFIX = "/socket.io"
GARBAGE_BODY = "<html>oops</html>"
TRUNCATED_BODY = '{"truncated": tr'
FLASK_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again.</p>\n"
)
FLASK_405 = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
    "<p>The method is not allowed for the requested URL.</p>\n"
)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def error_response(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def flask_page(status: int, allowed: set[str] | None = None) -> web.Response:
    response = web.Response(status=status, text=FLASK_405 if status == 405 else FLASK_404,
                            content_type="text/html", charset="utf-8")
    if allowed is not None:
        methods = set(allowed) | {"OPTIONS"} | ({"HEAD"} if "GET" in allowed else set())
        response.headers["Allow"] = ", ".join(sorted(methods))
    return response


async def _read(request: web.Request) -> tuple[str, Any, dict[str, str] | None, dict[str, FormFile]]:
    """(body text, parsed JSON, form fields, form files) of a request."""
    if request.content_type in FORM_TYPES:
        fields: dict[str, str] = {}
        uploads: dict[str, FormFile] = {}
        try:
            posted = await request.post()
        except Exception:  # a malformed form: the handler sees no fields
            return "", None, {}, {}
        for name, value in posted.items():
            if isinstance(value, web.FileField):
                uploads[name] = FormFile(value.filename, value.content_type, value.file.read())
            else:
                fields[name] = str(value)
        body = "" if request.content_type == "multipart/form-data" else await request.text()
        return body, None, fields, uploads
    try:
        body = await request.text()
    except Exception:  # undecodable or oversized body
        body = ""
    try:
        parsed: Any = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return body, parsed, None, {}


def make_middleware(server: ReferenceServer) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(SOCKETIO_PREFIX):
            return await handler(request)
        body, parsed, fields, uploads = await _read(request)
        record = RecordedRequest(request.method, request.path, dict(request.query), parsed,
                                 Headers(request.headers), body, form=fields, files=uploads)
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
    if rule.kind == "deep":
        return web.Response(status=200, text="[" * rule.depth + "]" * rule.depth, content_type="application/json")
    return error_response(rule.status, "Internal error")


async def _call(handler: Handler, request: web.Request) -> web.StreamResponse:
    routing_error = request.match_info.http_exception
    if isinstance(routing_error, web.HTTPMethodNotAllowed):
        return flask_page(405, set(routing_error.allowed_methods))
    if routing_error is not None and routing_error.status == 404:
        return flask_page(404)
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
