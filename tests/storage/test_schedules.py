"""The schedules' repository on both databases: a slot is claimed once; who is eligible."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import contacts, schedules
from tests.bot.scheduler.conftest import PARENT, YOUTHS, add_schedule, build_world
from tests.support.clock import Clock


def test_a_slot_is_claimed_once_and_the_unique_key_holds(
    database: Database, keyring: Keyring, clock: Clock
) -> None:
    world = build_world(database, keyring, clock())
    schedule_id = add_schedule(database, clock, world.unit_id)
    slot = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    claim = {
        "schedule_id": schedule_id,
        "slot": slot,
        "now": clock(),
        "status": schedules.SENT,
        "expires_at": slot,
    }
    with database.transaction() as session:
        first = schedules.claim_run(session, **claim)  # type: ignore[arg-type]
        again = schedules.claim_run(session, **claim)  # type: ignore[arg-type]
        assert schedules.last_slot(session, schedule_id=schedule_id) == slot
    assert first is not None
    assert again is None
    duplicate = tables.ScheduleRun(
        schedule_id=schedule_id, slot=slot, status="sent", fired_at=clock(), expires_at=slot
    )
    with database.transaction() as session:
        session.add(duplicate)
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()
        session.rollback()


def test_eligible_contacts_are_the_audiences_and_want_prompts(
    database: Database, keyring: Keyring, clock: Clock
) -> None:
    world = build_world(database, keyring, clock())
    youths = add_schedule(database, clock, world.unit_id)
    chosen = add_schedule(
        database,
        clock,
        world.unit_id,
        audience=schedules.CHOSEN_CLIENTS,
        client_ids=[world.clients[YOUTHS[0]], world.clients[PARENT]],
    )
    with database.transaction() as session:
        contacts.set_prompts(session, contact_id=world.contacts[YOUTHS[1]], prompts=False)
        for schedule_id, expected in (
            (youths, [YOUTHS[0], *YOUTHS[2:]]),
            (chosen, [YOUTHS[0], PARENT]),
        ):
            schedule = schedules.schedule_by_id(session, schedule_id=schedule_id)
            assert schedule is not None
            found = [r.contact_id for r in schedules.eligible(session, schedule=schedule)]
            assert found == [world.contacts[address] for address in expected]
        inside = schedules.clients_of_unit(
            session,
            unit_id=world.other_unit_id,
            client_ids=[world.clients[YOUTHS[0]]],
        )
        assert inside == set()
