"""What each caller sees in lists (P5): their units, their clients, their colleagues."""

from __future__ import annotations

import httpx

from tests.api.conftest import World, bearer


async def _get(http: httpx.AsyncClient, world: World, actor: str, path: str) -> object:
    response = await http.get(f"/api/v1{path}", headers=bearer(world, actor))
    assert response.status_code == 200, response.text
    return response.json()


async def test_lists_hold_only_what_the_caller_may_see(
    http: httpx.AsyncClient, world: World
) -> None:
    def ids(body: object, key: str = "id") -> list[object]:
        items = body["items"] if isinstance(body, dict) else body
        assert isinstance(items, list)
        return [item[key] for item in items]

    assert ids(await _get(http, world, "cw_a", "/units")) == [world.unit_a]
    assert ids(await _get(http, world, "admin", "/units")) == [world.unit_a, world.unit_b]
    assert ids(await _get(http, world, "cw_a", "/clients")) == [world.client_a]
    assert ids(await _get(http, world, "cw_a2", "/clients")) == []
    assert ids(await _get(http, world, "co_a", "/clients")) == [world.client_a]
    assert ids(await _get(http, world, "co_a", f"/clients?unit_id={world.unit_b}")) == []
    assert ids(await _get(http, world, "admin", "/clients")) == [world.client_a, world.client_b]
    colleagues = await _get(http, world, "co_b", "/staff")
    assert sorted(str(name) for name in ids(colleagues, "name")) == ["co_b", "cw_b"]
    me = await _get(http, world, "cw_a", "/me")
    assert me == {
        "id": world.staff_ids["cw_a"],
        "name": "cw_a",
        "role": "caseworker",
        "unit_ids": [world.unit_a],
    }


async def test_a_coordinator_assigns_a_caseworker_who_then_sees_the_client(
    http: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/clients/{world.client_a}"
    assert (await http.get(url, headers=bearer(world, "cw_a2"))).status_code == 404
    changed = await http.patch(
        url, json={"caseworker_id": world.staff_ids["cw_a2"]}, headers=bearer(world, "co_a")
    )
    assert changed.status_code == 200
    assert (await http.get(url, headers=bearer(world, "cw_a2"))).status_code == 200
    assert (await http.get(url, headers=bearer(world, "cw_a"))).status_code == 404
    elsewhere = await http.patch(
        url, json={"caseworker_id": world.staff_ids["cw_b"]}, headers=bearer(world, "co_a")
    )
    assert elsewhere.status_code == 409
