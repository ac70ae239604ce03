"""A unit with youths and a parent whose Telegram chats are linked, and a scheduler on a
hand-moved clock, against both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.i18n import Translations
from bot.messages import TELEGRAM
from bot.scheduler import CheckinScheduler, SchedulerSettings
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import clients, contacts, schedules, units
from tests.support.clock import Clock

# Youths 1-5 and a parent: chat addresses (Telegram chat ids).
YOUTHS = ("7001", "7002", "7003", "7004", "7005")
PARENT = "7009"


@dataclass
class World:
    unit_id: int
    other_unit_id: int
    clients: dict[str, int]  # by chat address
    contacts: dict[str, int]


def link(
    database: Database, keyring: Keyring, *, address: str, client_id: int, now: dt.datetime
) -> int:
    chat = ChatKey(TELEGRAM, keyring.address_hmac(TELEGRAM, address))
    with database.transaction() as session:
        contact = contacts.link_contact(
            session,
            chat=chat,
            client_id=client_id,
            language="en",
            now=now,
            address_sealed=keyring.seal(address, purpose=Purpose.CHAT_ADDRESS),
        )
        assert contact.id is not None
        return contact.id


def build_world(database: Database, keyring: Keyring, now: dt.datetime) -> World:
    with database.transaction() as session:
        unit = units.add_unit(session, code="u1", name="Unit one", now=now)
        other = units.add_unit(session, code="u2", name="Unit two", now=now)
        assert unit.id is not None
        assert other.id is not None
        ids: dict[str, int] = {}
        for n, address in enumerate((*YOUTHS, PARENT)):
            client = clients.add_client(
                session,
                unit_id=unit.id,
                alias=f"Client {n}",
                case_ref=f"C-{n}",
                audience="parent" if address == PARENT else "youth",
                language="en",
                caseworker_id=None,
                now=now,
            )
            assert client.id is not None
            ids[address] = client.id
    linked = {
        address: link(database, keyring, address=address, client_id=client_id, now=now)
        for address, client_id in ids.items()
    }
    return World(unit.id, other.id, ids, linked)


@pytest.fixture
def world(database: Database, keyring: Keyring, clock: Clock) -> World:
    return build_world(database, keyring, clock())


def add_schedule(database: Database, clock: Clock, unit_id: int, **values: object) -> int:
    fields: dict[str, object] = {
        "unit_id": unit_id,
        "name": "Weekly",
        "dialog_id": "youth_checkin",
        "audience": "youth",
        "kind": "weekly",
        "weekday": 0,
        "at_time": "17:00",  # Mondays 17:00 Helsinki, 15:00 UTC in March
        "quiet_start": "21:00",  # the staff API's default quiet hours
        "quiet_end": "08:00",
        "starts_on": clock().date(),
        "armed_from": clock(),
        "created_at": clock(),
    }
    fields.update(values)
    with database.transaction() as session:
        schedule = schedules.add_schedule(session, tables.Schedule(**fields))  # type: ignore[arg-type]
        assert schedule.id is not None
        return schedule.id


@pytest.fixture
def scheduler(database: Database, translations: Translations, clock: Clock) -> CheckinScheduler:
    return CheckinScheduler(
        database=database,
        translations=translations,
        settings=SchedulerSettings(grace=dt.timedelta(minutes=30)),
        clock=clock,
    )
