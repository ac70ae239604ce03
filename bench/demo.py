"""`kerro demo`'s year of sample data: how long it takes to make, beside the same number of
responses and answers written one response at a time through the conversation's own
repository calls (`responses.insert` and `responses.add_answers`, texts sealed alike), in one
transaction, on the same database. Then a second run, which finds the organisation there and
only issues a token. SQLite, and PostgreSQL when it answers.

    .venv/bin/python -m bench.demo
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

from bench.common import postgres_database, sqlite_database
from dialogs.model import Record
from kerro.demo import ensure_demo
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import responses, units

KEYRING = Keyring(b"bench-secret-key-that-is-long-enough-0123456789")
TODAY = dt.date(2026, 11, 30)


def _count(database: Database, table: str) -> int:
    with database.transaction() as session:
        query = sa.text(f"SELECT count(*) FROM {table}")
        return int(session.connection().execute(query).scalar_one())


def seed_run(url: str) -> tuple[float, float, int, int]:
    """Seconds for the first and the second run; responses and answers made."""
    database = Database.from_url(url)
    try:
        started = time.perf_counter()
        with database.transaction() as session:
            ensure_demo(session, keyring=KEYRING, today=TODAY)
        first = time.perf_counter() - started
        started = time.perf_counter()
        with database.transaction() as session:
            ensure_demo(session, keyring=KEYRING, today=TODAY)
        second = time.perf_counter() - started
        return first, second, _count(database, "response"), _count(database, "answer")
    finally:
        database.dispose()


def baseline_run(url: str, count: int, answers: int) -> float:
    """Seconds to write `count` responses with `answers` answers in all, one at a time."""
    database = Database.from_url(url)
    each, extra = divmod(answers, count)
    at = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)
    try:
        with database.transaction() as session:
            unit = units.add_unit(session, code="bench", name="Bench", now=at)
            assert unit.id is not None
            unit_id = unit.id
        started = time.perf_counter()
        with database.transaction() as session:
            for index in range(count):
                response_id = responses.insert(
                    session,
                    tables.Response(
                        unit_id=unit_id,
                        dialog_id="open_feedback",
                        dialog_version="1",
                        channel="web",
                        language="fi",
                        anonymous=True,
                        completed=True,
                        started_at=at,
                        updated_at=at,
                    ),
                )
                records = [
                    Record("joy", "joy", number=3.0) for _ in range(each + (index < extra) - 1)
                ]
                records.append(Record("comment", "comment", text="Kiitos avusta."))
                responses.add_answers(
                    session,
                    response_id=response_id,
                    dialog_version="1",
                    recorded_at=at,
                    records=records,
                    keyring=KEYRING,
                )
        return time.perf_counter() - started
    finally:
        database.dispose()


def report(name: str, make_url: object) -> None:
    with make_url() as url:  # type: ignore[operator]
        first, second, count, answers = seed_run(url)
    with make_url() as url:  # type: ignore[operator]
        baseline = baseline_run(url, count, answers)
    made = f"{count} responses, {answers} answers"
    print(f"{name}: demo year {first:.2f} s ({made}); rerun {second:.2f} s")
    print(f"{name}: baseline, the same written one response at a time: {baseline:.2f} s")
    print(f"{name}: the demo takes {first / baseline:.2f}× the baseline (plans, engine and all)")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        report("SQLite", lambda: sqlite_database(Path(directory)))
    try:
        report("PostgreSQL", postgres_database)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL: skipped ({error})")


if __name__ == "__main__":
    main()
