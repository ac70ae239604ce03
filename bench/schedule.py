"""Planning a scheduled check-in's run: claim the slot, choose the eligible contacts, and
write one delivery and one outbox prompt for each, in one transaction, for 100,000 contacts.
Beside it, in the same run, the baseline: a bare insert of the same rows (deliveries and
outbox rows, made beforehand), so the ratio shows what choosing and rendering cost on top.
Rounds alternate (baseline, plan); the median of each is reported. SQLite and PostgreSQL.

    .venv/bin/python -m bench.schedule [--contacts N] [--rounds N] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import postgres_database, ratio_line, sqlite_database
from bot import scheduler_prompts
from bot.i18n import Translations
from bot.messages import TELEGRAM
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.repositories import schedules

SECRET = b"bench-secret-key-that-is-long-enough-0123456789"
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def populate(database: Database, keyring: Keyring, count: int) -> int:
    """A unit with `count` youths, each with a Telegram chat that wants prompts."""
    sealed = keyring.seal("1000001", purpose=Purpose.CHAT_ADDRESS)  # one seal: setup only
    with database.transaction() as session:
        unit = tables.Unit(code="bench", name="Bench", created_at=NOW)
        session.add(unit)
        session.flush()
        assert unit.id is not None
        connection = session.connection()
        client: sa.Table = tables.Client.__table__  # type: ignore[attr-defined]
        contact: sa.Table = tables.Contact.__table__  # type: ignore[attr-defined]
        connection.execute(
            sa.insert(client),
            [
                {
                    "unit_id": unit.id,
                    "alias": f"Y{n}",
                    "case_ref": f"B-{n}",
                    "audience": "youth",
                    "language": ("fi", "sv", "en")[n % 3],
                    "created_at": NOW,
                }
                for n in range(count)
            ],
        )
        ids = [row[0] for row in connection.execute(sa.select(client.c.id).order_by(client.c.id))]
        connection.execute(
            sa.insert(contact),
            [
                {
                    "channel": TELEGRAM,
                    "address_hmac": keyring.address_hmac(TELEGRAM, str(1_000_000 + n)),
                    "address_sealed": sealed,
                    "client_id": client_id,
                    "language": ("fi", "sv", "en")[n % 3],
                    "active": True,
                    "prompts": True,
                    "created_at": NOW,
                }
                for n, client_id in enumerate(ids)
            ],
        )
        schedule = schedules.add_schedule(
            session,
            tables.Schedule(
                unit_id=unit.id,
                name="Weekly",
                dialog_id="youth_checkin",
                audience="youth",
                kind="weekly",
                starts_on=NOW.date(),
                armed_from=NOW,
                created_at=NOW,
            ),
        )
        assert schedule.id is not None
        return schedule.id


def plan(database: Database, translations: Translations, schedule_id: int, slot: int) -> int:
    def payload(language: str, public_id: str) -> dict[str, Any]:
        return scheduler_prompts.prompt(translations.get(language), public_id)

    with database.transaction() as session:
        schedule = schedules.schedule_by_id(session, schedule_id=schedule_id)
        assert schedule is not None
        count = schedules.plan_run(
            session,
            schedule=schedule,
            slot=NOW + dt.timedelta(weeks=slot),
            now=NOW,
            remind_at=None,
            expires_at=NOW + dt.timedelta(days=7),
            payload=payload,
        )
    assert count is not None
    return count


def baseline(database: Database, translations: Translations, schedule_id: int, slot: int) -> float:
    """The same rows, made beforehand, inserted bare: seconds."""
    with database.transaction() as session:
        recipients = schedules.eligible(
            session,
            schedule=schedules.schedule_by_id(session, schedule_id=schedule_id),  # type: ignore[arg-type]
        )
        run_id = schedules.claim_run(
            session,
            schedule_id=schedule_id,
            slot=NOW - dt.timedelta(weeks=slot + 1),
            now=NOW,
            status=schedules.SKIPPED,
            expires_at=NOW,
        )
    translator = translations.get("fi")
    deliveries = []
    messages = []
    for recipient in recipients:
        public_id = tables.new_public_id()
        deliveries.append(
            {
                "public_id": public_id,
                "run_id": run_id,
                "contact_id": recipient.contact_id,
                "client_id": recipient.client_id,
                "dialog_id": "youth_checkin",
                "channel": TELEGRAM,
                "status": "queued",
                "queued_at": NOW,
                "expires_at": NOW,
            }
        )
        messages.append(
            {
                "channel": TELEGRAM,
                "address_hmac": recipient.address_hmac,
                "address_sealed": recipient.address_sealed,
                "payload": scheduler_prompts.prompt(translator, public_id),
                "attempts": 0,
                "not_before": NOW,
                "created_at": NOW,
            }
        )
    started = time.perf_counter()
    with database.transaction() as session:
        connection = session.connection()
        connection.execute(sa.insert(tables.PromptDelivery.__table__), deliveries)  # type: ignore[attr-defined]
        connection.execute(sa.insert(tables.Outbox.__table__), messages)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def measure(name: str, url: str, contacts: int, rounds: int, translations: Translations) -> None:
    database = Database.from_url(url)
    try:
        schedule_id = populate(database, Keyring(SECRET), contacts)
        bare: list[float] = []
        planned: list[float] = []
        for slot in range(rounds):
            bare.append(baseline(database, translations, schedule_id, slot))
            started = time.perf_counter()
            assert plan(database, translations, schedule_id, slot) == contacts
            planned.append(time.perf_counter() - started)
        bare_rate = contacts / statistics.median(bare)
        plan_rate = contacts / statistics.median(planned)
        print(f"{name}: planning a run: {plan_rate:,.0f} contacts/s ({2 * plan_rate:,.0f} rows/s)")
        print(f"{name}: bare insert of the same rows: {bare_rate:,.0f} contacts/s")
        print(ratio_line(f"{name}: planning", plan_rate, bare_rate))
        print(f"{name}: one run of {contacts:,} contacts: {statistics.median(planned):.2f} s")
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    translations = Translations.load()
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        measure("SQLite", url, args.contacts, args.rounds, translations)
    if not args.skip_postgres:
        with postgres_database() as url:
            measure("PostgreSQL", url, args.contacts, args.rounds, translations)


if __name__ == "__main__":
    main()
