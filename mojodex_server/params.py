"""Reading a request (JSON body, form, query) and writing a JSON answer, for every route module."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError, missing
from .task_store import FormFile
from .testing import RECORD_KEY

if TYPE_CHECKING:
    from .store import Store

PAGE_MAX = 50


def authorized(request: web.Request, store: Store) -> int:
    """The user pk of the request's ``Authorization`` token (the raw token); 403 otherwise."""
    token = request.headers.get("Authorization", "").strip()
    found = store.token_user(token) if token else None
    if found is None:
        raise ApiError(403, "Invalid token.")
    user_pk, expired = found
    if expired:
        raise ApiError(403, "Token expired.")
    return user_pk


def boolean(value: Any, name: str) -> bool:
    """A JSON boolean (or, from a form, "true"/"false")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ApiError(400, f"Bad parameter : '{name}' must be a boolean")


def json_body(request: web.Request) -> dict[str, Any]:
    record = request[RECORD_KEY]
    if not record.body.strip():
        return {}
    try:
        data = json.loads(record.body)
    except ValueError:
        raise ApiError(400, "Invalid JSON body.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The JSON body must be an object.")
    return data


def is_json(request: web.Request) -> bool:
    return request.content_type == "application/json" and request[RECORD_KEY].form is None


def form(request: web.Request, message: str = "Request must be a form") -> dict[str, str]:
    """The fields of a form body; a JSON (or empty) body answers 400 as on the 0.4 backend."""
    fields = request[RECORD_KEY].form
    if fields is None:
        raise ApiError(400, message)
    return fields


def files(request: web.Request) -> dict[str, FormFile]:
    return request[RECORD_KEY].files


def require(params: dict[str, Any] | Any, *names: str) -> None:
    """``Missing parameter : 'name'`` (the wording of the workflow routes) for a missing or empty field."""
    for name in names:
        if name not in params or params[name] is None or params[name] == "":
            raise missing(name)


def require_field(params: dict[str, Any] | Any, *names: str) -> None:
    """``Missing field 'name'`` (the wording of the task routes) for an absent field."""
    for name in names:
        if name not in params:
            raise ApiError(400, f"Missing field '{name}'")


def as_int(value: Any, name: str) -> int:
    """An int, or a string of one, within a 64-bit integer's range (as the backend's database takes it)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii():
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None or not -(2**63) < number < 2**63:
        raise ApiError(400, f"Bad parameter : '{name}' must be an integer")
    return number


def page(query: Any, size_name: str) -> tuple[int, int]:
    """(limit, offset) of a paged GET: at most 50 a page, 50 by default."""
    limit = min(as_int(query.get(size_name, PAGE_MAX), size_name), PAGE_MAX)
    offset = as_int(query.get("offset", 0), "offset")
    if limit < 1 or offset < 0:
        raise ApiError(400, f"{size_name} must be positive and offset must not be negative.")
    return limit, offset


def dumps(data: Any) -> str:
    """Readable UTF-8 JSON; a lone surrogate (not encodable) makes it fall back to ``\\udcff`` escapes."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data)
    return text


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps)
