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


def test_staff_and_their_tokens_are_changes_of_access_in_the_log(
    database: Database, world: World
) -> None:
    """Made from the command line (`kerro staff add`, `staff token`, `staff revoke`): the
    rows say what changed, with no member of staff as the actor."""
    with database.transaction() as session:
        entries = session.connection().execute(
            sa.text("SELECT staff_id, action, target FROM audit_log ORDER BY id")
        )
        changes = [(by, action, target) for by, action, target in entries]
    for name in ("cw_a", "co_a", "admin"):
        member = world.staff_ids[name]
        assert any(
            action == "access.staff" and target.startswith(f"staff/{member} ")
            for _, action, target in changes
        ), name
        assert any(
            action == "access.token.issue" and target.startswith(f"staff/{member} token/")
            for _, action, target in changes
        ), name
    # The world revokes one of the admin's tokens.
    assert [by for by, action, _ in changes if action == "access.token.revoke"] == [None]
    assert all(by is None for by, action, _ in changes if action.startswith("access."))
