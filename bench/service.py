"""Conversation-service events per second, one commit per event, beside a bare loop.

The bare loop inserts one row and commits, through the same database, driver, worker thread
and session machinery (`Database.run`), in the same run. The ratio is what the service adds
over the database's own cost of a durable commit. Goal: at least 50% of the bare loop's rate.

    .venv/bin/python -m bench.service [--events N] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import statistics
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from bench.common import Rate, median_rate, postgres_database, ratio_line, sqlite_database, timed
from bot.i18n import Translations
from bot.messages import Inbound, Kind
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.risk import RiskScreen, voikko_lemmatizer
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import units

ANSWERS = ["4", "3", "2", "5", "Nothing more"]  # a youth check-in without goals: 6 events
ROUNDS = 9

_bare = sa.Table(
    "bench_bare",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("payload", sa.String(200)),
)


async def _service_rate(service: ConversationService, events: int, tag: str) -> Rate:
    per_chat = 1 + len(ANSWERS)

    async def one(index: int) -> None:
        chat, position = divmod(index, per_chat)
        inbound = Inbound(
            channel="bench",
            address=f"{tag}-{chat}",
            update_key=f"{tag}-{index}",
            kind=Kind.BEGIN if position == 0 else Kind.TEXT,
            payload="youth_checkin" if position == 0 else ANSWERS[position - 1],
            unit_code="bench",
            language="fi",
        )
        await service.handle(inbound)

    return await timed("service", events - events % per_chat, one)


async def _bare_rate(database: Database, events: int) -> Rate:
    def insert(session: Session, index: int) -> None:
        session.connection().execute(sa.insert(_bare).values(payload=f"row {index}"))

    async def one(index: int) -> None:
        await database.run(functools.partial(insert, index=index))

    return await timed("bare insert+commit", events, one)


async def measure(url: str, events: int) -> tuple[Rate, Rate, float]:
    database = Database.from_url(url)
    with database.transaction() as session:
        _bare.metadata.create_all(session.connection())
        units.add_unit(session, code="bench", name="Bench", now=dt.datetime.now(dt.UTC))
    service = ConversationService(
        database=database,
        dialogs=load_directory(),
        keyring=Keyring(b"bench-secret-bench-secret-bench-secret"),
        translations=Translations.load(),
        risk_screen=RiskScreen.load(lemmatizer=voikko_lemmatizer()),
        help_numbers=HelpNumbers.load(),
    )
    service_rates, bare_rates, ratios = [], [], []
    for round_ in range(ROUNDS):  # alternate, so that noise hits both alike
        service_rate = await _service_rate(service, events, f"r{round_}")
        bare_rate = await _bare_rate(database, events)
        service_rates.append(service_rate)
        bare_rates.append(bare_rate)
        ratios.append(service_rate.per_second / bare_rate.per_second)
    database.dispose()
    # The ratio of each round's pair, measured seconds apart, is steadier on a shared machine
    # than the ratio of two medians taken over the whole run.
    return median_rate(service_rates), median_rate(bare_rates), statistics.median(ratios)


def report(backend: str, service: Rate, bare: Rate, ratio: float) -> None:
    print(f"[{backend}] {service.line()}")
    print(f"[{backend}] {bare.line()}")
    print(f"[{backend}] {ratio_line('service (median of the rounds)', ratio, 1.0, 0.5)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"{args.events} events per run, {ROUNDS} alternating runs of each; commit per event")
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        report("sqlite", *asyncio.run(measure(url, args.events)))
    if args.skip_postgres:
        print("[postgresql] skipped (--skip-postgres)", file=sys.stderr)
        return
    with postgres_database() as url:
        report("postgresql", *asyncio.run(measure(url, args.events)))


if __name__ == "__main__":
    main()
