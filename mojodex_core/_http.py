"""The HTTP client of the Mojodex server: the conventions of protocol.md, one clean error per failure.

It knows nothing of logins: a token provider gives the token to send, and a 403 calls ``refused`` (which may
log the user in again) before the request is sent once more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mojodex_core._decode import loads
from mojodex_core._errors import (
    AuthError,
    ConfigError,
    MojodexError,
    NetworkError,
    NotFoundError,
    ServerError,
)
from mojodex_core._text import one_line

if TYPE_CHECKING:
    import ssl

GENERIC = {400: "bad request", 401: "not authorised", 402: "payment required", 403: "not allowed",
           404: "not found", 405: "method not allowed", 500: "internal server error"}


def error_text(body: bytes, status: int) -> str:
    """The server's ``{"error": ...}`` text, or a generic sentence when the body is missing, HTML or cut."""
    try:
        data = loads(body)
    except MojodexError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"].strip():
        return one_line(data["error"], 200)
    return GENERIC.get(status, "error")


def is_html(body: bytes, content_type: str) -> bool:
    return "html" in content_type.lower() or body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))


def ca_context(ca_bundle: str) -> ssl.SSLContext | None:
    """The TLS context that trusts the certificates of ``ca_bundle`` (``server.ca_bundle``: a PEM file, ``~``
    allowed) as well as the system's, for HTTP and the event connection alike; None when it is empty (the system's
    certificates only). TLS stays verified either way. A file that cannot be read is a ``ConfigError``."""
    if not ca_bundle:
        return None
    import ssl

    path = Path(ca_bundle).expanduser()
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"server.ca_bundle: cannot read {path}: {exc}") from None


class HttpClient:
    """Calls one server. Adds ``datetime``/``platform`` and the auth header; maps failures to MojodexErrors.

    ``request`` returns the decoded JSON body (``{}`` for an empty one). Bodies are JSON, or a form when
    ``form``/``files`` are given (the three 0.4 routes that take one).
    """

    def __init__(self, base_url: str, *, token: Callable[[], Awaitable[str]], refused: Callable[[], Awaitable[None]],
                 timeout: float = 30.0, platform: str = "webapp", verify: Any = True) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.platform = platform
        self.verify = verify
        self._token = token
        self._refused = refused
        self._client: Any = None

    def _http(self) -> Any:
        if self._client is None:
            from urllib.parse import urlsplit

            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                shown = one_line(self.base_url, 80)
                raise MojodexError(f"server.url must be an http:// or https:// URL, not {shown!r}")
            import httpx

            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                transport=httpx.AsyncHTTPTransport(retries=1, verify=self.verify),
                follow_redirects=True,
                headers={"User-Agent": "mojodex-shell"},
            )
        return self._client

    def common(self, platform: bool = True) -> dict[str, Any]:
        """The fields every request carries: ``datetime`` and (but for the login) ``platform``."""
        fields: dict[str, Any] = {"datetime": "now"}
        if platform:
            fields["platform"] = self.platform
        return fields

    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      json: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
                      files: Any = None, auth: bool = True, platform: bool = True,
                      what: str = "an answer", timeout: float | None = None) -> Any:
        """``timeout``: seconds for this request instead of ``self.timeout`` (a route that fetches a website)."""
        method = method.upper()
        headers: dict[str, str] = {}
        for attempt in (1, 2):
            if auth:
                headers["Authorization"] = await self._token()
            try:
                body = await self._send(method, path, params, json, form, files, headers, platform, timeout)
            except AuthError:
                if attempt == 2 or not auth:
                    raise
                await self._refused()
                continue
            if not body.strip():
                return {}
            return loads(body, what)
        raise AssertionError("unreachable")

    async def _send(self, method: str, path: str, params: dict[str, Any] | None, json: dict[str, Any] | None,
                    form: dict[str, Any] | None, files: Any, headers: dict[str, str],
                    platform: bool, timeout: float | None = None) -> bytes:
        import httpx

        query = dict(params or {})
        kwargs: dict[str, Any] = {}
        if method in ("GET", "DELETE"):
            query = {**self.common(platform), **query}
        elif form is not None or files is not None:
            kwargs["data"] = {k: _form_value(v) for k, v in {**self.common(platform), **(form or {})}.items()}
            if files:
                kwargs["files"] = files
        else:
            kwargs["json"] = {**self.common(platform), **(json or {})}
        if timeout is not None:
            kwargs["timeout"] = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        try:
            resp = await self._http().request(method, path, params=query or None, headers=headers, **kwargs)
            content = await resp.aread()
        except httpx.TimeoutException:
            if timeout is not None:
                raise NetworkError(f"the Mojodex server at {self.base_url} did not answer within {timeout:g} s"
                                   ) from None
            raise NetworkError(f"the Mojodex server at {self.base_url} did not answer in time") from None
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc):
                raise NetworkError(f"the TLS certificate of {self.base_url} could not be verified "
                                   "(set server.ca_bundle to your CA's certificates)") from None
            raise NetworkError(f"cannot reach the Mojodex server at {self.base_url}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            raise NetworkError(f"cannot reach the Mojodex server at {self.base_url}") from None
        except httpx.HTTPError as exc:
            raise NetworkError(f"talking to {self.base_url} failed: {type(exc).__name__}") from None
        except httpx.InvalidURL:
            raise MojodexError(f"server.url is not a valid URL: {self.base_url}") from None
        status = resp.status_code
        if status >= 400:
            text = error_text(content, status)
            if status == 403:
                raise AuthError(text, status)
            if status == 404:
                raise NotFoundError(text, status, route_missing=is_html(content, resp.headers.get("content-type", "")))
            raise ServerError(f"the server answered {status}: {text}", status, text=text,
                              route_missing=status == 405)
        return bytes(content)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    def close_later(self) -> None:
        if self._client is not None:
            try:
                asyncio.get_running_loop().create_task(self.aclose())
            except RuntimeError:
                self._client = None


def _form_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) or value is None:
        import json

        return json.dumps(value)
    import json

    return json.dumps(value, ensure_ascii=False)
