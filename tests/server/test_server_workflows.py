"""Listing workflows: shape, primary keys, paging."""

from __future__ import annotations

import httpx
from server_helpers import DEMO, LIST_PARAMS, NOW, create

from mojodex_server import ReferenceServer


async def test_listing_shape_with_first_pk(client: httpx.AsyncClient, token: str) -> None:
    r = await client.get("/user_workflow", params=LIST_PARAMS, headers={"Authorization": token})
    assert r.status_code == 200
    assert r.json() == {"user_workflows": [{
        "user_workflow_pk": 101, "workflow_pk": 101, "name": "Write poem", "icon": "🌸",
        "description": "Write a poem stanza by stanza",
        "inputs_spec": [{"input_name": "poem_topic"}, {"input_name": "n_stanzas"}],
        "steps": [{"workflow_step_pk": 101, "step_name": "stanza_divider"},
                  {"workflow_step_pk": 102, "step_name": "stanza_writer"}],
    }]}


async def test_default_first_pk_is_one() -> None:
    async with ReferenceServer() as srv, httpx.AsyncClient(base_url=srv.url) as http:
        headers = {"Authorization": srv.token_for(DEMO)}
        r = await http.get("/user_workflow", params=LIST_PARAMS, headers=headers)
        assert r.json()["user_workflows"][0]["user_workflow_pk"] == 1


async def test_paging_sixty_workflows(client: httpx.AsyncClient, server: ReferenceServer, token: str) -> None:
    added = [server.add_workflow(f"Flow {i}", "🔧", f"Number {i}", inputs=["x"], steps=["only"])
             for i in range(59)]
    headers = {"Authorization": token}
    first = (await client.get("/user_workflow", params=LIST_PARAMS, headers=headers)).json()["user_workflows"]
    assert len(first) == 50
    params: dict[str, str | int] = {**LIST_PARAMS, "n_user_workflows": 500}
    capped = await client.get("/user_workflow", params=params, headers=headers)
    assert len(capped.json()["user_workflows"]) == 50
    second = await client.get("/user_workflow", params={**LIST_PARAMS, "offset": 50}, headers=headers)
    rest = second.json()["user_workflows"]
    assert len(rest) == 10
    pks = [w["user_workflow_pk"] for w in first + rest]
    assert pks == [101, *added]
    small = await client.get("/user_workflow", params={**LIST_PARAMS, "n_user_workflows": 7, "offset": 55},
                             headers=headers)
    assert [w["user_workflow_pk"] for w in small.json()["user_workflows"]] == pks[55:60]


async def test_workflows_are_per_user(client: httpx.AsyncClient, server: ReferenceServer) -> None:
    server.add_user("ann@example.com", "pw", "Ann")
    pk = server.add_workflow("Ann's", "📝", "Hers", user_email="ann@example.com")
    ann = server.token_for("ann@example.com")
    r = await client.get("/user_workflow", params=LIST_PARAMS, headers={"Authorization": ann})
    assert [w["user_workflow_pk"] for w in r.json()["user_workflows"]] == [pk]
    demo = server.token_for(DEMO)
    foreign = await client.post("/user_workflow_execution", headers={"Authorization": demo},
                                json={**NOW, "user_workflow_pk": pk})
    assert foreign.status_code == 404 and "error" in foreign.json()
    unknown = await client.post("/user_workflow_execution", headers={"Authorization": demo},
                                json={**NOW, "user_workflow_pk": 99999})
    assert unknown.status_code == 404
    execution = await create(client, ann, pk)
    params = {**NOW, "user_workflow_execution_pk": execution["user_workflow_execution_pk"]}
    other = await client.get("/user_workflow_execution", headers={"Authorization": demo}, params=params)
    assert other.status_code == 404


async def test_inputs_spec_extra_keys(client: httpx.AsyncClient, server: ReferenceServer, token: str) -> None:
    pk = server.add_workflow("Typed", "🔢", "Typed inputs",
                             inputs=[{"input_name": "n", "type": "integer", "default_value": 2}], steps=["s"])
    execution = await create(client, token, pk)
    assert execution["inputs"] == [{"input_name": "n", "type": "integer", "default_value": 2, "value": None}]
