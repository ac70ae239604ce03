from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest

from dialogs.model import Record
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import clients, responses
from tests.api.conftest import World, bearer
from tests.support.clock import Clock


def _checkin(
    database: Database,
    *,
    world: World,
    when: dt.datetime,
    scores: dict[str, float | None],
    gas: dict[int, float],
    keyring: Keyring | None = None,
    text: str | None = None,
) -> str:
    """A check-in of client A; its public id."""
    with database.transaction() as session:
        response = tables.Response(
            unit_id=world.unit_a,
            client_id=world.client_a,
            dialog_id="youth_checkin",
            dialog_version="1",
            channel="test",
            language="en",
            anonymous=False,
            completed=True,
            started_at=when,
            updated_at=when,
        )
        response_id = responses.insert(session, response)
        records = [Record(m, m, number=n, skipped=n is None) for m, n in scores.items()] + [
            Record("goal", "gas", number=n, goal_id=g) for g, n in gas.items()
        ]
        if text is not None and keyring is not None:
            records.append(Record("note", "note", text=text))
        responses.add_answers(
            session,
            response_id=response_id,
            dialog_version="1",
            recorded_at=when,
            records=records,
            keyring=keyring or Keyring(b"unused-unused-unused-unused-unused"),
        )
    return response.public_id


async def test_the_timeline_has_each_dimension_the_index_and_the_gas_t_score(
    http: httpx.AsyncClient, world: World, database: Database, clock: Clock
) -> None:
    with database.transaction() as session:
        second = clients.add_goal(session, client_id=world.client_a, title="Sleep", weight=2.0).id
    assert second is not None
    first = _checkin(
        database,
        world=world,
        when=clock() - dt.timedelta(days=20),
        scores={"joy": 2, "belonging": 4, "coping": None, "physical": 3},
        gas={world.goal_a: 0, second: 0},
    )
    later = _checkin(
        database,
        world=world,
        when=clock() - dt.timedelta(days=1),
        scores={"joy": 5, "belonging": 5, "coping": 4, "physical": 4},
        gas={world.goal_a: 2, second: 1},
    )
    response = await http.get(
        f"/api/v1/clients/{world.client_a}/timeline", headers=bearer(world, "cw_a")
    )
    assert response.status_code == 200
    body = response.json()
    joy = [(p["response_id"], p["value"]) for p in body["dimensions"]["joy"]]
    # The world's own response (3 days ago) has joy 3.
    assert joy == [(first, 2), (world.response_a, 3), (later, 5)]
    assert [p["response_id"] for p in body["dimensions"]["coping"]] == [later]
    assert [p["value"] for p in body["index"]] == [3.0, 3.0, 4.5]
    gas = body["gas"]
    assert [g["response_id"] for g in gas] == [first, later]
    assert gas[0]["t_score"] == 50.0  # every goal as expected
    # T = 50 + 10 * (1*2 + 2*1) / sqrt(0.7 * (1 + 4) + 0.3 * 9) = 66.06
    assert gas[1]["t_score"] == pytest.approx(66.06, abs=0.01)


async def test_the_csv_export_has_one_answer_a_row_and_defuses_formulas(
    http: httpx.AsyncClient, world: World, database: Database, clock: Clock, keyring: Keyring
) -> None:
    _checkin(
        database,
        world=world,
        when=clock(),
        scores={"joy": 4},
        gas={},
        keyring=keyring,
        text='=HYPERLINK("x")',
    )
    response = await http.get("/api/v1/responses.csv", headers=bearer(world, "cw_a"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["client_id"] for row in table} == {str(world.client_a)}
    texts = [row["text"] for row in table if row["text"]]
    assert texts == ['\'=HYPERLINK("x")', "I'm tired"]
