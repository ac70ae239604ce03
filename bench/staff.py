"""Staff API latency on a large PostgreSQL database, beside a bare `SELECT 1` round trip.

Loads 50 units, 550 staff, 5,000 clients, 50,000 identified responses with 20 answers each
(1,000,000 answers, one free text per response, sealed) and 1,000 flags with COPY into a
scratch database, then times, through the staff app in the same process (httpx on ASGI,
bearer token, audit row and commit per request):

- a caseworker's flag inbox (`GET /api/v1/flags`),
- a coordinator's response listing, first page and a later page (`GET /api/v1/responses`),
- a client's timeline (`GET /api/v1/clients/{id}/timeline`),

beside `SELECT 1` through `Database.run` (a transaction on a worker thread) and `GET /me`
(the token check and the app around it). Goal: p95 under 20 ms each.

    .venv/bin/python -m bench.staff [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.app import create_staff_app
from api.context import ApiContext
from bench.common import Rate, postgres_database
from dialogs.scoring import WELLBEING_DIMENSIONS
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.repositories import staff

UNITS = 50
CASEWORKERS_PER_UNIT = 10
CLIENTS_PER_CASEWORKER = 10
RESPONSES_PER_CLIENT = 10
ANSWERS_PER_RESPONSE = 20
GOALS_PER_CLIENT = 2
FLAG_SHARE = 50  # one response in 50 is flagged
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
KEYRING = Keyring(b"bench-secret-bench-secret-bench-secret")


def _connect(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    )


def load(url: str) -> dict[str, Any]:
    """Bulk-load the data set; returns ids the benchmark uses."""
    rng = random.Random(7)
    clients_per_unit = CASEWORKERS_PER_UNIT * CLIENTS_PER_CASEWORKER
    sealed_texts = [KEYRING.seal(f"free text {i}", purpose=Purpose.ANSWER_TEXT) for i in range(200)]
    with _connect(url) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY unit (id, code, name, created_at) FROM STDIN") as copy:
            for unit in range(1, UNITS + 1):
                copy.write_row((unit, f"u{unit}", f"Unit {unit}", NOW))
        staff_id = 0
        caseworkers: list[tuple[int, int]] = []  # (staff id, unit id)
        with cursor.copy("COPY staff (id, name, role, active, created_at) FROM STDIN") as copy:
            for unit in range(1, UNITS + 1):
                for index in range(CASEWORKERS_PER_UNIT + 1):
                    staff_id += 1
                    role = "coordinator" if index == 0 else "caseworker"
                    copy.write_row((staff_id, f"s{staff_id}", role, True, NOW))
                    if index:
                        caseworkers.append((staff_id, unit))
        with cursor.copy("COPY staff_unit (staff_id, unit_id) FROM STDIN") as copy:
            for member in range(1, staff_id + 1):
                copy.write_row((member, (member - 1) // (CASEWORKERS_PER_UNIT + 1) + 1))
        client_id = goal_id = response_id = 0
        with cursor.copy(
            "COPY client (id, unit_id, alias, case_ref, audience, language, created_at, "
            "caseworker_id) FROM STDIN"
        ) as copy:
            for worker, unit in caseworkers:
                for _ in range(CLIENTS_PER_CASEWORKER):
                    client_id += 1
                    copy.write_row(
                        (
                            client_id,
                            unit,
                            f"c{client_id}",
                            f"C-{client_id}",
                            "youth",
                            "fi",
                            NOW,
                            worker,
                        )
                    )
        with cursor.copy(
            "COPY goal (id, client_id, title, weight, position, active) FROM STDIN"
        ) as copy:
            for client in range(1, client_id + 1):
                for position in range(GOALS_PER_CLIENT):
                    goal_id += 1
                    copy.write_row((goal_id, client, f"goal {goal_id}", 1.0, position, True))
        responses: list[tuple[int, int, int, dt.datetime]] = []
        with cursor.copy(
            "COPY response (id, public_id, unit_id, client_id, contact_id, dialog_id, "
            "dialog_version, channel, language, anonymous, completed, started_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for client in range(1, client_id + 1):
                unit = (client - 1) // clients_per_unit + 1
                for week in range(RESPONSES_PER_CLIENT):
                    response_id += 1
                    started = NOW - dt.timedelta(days=7 * week, minutes=rng.randrange(10_000))
                    responses.append((response_id, unit, client, started))
                    copy.write_row(
                        (
                            response_id,
                            f"{rng.getrandbits(128):032x}",
                            unit,
                            client,
                            None,
                            "youth_checkin",
                            "1",
                            "telegram",
                            "fi",
                            False,
                            True,
                            started,
                            started,
                        )
                    )
        with cursor.copy(
            "COPY answer (response_id, step_id, measure, goal_id, number, choice, text_sealed, "
            "skipped, dialog_version, recorded_at) FROM STDIN"
        ) as copy:
            for rid, _, client, started in responses:
                first_goal = (client - 1) * GOALS_PER_CLIENT + 1
                rows: list[tuple[Any, ...]] = [
                    (rid, m, m, None, rng.randint(1, 5), None, None, False, "1", started)
                    for m in WELLBEING_DIMENSIONS
                ]
                rows += [
                    (
                        rid,
                        "goal",
                        "gas",
                        first_goal + g,
                        rng.randint(-2, 2),
                        None,
                        None,
                        False,
                        "1",
                        started,
                    )
                    for g in range(GOALS_PER_CLIENT)
                ]
                rows.append(
                    (
                        rid,
                        "note",
                        "note",
                        None,
                        None,
                        None,
                        rng.choice(sealed_texts),
                        False,
                        "1",
                        started,
                    )
                )
                while len(rows) < ANSWERS_PER_RESPONSE:  # other steps: choices and skips
                    rows.append(
                        (
                            rid,
                            f"q{len(rows)}",
                            "other",
                            None,
                            None,
                            "yes",
                            None,
                            rng.random() < 0.3,
                            "1",
                            started,
                        )
                    )
                for row in rows:
                    copy.write_row(row)
        with cursor.copy(
            "COPY flag (public_id, response_id, unit_id, client_id, level, rule, status, "
            "created_at) FROM STDIN"
        ) as copy:
            for rid, unit, client, started in responses:
                if rid % FLAG_SHARE == 0:
                    level = "crisis" if rng.random() < 0.2 else "concern"
                    status = rng.choice(["open", "open", "acknowledged", "resolved"])
                    public_id = f"{rng.getrandbits(128):032x}"
                    copy.write_row((public_id, rid, unit, client, level, "bench", status, started))
        for table, column, last in (
            ("unit", "id", UNITS),
            ("staff", "id", staff_id),
            ("client", "id", client_id),
            ("goal", "id", goal_id),
            ("response", "id", response_id),
        ):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), {last})")
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
        answers = cursor.execute("SELECT count(*) FROM answer").fetchone()
    return {
        "answers": answers[0] if answers else 0,
        "responses": response_id,
        "caseworker": (2, 1),  # the first caseworker of unit 1
        "coordinator": (1, 1),
        "clients_of_unit_1": list(range(1, clients_per_unit + 1)),
    }


def _run_sync(database: Database, work: Callable[[Session], dict[int, str]]) -> dict[int, str]:
    with database.transaction() as session:
        return work(session)


async def _time(name: str, count: int, call: Callable[[int], Awaitable[None]]) -> Rate:
    latencies: list[float] = []
    started = time.perf_counter()
    for index in range(count):
        before = time.perf_counter()
        await call(index)
        latencies.append(time.perf_counter() - before)
    return Rate(name, count, time.perf_counter() - started, latencies)


def _line(rate: Rate) -> str:
    return (
        f"{rate.name}: p50 {rate.percentile(0.5):.2f} ms, p95 {rate.percentile(0.95):.2f} ms, "
        f"p99 {rate.percentile(0.99):.2f} ms ({rate.count} requests)"
    )


async def measure(url: str, requests: int, facts: dict[str, Any]) -> list[Rate]:
    database = Database.from_url(url)
    caseworker, _ = facts["caseworker"]
    coordinator, _ = facts["coordinator"]
    tokens = _run_sync(
        database,
        lambda session: {
            member: staff.issue_token(
                session,
                staff_id=member,
                now=dt.datetime.now(dt.UTC),
                lifetime=dt.timedelta(days=1),
            )[0]
            for member in (caseworker, coordinator)
        },
    )
    app = create_staff_app(context=ApiContext(database=database, keyring=KEYRING))
    rng = random.Random(11)
    clients = facts["clients_of_unit_1"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://staff") as http:
        as_caseworker = {"Authorization": f"Bearer {tokens[caseworker]}"}
        as_coordinator = {"Authorization": f"Bearer {tokens[coordinator]}"}
        # A cursor about 300 responses in (cursors are opaque: walk six pages to get one).
        later_page = ""
        for _ in range(6):
            query = f"&before={later_page}" if later_page else ""
            page = await http.get(f"/api/v1/responses?limit=50{query}", headers=as_coordinator)
            later_page = page.json()["next_before"]

        async def get(path: str, headers: dict[str, str]) -> None:
            response = await http.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")

        async def select_one(_: int) -> None:
            await database.run(lambda session: session.connection().execute(sa.text("SELECT 1")))

        async def me(_: int) -> None:
            await get("/api/v1/me", as_caseworker)

        async def inbox(_: int) -> None:
            await get("/api/v1/flags", as_caseworker)

        async def listing(_: int) -> None:
            await get("/api/v1/responses?limit=50", as_coordinator)

        async def listing_later(_: int) -> None:
            await get(f"/api/v1/responses?limit=50&before={later_page}", as_coordinator)

        async def timeline(_: int) -> None:
            await get(f"/api/v1/clients/{rng.choice(clients)}/timeline", as_coordinator)

        for warm in (inbox, listing, timeline, select_one):
            for index in range(10):
                await warm(index)
        rates = [
            await _time("SELECT 1 (Database.run)", requests, select_one),
            await _time("GET /api/v1/me (the token check alone)", requests, me),
            await _time("flag inbox (caseworker)", requests, inbox),
            await _time("responses, first page of 50 (coordinator)", requests, listing),
            await _time("responses, a later page of 50 (coordinator)", requests, listing_later),
            await _time("a client's timeline (coordinator)", requests, timeline),
        ]
    database.dispose()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with postgres_database() as url:
        started = time.perf_counter()
        facts = load(url)
        print(
            f"loaded {facts['responses']:,} responses, {facts['answers']:,} answers "
            f"in {time.perf_counter() - started:.0f} s"
        )
        for rate in asyncio.run(measure(url, args.requests, facts)):
            print(_line(rate))


if __name__ == "__main__":
    main()
