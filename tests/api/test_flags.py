from __future__ import annotations

import datetime as dt

import httpx

from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import flags as flag_repository
from tests.api.conftest import World, _add_response, _flag, bearer
from tests.bot.helpers import rows
from tests.support.clock import Clock


def _more_flags(database: Database, keyring: Keyring, clock: Clock, world: World) -> dict[str, str]:
    now = clock()
    with database.transaction() as session:
        anonymous, _ = _add_response(
            session,
            keyring,
            unit_id=world.unit_a,
            client_id=None,
            when=now - dt.timedelta(days=5),
            note="nobody listens",
        )
        newer, _ = _add_response(
            session,
            keyring,
            unit_id=world.unit_a,
            client_id=world.client_a,
            when=now - dt.timedelta(days=1),
            note="I want to die",
        )
        return {
            "anonymous": _flag(
                session,
                response_id=anonymous,
                unit_id=world.unit_a,
                client_id=None,
                level="concern",
                when=now - dt.timedelta(days=5),
            ),
            "crisis": _flag(
                session,
                response_id=newer,
                unit_id=world.unit_a,
                client_id=world.client_a,
                level="crisis",
                when=now - dt.timedelta(days=1),
            ),
        }


async def _inbox(http: httpx.AsyncClient, world: World, actor: str) -> list[str]:
    response = await http.get("/api/v1/flags", headers=bearer(world, actor))
    assert response.status_code == 200
    return [flag["id"] for flag in response.json()]


async def test_the_inbox_puts_crisis_first_then_the_oldest_and_shows_only_what_is_mine(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    more = _more_flags(database, keyring, clock, world)
    expected_a = [more["crisis"], more["anonymous"], world.flag_a]
    assert await _inbox(http, world, "co_a") == expected_a
    assert await _inbox(http, world, "cw_a") == expected_a
    # Another caseworker of the unit: only the unit's anonymous flag, not a colleague's client.
    assert await _inbox(http, world, "cw_a2") == [more["anonymous"]]
    assert await _inbox(http, world, "co_b") == [world.flag_b]
    assert await _inbox(http, world, "admin") == [world.flag_b, *expected_a]


async def test_acknowledge_assign_resolve_are_recorded_and_the_note_is_sealed(
    http: httpx.AsyncClient, world: World, database: Database
) -> None:
    base = f"/api/v1/flags/{world.flag_a}"
    co, cw2 = bearer(world, "co_a"), bearer(world, "cw_a2")
    assert (await http.post(f"{base}/acknowledge", headers=co)).json()["status"] == "acknowledged"
    assigned = await http.post(
        f"{base}/assign", json={"staff_id": world.staff_ids["cw_a2"]}, headers=co
    )
    assert assigned.json()["assignee_id"] == world.staff_ids["cw_a2"]
    # Now the assignee sees it, though the client is not theirs.
    assert world.flag_a in await _inbox(http, world, "cw_a2")
    wrong = await http.post(
        f"{base}/assign", json={"staff_id": world.staff_ids["cw_b"]}, headers=co
    )
    assert wrong.status_code == 409
    resolved = await http.post(f"{base}/resolve", json={"note": "Phoned; fine"}, headers=cw2)
    assert resolved.json()["status"] == "resolved"
    assert world.flag_a not in await _inbox(http, world, "co_a")
    detail = (await http.get(base, headers=co)).json()
    assert [e["action"] for e in detail["events"]] == ["acknowledge", "assign", "resolve"]
    assert detail["events"][-1]["note"] == "Phoned; fine"
    assert detail["texts"] == [{"step_id": "note", "text": "I'm tired"}]
    with database.transaction() as session:
        [flag] = [f for f in rows(database, tables.Flag) if f.public_id == world.flag_a]
        assert flag.id is not None
        events = flag_repository.events_of(session, flag_id=flag.id)
    assert events[-1].note_sealed is not None
    assert "Phoned" not in events[-1].note_sealed
    again = await http.post(f"{base}/acknowledge", headers=co)
    assert again.status_code == 409
