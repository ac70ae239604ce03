from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from storage.db import Database
from tests.api.conftest import World, bearer


async def test_a_read_writes_who_what_and_the_purpose_given_or_the_default(
    http: httpx.AsyncClient, world: World
) -> None:
    co = bearer(world, "co_a")
    await http.get(f"/api/v1/clients/{world.client_a}", headers=co)
    await http.get(f"/api/v1/clients/{world.client_a}?purpose=planning meeting", headers=co)
    await http.get(
        f"/api/v1/clients/{world.client_a}/goals", headers={**co, "X-Purpose": "GAS review"}
    )
    refused = await http.get(f"/api/v1/clients/{world.client_b}", headers=co)
    assert refused.status_code == 404
    log = await http.get(
        f"/api/v1/audit?client_id={world.client_a}", headers=bearer(world, "admin")
    )
    entries = log.json()["items"]
    assert [(e["action"], e["purpose"]) for e in entries] == [
        ("goal.list", "GAS review"),
        ("client.read", "planning meeting"),
        ("client.read", "casework"),
    ]
    assert {e["staff_id"] for e in entries} == {world.staff_ids["co_a"]}
    assert entries[0]["client_ids"] == [world.client_a]


def test_the_audit_log_refuses_updates_and_deletes(database: Database, world: World) -> None:
    with database.transaction() as session:
        session.connection().execute(
            sa.text(
                "INSERT INTO audit_log (staff_id, at, action, target, purpose) "
                "VALUES (:staff, :at, 'x', 'y', 'z')"
            ),
            {"staff": world.staff_ids["admin"], "at": "2026-01-01 00:00:00+00:00"},
        )
    for statement in ("UPDATE audit_log SET purpose = 'changed'", "DELETE FROM audit_log"):
        with (
            pytest.raises(sa.exc.DatabaseError, match="append-only"),
            database.transaction() as session,
        ):
            session.connection().execute(sa.text(statement))
    with database.transaction() as session:
        stored = (
            session.connection()
            .execute(sa.text("SELECT purpose FROM audit_log WHERE action = 'x'"))
            .all()
        )
    assert stored == [("z",)]
