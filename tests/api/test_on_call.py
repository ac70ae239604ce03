"""A unit's on-call address for alerts: set by its coordinators and admins, nobody else."""

from __future__ import annotations

import httpx

from tests.api.conftest import World, bearer


async def test_a_coordinator_sets_and_removes_the_on_call_address(
    http: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/units/{world.unit_a}"
    address = {"on_call_email": "paivystys@a.example"}
    refused = await http.patch(url, json=address, headers=bearer(world, "cw_a"))
    assert refused.status_code == 403
    elsewhere = await http.patch(
        f"/api/v1/units/{world.unit_b}", json=address, headers=bearer(world, "co_a")
    )
    assert elsewhere.status_code == 404
    changed = await http.patch(url, json=address, headers=bearer(world, "co_a"))
    assert changed.status_code == 200
    assert changed.json()["on_call_email"] == "paivystys@a.example"
    read = await http.get(url, headers=bearer(world, "cw_a"))
    assert read.json()["on_call_email"] == "paivystys@a.example"
    renamed = await http.patch(url, json={"name": "Uusi nimi"}, headers=bearer(world, "co_a"))
    assert renamed.json()["on_call_email"] == "paivystys@a.example"
    removed = await http.patch(url, json={"on_call_email": None}, headers=bearer(world, "co_a"))
    assert removed.json()["on_call_email"] is None
    assert removed.json()["name"] == "Uusi nimi"


async def test_a_malformed_address_is_a_problem_and_changes_nothing(
    http: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/units/{world.unit_a}"
    for bad in ("nobody", "a@b", "two@@example.org", "x@y.example\r\nBcc: z@example.org"):
        answer = await http.patch(
            url, json={"on_call_email": bad, "name": "Muuttunut"}, headers=bearer(world, "co_a")
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
    read = await http.get(url, headers=bearer(world, "co_a"))
    assert read.json()["on_call_email"] is None
    assert read.json()["name"] != "Muuttunut"
