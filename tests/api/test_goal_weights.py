"""A goal's weight is from 0.1 to 100 (a clear 422 says so), and a client's timeline answers
whatever weight a goal holds (one stored before the range was checked too)."""

from __future__ import annotations

import datetime as dt
import math

import httpx
import pytest

from storage.db import Database
from storage.repositories import clients
from tests.api.conftest import World, bearer
from tests.api.test_timeline import _checkin
from tests.support.clock import Clock

RANGE = "a goal's weight is from 0.1 to 100"


@pytest.mark.parametrize("weight", [5e-324, 0, -1, 0.09, 100.5, 1e308, "NaN", "Infinity"])
async def test_a_weight_out_of_range_is_a_clear_422(
    http: httpx.AsyncClient, world: World, weight: float | str
) -> None:
    url = f"/api/v1/clients/{world.client_a}/goals"
    headers = {**bearer(world, "co_a"), "content-type": "application/json"}
    body = f'{{"title": "Sleep", "weight": {weight}}}'  # NaN and Infinity as a JSON parser reads
    created = await http.post(url, content=body, headers=headers)
    assert created.status_code == 422, created.text
    assert created.headers["content-type"].startswith("application/problem+json")
    assert "weight" in created.json()["detail"]
    if weight not in ("NaN", "Infinity"):
        assert RANGE in created.json()["detail"]
    patched = await http.patch(
        f"{url}/{world.goal_a}", content=f'{{"weight": {weight}}}', headers=headers
    )
    assert patched.status_code == 422, patched.text
    assert "weight" in patched.json()["detail"]


@pytest.mark.parametrize("weight", [0.1, 1, 2.5, 100])
async def test_a_weight_in_range_is_kept(
    http: httpx.AsyncClient, world: World, weight: float
) -> None:
    url = f"/api/v1/clients/{world.client_a}/goals"
    created = await http.post(
        url, json={"title": "Sleep", "weight": weight}, headers=bearer(world, "co_a")
    )
    assert created.status_code == 201, created.text
    assert created.json()["weight"] == weight


@pytest.mark.parametrize("stored", [5e-324, 1e-200, 1.7e308, 0.0, -3.0])
async def test_the_timeline_answers_whatever_weight_a_goal_holds(
    http: httpx.AsyncClient, world: World, database: Database, clock: Clock, stored: float
) -> None:
    with database.transaction() as session:
        odd = clients.add_goal(session, client_id=world.client_a, title="Odd", weight=stored).id
        other = clients.add_goal(session, client_id=world.client_a, title="Other", weight=1e-300).id
    assert odd is not None
    assert other is not None
    _checkin(
        database,
        world=world,
        when=clock() - dt.timedelta(days=1),
        scores={"joy": 4},
        gas={odd: 2, other: -1},
    )
    response = await http.get(
        f"/api/v1/clients/{world.client_a}/timeline", headers=bearer(world, "cw_a")
    )
    assert response.status_code == 200, response.text
    [point] = response.json()["gas"]
    assert math.isfinite(point["t_score"])
    assert 13 < point["t_score"] < 87
