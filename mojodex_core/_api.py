"""The HTTP client of the Mojodex server: conventions of protocol.md, one clean error per failure."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from mojodex_core._errors import (
    AuthError,
    BadResponseError,
    MojodexError,
    NetworkError,
    NotFoundError,
    ServerError,
)
from mojodex_core._text import one_line

if TYPE_CHECKING:
    from mojodex_core._context import Context


def error_text(body: bytes, status: int) -> str:
    """The server's ``{"error": ...}`` text, or a generic sentence when the body is missing, HTML or cut."""
    import json

    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"].strip():
        return one_line(data["error"], 200)
    return {400: "bad request", 403: "not allowed", 404: "not found", 500: "internal server error"}.get(
        status, "error"
    )


def decode_json(body: bytes, what: str) -> Any:
    import json

    try:
        return json.loads(body)
    except ValueError:
        raise BadResponseError(f"the server sent {what} that is not valid JSON") from None


class ApiClient:
    """Calls the server at ``ctx.server_url``. Adds ``datetime``/``platform``, the auth header, and maps failures.

    ``request`` returns the decoded JSON body. A 403 drops the token; on a terminal the user is asked to log
    in again and the request is sent once more.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.base_url = ctx.server_url
        self._client: Any = None

    def _http(self) -> Any:
        if self._client is None:
            from urllib.parse import urlsplit

            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                shown = one_line(self.base_url, 80)
                raise MojodexError(f"server.url must be an http:// or https:// URL, not {shown!r}")
            import httpx

            timeout = float(self.ctx.config.get("server.timeout", 30.0))
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                transport=httpx.AsyncHTTPTransport(retries=1),
                follow_redirects=True,
                headers={"User-Agent": "mojodex-shell"},
            )
        return self._client

    def common(self, platform: bool = True) -> dict[str, Any]:
        """The fields every request carries: ``datetime`` and (but for the login) ``platform``."""
        fields: dict[str, Any] = {"datetime": "now"}
        if platform:
            fields["platform"] = str(self.ctx.config.get("server.platform", "webapp"))
        return fields

    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      json: dict[str, Any] | None = None, auth: bool = True, what: str = "a response",
                      platform: bool = True) -> Any:
        method = method.upper()
        headers: dict[str, str] = {}
        for attempt in (1, 2):
            if auth:
                user = await self.ctx.require_user()
                headers["Authorization"] = user.token
            try:
                _, body = await self._send(method, path, params, json, headers, platform)
            except AuthError:
                if attempt == 2 or not auth:
                    raise
                await self._reauthenticate()
                continue
            if not body.strip():
                return {}
            return decode_json(body, what)
        raise AssertionError("unreachable")

    async def _reauthenticate(self) -> None:
        ctx = self.ctx
        source = ctx.token_source
        await ctx.drop_token()
        if not ctx.interactive or source == "env":
            how = "set a valid MOJODEX_TOKEN" if source == "env" else "run `mojodex login`"
            raise AuthError(f"the server refused the login token (expired or invalid): {how}", 403)
        ctx.print("Your login has expired or is no longer valid; please log in again.")
        if await ctx.login() is None:
            raise AuthError("not logged in", 403)

    async def _send(self, method: str, path: str, params: dict[str, Any] | None,
                    json: dict[str, Any] | None, headers: dict[str, str], platform: bool) -> tuple[int, bytes]:
        import httpx

        query = dict(params or {})
        body = None
        if method == "GET":
            query = {**self.common(platform), **query}
        else:
            body = {**self.common(platform), **(json or {})}
        try:
            resp = await self._http().request(method, path, params=query or None, json=body, headers=headers)
            content = await resp.aread()
        except httpx.TimeoutException:
            raise NetworkError(f"the Mojodex server at {self.base_url} did not answer in time") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
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
                raise NotFoundError(text, status)
            raise ServerError(f"the server answered {status}: {text}", status)
        return status, content

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
