"""Login, accounts, tokens and request validation of the reference server."""

from __future__ import annotations

import httpx
import pytest
import socketio
from server_helpers import DEMO, LIST_PARAMS, NOW, SocketProbe

from mojodex_server import ReferenceServer

LOGIN = {"email": DEMO, "password": "demo", "login_method": "email_password", "datetime": "now"}


async def test_login_ok(client: httpx.AsyncClient, server: ReferenceServer) -> None:
    r = await client.post("/user", json=LOGIN)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "language_code", "name", "terms_and_conditions_agreed", "company_fk"}
    assert body["name"] == "Demo User" and body["language_code"] == "en"
    assert body["terms_and_conditions_agreed"] is True and body["company_fk"] is None
    listed = await client.get("/user_workflow", params=LIST_PARAMS, headers={"Authorization": body["token"]})
    assert listed.status_code == 200
    assert server.requests[0].json == LOGIN and server.requests[0].status == 200
    recorded = server.requests[1]
    assert (recorded.method, recorded.path, recorded.query) == ("GET", "/user_workflow", LIST_PARAMS)
    assert recorded.json is None and recorded.headers["Authorization"] == body["token"]


@pytest.mark.parametrize("change", [{"password": "nope"}, {"email": "who@example.com"}, {"password": 3}])
async def test_login_wrong(client: httpx.AsyncClient, change: dict[str, object]) -> None:
    r = await client.post("/user", json={**LOGIN, **change})
    assert r.status_code == 400
    assert r.json() == {"error": "Wrong email or password."}


async def test_login_missing_datetime(client: httpx.AsyncClient) -> None:
    body = {k: v for k, v in LOGIN.items() if k != "datetime"}
    r = await client.post("/user", json=body)
    assert r.status_code == 400
    assert r.json() == {"error": "Missing parameter : 'datetime'"}


async def test_signup_then_login(client: httpx.AsyncClient, server: ReferenceServer) -> None:
    account = {"datetime": "now", "email": "ann@example.com", "name": "Ann", "password": "pw"}
    r = await client.put("/user", json=account)
    assert r.status_code == 200 and r.json()["name"] == "Ann"
    again = await client.put("/user", json=account)
    assert again.status_code == 400 and "error" in again.json()
    login = await client.post("/user", json={**LOGIN, "email": "ann@example.com", "password": "pw"})
    assert login.status_code == 200
    server.add_user("bob@example.com", "pw2", "Bob")
    bob = await client.post("/user", json={**LOGIN, "email": "bob@example.com", "password": "pw2"})
    assert bob.is_success


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "nope"}, "bearer"])
async def test_invalid_token(client: httpx.AsyncClient, token: str, headers: object) -> None:
    sent = {"Authorization": f"Bearer {token}"} if headers == "bearer" else headers
    r = await client.get("/user_workflow", params=LIST_PARAMS, headers=sent)  # type: ignore[arg-type]
    assert r.status_code == 403
    assert r.json() == {"error": "Invalid token."}


async def test_expired_token(client: httpx.AsyncClient, server: ReferenceServer, token: str) -> None:
    server.expire_tokens()
    r = await client.get("/user_workflow", params=LIST_PARAMS, headers={"Authorization": token})
    assert r.status_code == 403
    assert r.json() == {"error": "Token expired."}
    probe = SocketProbe(server.url, token)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await probe.connect()
    assert server.connections[-1][0] == "refused"
    fresh = server.token_for(DEMO)
    ok = await client.get("/user_workflow", params=LIST_PARAMS, headers={"Authorization": fresh})
    assert ok.status_code == 200


@pytest.mark.parametrize("auth", [None, "nope"])
async def test_socket_refuses_bad_token(server: ReferenceServer, auth: str | None) -> None:
    probe = SocketProbe(server.url, auth)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await probe.connect()


@pytest.mark.parametrize("missing", ["datetime", "platform", "version"])
async def test_list_missing_parameter(client: httpx.AsyncClient, token: str, missing: str) -> None:
    params = {k: v for k, v in LIST_PARAMS.items() if k != missing}
    r = await client.get("/user_workflow", params=params, headers={"Authorization": token})
    assert r.status_code == 400
    assert r.json() == {"error": f"Missing parameter : '{missing}'"}


async def test_post_missing_platform(client: httpx.AsyncClient, token: str) -> None:
    r = await client.post("/user_workflow_execution", headers={"Authorization": token},
                          json={"datetime": "now", "user_workflow_pk": 101})
    assert r.status_code == 400
    assert r.json() == {"error": "Missing parameter : 'platform'"}


CREATE_WITH = b'{"datetime": "now", "platform": "w", "user_workflow_pk": %s}'


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/user", b"{not json"),
        ("POST", "/user", b"[1, 2]"),
        ("PUT", "/user", b"\xff\xfe"),
        ("POST", "/user_workflow_execution", b"{not json"),
        ("POST", "/user_workflow_execution", CREATE_WITH % b'"x"'),
        ("POST", "/user_workflow_execution", CREATE_WITH % b'true'),
        ("POST", "/user_workflow_execution", CREATE_WITH % b'[1]'),
        ("PUT", "/user_workflow_execution", b'{"datetime": "now", "platform": "w"}'),
        ("PUT", "/user_workflow_execution",
         b'{"datetime": "now", "platform": "w", "user_workflow_execution_pk": {}, "json_inputs": []}'),
        ("POST", "/user_workflow_step_execution",
         b'{"datetime": "now", "platform": "w", "user_workflow_step_execution_pk": 1, "validated": "yes"}'),
    ],
)
async def test_malformed_requests_get_400(
    client: httpx.AsyncClient, token: str, method: str, path: str, content: bytes
) -> None:
    r = await client.request(method, path, content=content, headers={"Authorization": token})
    assert r.status_code == 400
    assert isinstance(r.json()["error"], str)


async def test_bad_query_values(client: httpx.AsyncClient, token: str) -> None:
    headers = {"Authorization": token}
    for params in ({**LIST_PARAMS, "offset": "x"}, {**LIST_PARAMS, "n_user_workflows": "0"},
                   {**NOW, "user_workflow_execution_pk": "abc"}):
        path = "/user_workflow_execution" if "user_workflow_execution_pk" in params else "/user_workflow"
        r = await client.get(path, params=params, headers=headers)
        assert r.status_code == 400, params
        assert "error" in r.json()


async def test_unknown_route_and_method_are_flask_html(client: httpx.AsyncClient, token: str) -> None:
    r = await client.get("/nowhere")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<title>404 Not Found</title>" in r.text
    r = await client.delete("/user_workflow", headers={"Authorization": token})
    assert r.status_code == 405 and "<title>405 Method Not Allowed</title>" in r.text
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
