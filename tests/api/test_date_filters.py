"""Date filters (`since`, `until`) take a plain date as well as a time with its offset: a date
is the moment its day begins, 00:00 UTC."""

from __future__ import annotations

import datetime as dt
import json

import httpx
from fastapi import FastAPI

from storage.crypto import Keyring
from storage.db import Database
from tests.api.conftest import World, _add_response, bearer
from tests.support.clock import Clock


async def _ids(http: httpx.AsyncClient, world: World, query: str) -> list[int]:
    response = await http.get(f"/api/v1/responses{query}", headers=bearer(world, "co_a"))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_plain_date_filters_from_the_start_of_its_day(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    with database.transaction() as session:
        for back in range(7):
            _add_response(
                session,
                keyring,
                unit_id=world.unit_a,
                client_id=world.client_a,
                when=clock() - dt.timedelta(days=10 + back),
                note=None,
            )
    day = (clock() - dt.timedelta(days=12)).date()
    start = f"{day.isoformat()}T00:00:00Z"
    by_date = await _ids(http, world, f"?since={day.isoformat()}")
    assert by_date == await _ids(http, world, f"?since={start}")
    assert len(by_date) == 4  # three of the seven, and the world's own response
    until_date = await _ids(http, world, f"?until={day.isoformat()}")
    assert until_date == await _ids(http, world, f"?until={start}")
    assert len(until_date) == 4
    both = await _ids(
        http, world, f"?since={day.isoformat()}&until={(day + dt.timedelta(days=1)).isoformat()}"
    )
    assert len(both) == 1


async def test_every_date_filter_takes_a_date_and_refuses_an_impossible_one(
    http: httpx.AsyncClient, world: World, staff_app: FastAPI
) -> None:
    paths = [
        path
        for path, operations in staff_app.openapi()["paths"].items()
        if "{" not in path
        and any(p["name"] == "since" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert "/api/v1/responses" in paths
    assert "/api/v1/audit" in paths
    since = next(
        p
        for p in staff_app.openapi()["paths"]["/api/v1/responses"]["get"]["parameters"]
        if p["name"] == "since"
    )
    assert '"format": "date"' in json.dumps(since["schema"])  # the description says so
    for path in paths:
        url = path
        good = await http.get(
            f"{url}?since=2026-11-01&until=2026-12-01", headers=bearer(world, "admin")
        )
        assert good.status_code == 200, (path, good.text)
        bad = await http.get(f"{url}?since=2026-02-30", headers=bearer(world, "admin"))
        assert bad.status_code == 422, path
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "since" in bad.json()["detail"]
