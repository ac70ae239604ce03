"""Reports on PostgreSQL at several organisation sizes, beside a bare count(*) of the answers.

For each size (answers: 100k, 1M, and 5M with --large), a scratch database is filled with
INSERT ... SELECT over generate_series: units of 100 clients each (5 units per 100k
answers), a year of responses in the order they came (four in five identified youth
check-ins, one in five anonymous parents' feedback), 8 answers a response, a flag in 50
responses, half of them acknowledged. Then, through the staff app (httpx on ASGI, a
coordinator's bearer token):

- a unit's monthly report (`GET /api/v1/units/{id}/report?period=month`),
- the cross-unit comparison of a coordinator of 5 units, with the organisation's total
  (`GET /api/v1/reports/units?period=month`),

beside `SELECT count(*) FROM answer` through `Database.run` in the same run.
Goal: p95 under 300 ms each, and time growing less than linearly with the size.

    .venv/bin/python -m bench.reports [--requests N] [--large]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.app import create_staff_app
from api.context import ApiContext
from bench.common import Rate, postgres_database
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import staff

ANSWERS_PER_RESPONSE = 8
CLIENTS_PER_UNIT = 100
ANSWERS_PER_UNIT = 20_000
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
KEYRING = Keyring(b"bench-secret-bench-secret-bench-secret")

_LOAD = """
INSERT INTO unit (id, code, name, created_at)
SELECT g, 'u' || g, 'Yksikkö ' || g, %(now)s FROM generate_series(1, %(units)s) g;

INSERT INTO client (id, unit_id, alias, case_ref, audience, language, created_at)
SELECT g, (g - 1) / {clients} + 1, 'N' || g, 'C-' || g, 'youth', 'fi', %(now)s
FROM generate_series(1, %(units)s * {clients}) g;

INSERT INTO response (id, public_id, unit_id, client_id, contact_id, dialog_id,
                      dialog_version, channel, language, anonymous, completed,
                      started_at, updated_at)
SELECT g, md5(g::text), g %% %(units)s + 1,
       CASE WHEN g %% 5 = 0 THEN NULL
            ELSE (g %% %(units)s) * {clients} + (g / %(units)s) %% {clients} + 1 END,
       NULL,
       CASE WHEN g %% 5 = 0 THEN 'parent_service' ELSE 'youth_checkin' END,
       '1', 'telegram', 'fi', g %% 5 = 0, true,
       CASE WHEN g %% 5 = 0
            THEN date_trunc('day', %(now)s - interval '365 days'
                                   + g * (interval '365 days' / %(responses)s))
            ELSE %(now)s - interval '365 days' + g * (interval '365 days' / %(responses)s)
       END,
       %(now)s
FROM generate_series(1, %(responses)s) g;

INSERT INTO answer (response_id, step_id, measure, number, skipped, dialog_version, recorded_at)
SELECT r.id, m.measure, m.measure,
       CASE WHEN m.measure = 'recommend' THEN (r.id * 7 + m.k) %% 11
            WHEN m.measure IN ('gas') THEN (r.id + m.k) %% 5 - 2
            ELSE (r.id * 3 + m.k * 5 + r.id / 7) %% 5 + 1 END,
       m.k > 6, '1', r.started_at
FROM response r
JOIN (VALUES ('youth_checkin', 1, 'joy'), ('youth_checkin', 2, 'belonging'),
             ('youth_checkin', 3, 'coping'), ('youth_checkin', 4, 'physical'),
             ('youth_checkin', 5, 'gas'), ('youth_checkin', 6, 'gas'),
             ('youth_checkin', 7, 'contact'), ('youth_checkin', 8, 'note'),
             ('parent_service', 1, 'recommend'), ('parent_service', 2, 'information'),
             ('parent_service', 3, 'worker_cares'), ('parent_service', 4, 'reachability'),
             ('parent_service', 5, 'safe_feedback'), ('parent_service', 6, 'reply'),
             ('parent_service', 7, 'better'), ('parent_service', 8, 'wants_reply'))
     AS m(dialog, k, measure) ON m.dialog = r.dialog_id;

INSERT INTO flag (public_id, response_id, unit_id, client_id, level, rule, status, created_at)
SELECT md5('f' || r.id), r.id, r.unit_id, r.client_id,
       CASE WHEN r.id %% 3 = 0 THEN 'crisis' ELSE 'concern' END, 'risk_screen', 'open',
       r.started_at + interval '1 hour'
FROM response r WHERE r.id %% 50 = 0;

INSERT INTO flag_event (flag_id, staff_id, action, at)
SELECT f.id, NULL, 'acknowledge', f.created_at + (f.id %% 120) * interval '1 minute'
FROM flag f WHERE f.id %% 2 = 0;
"""


def _connect(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    )


def load(url: str, answers: int) -> int:
    """Fill the database; the number of units."""
    units = max(answers // ANSWERS_PER_UNIT, 5)
    with _connect(url) as connection, connection.cursor() as cursor:
        parameters = {"now": NOW, "units": units, "responses": answers // ANSWERS_PER_RESPONSE}
        for statement in _LOAD.format(clients=CLIENTS_PER_UNIT).split(";\n\n"):
            if statement.strip():
                cursor.execute(statement, parameters)
        for table in ("unit", "client", "response", "answer", "flag", "flag_event"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    return units


async def measure(url: str, requests: int) -> list[Rate]:
    database = Database.from_url(url)

    def tokens(session: Session) -> tuple[str, str]:
        unit_staff = staff.add_staff(
            session, name="unit", role="coordinator", unit_ids=[1], now=NOW
        )
        several = staff.add_staff(
            session, name="several", role="coordinator", unit_ids=[1, 2, 3, 4, 5], now=NOW
        )
        assert unit_staff.id is not None
        assert several.id is not None
        year = dt.timedelta(days=365)
        one, _ = staff.issue_token(session, staff_id=unit_staff.id, now=NOW, lifetime=year)
        five, _ = staff.issue_token(session, staff_id=several.id, now=NOW, lifetime=year)
        return one, five

    one, five = await database.run(tokens)
    app = create_staff_app(
        context=ApiContext(database=database, keyring=KEYRING, clock=lambda: NOW)
    )
    transport = httpx.ASGITransport(app=app)
    months = ["2026-10-15", "2026-09-15", "2026-08-15", "2026-07-15"]
    rates = []
    async with httpx.AsyncClient(transport=transport, base_url="http://staff") as client:

        async def unit_report(index: int) -> None:
            answer = await client.get(
                "/api/v1/units/1/report",
                params={"period": "month", "date": months[index % len(months)]},
                headers={"Authorization": f"Bearer {one}"},
            )
            assert answer.status_code == 200, answer.text

        async def comparison(index: int) -> None:
            answer = await client.get(
                "/api/v1/reports/units",
                params={"period": "month", "date": months[index % len(months)]},
                headers={"Authorization": f"Bearer {five}"},
            )
            assert answer.status_code == 200, answer.text

        async def count(_: int) -> None:
            await database.run(
                lambda session: session.connection().execute(sa.text("SELECT count(*) FROM answer"))
            )

        for name, work in (
            ("count(*) of answers", count),
            ("unit's monthly report", unit_report),
            ("comparison of 5 units + organisation", comparison),
        ):
            for index in range(3):  # warm up
                await work(index)
            rates.append(await _timed(name, requests, work))
    database.dispose()
    return rates


async def _timed(name: str, count: int, work: Any) -> Rate:
    latencies = []
    started = time.perf_counter()
    for index in range(count):
        before = time.perf_counter()
        await work(index)
        latencies.append(time.perf_counter() - before)
    return Rate(name, count, time.perf_counter() - started, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--large", action="store_true", help="also 5,000,000 answers")
    args = parser.parse_args()
    sizes = [100_000, 1_000_000] + ([5_000_000] if args.large else [])
    for size in sizes:
        with postgres_database() as url:
            started = time.perf_counter()
            units = load(url, size)
            print(
                f"{size:,} answers, {units} units: loaded in {time.perf_counter() - started:.0f} s"
            )
            rates = asyncio.run(measure(url, args.requests))
            baseline = rates[0].percentile(0.95)
            for rate in rates:
                print(
                    f"  {rate.name}: p50 {rate.percentile(0.5):.1f} ms, "
                    f"p95 {rate.percentile(0.95):.1f} ms "
                    f"({rate.percentile(0.95) / baseline:.2f}x the count)"
                )


if __name__ == "__main__":
    main()
