"""The staff app against a real database (both variants), with a small world of staff.

Two units, A and B. In each: a caseworker with a client, a coordinator; in A also a second
caseworker who is not the client's. An admin, and tokens that are revoked or expired.
Every test's person-linked reads are counted and must match the audit rows (P4).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_staff_app
from api.context import ApiContext
from dialogs.model import FlagLevel, RaiseFlag, Record
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import audit, clients, responses, staff, units
from tests.support.clock import Clock

ACTORS = ("cw_a", "cw_a2", "cw_b", "co_a", "co_b", "admin", "none", "revoked", "expired")


@dataclass
class World:
    unit_a: int
    unit_b: int
    client_a: int
    client_b: int
    goal_a: int
    response_a: str  # opaque public ids, as the staff API shows them
    response_b: str
    flag_a: str
    flag_b: str
    staff_ids: dict[str, int]
    tokens: dict[str, str | None]
    theme: str = "waiting"  # a shipped theme's key


def _add_response(
    session: Any,
    keyring: Keyring,
    *,
    unit_id: int,
    client_id: int | None,
    when: dt.datetime,
    note: str | None,
    joy: float = 3.0,
    dialog_id: str = "youth_checkin",
) -> tuple[int, str]:
    """A response with a score and perhaps a note: (its key, its public id)."""
    response = tables.Response(
        unit_id=unit_id,
        client_id=client_id,
        dialog_id=dialog_id,
        dialog_version="1",
        channel="test",
        language="en",
        anonymous=client_id is None,
        completed=True,
        started_at=when,
        updated_at=when,
    )
    response_id = responses.insert(session, response)
    records = [Record("joy", "joy", number=joy)]
    if note is not None:
        records.append(Record("note", "note", text=note))
    responses.add_answers(
        session,
        response_id=response_id,
        dialog_version="1",
        recorded_at=when,
        records=records,
        keyring=keyring,
    )
    return response_id, response.public_id


def _flag(
    session: Any,
    *,
    response_id: int,
    unit_id: int,
    client_id: int | None,
    level: str,
    when: dt.datetime,
) -> str:
    """A flag; its public id."""
    responses.add_flags(
        session,
        response_id=response_id,
        unit_id=unit_id,
        client_id=client_id,
        flags=[RaiseFlag("test", FlagLevel(level))],
        now=when,
    )
    return max(
        responses.flags_of(session, response_id=response_id), key=lambda f: f.id or 0
    ).public_id


def build_world(database: Database, keyring: Keyring, clock: Clock) -> World:
    now = clock()
    year = dt.timedelta(days=365)
    with database.transaction() as session:
        a = units.add_unit(session, code="a", name="Unit A", now=now).id
        b = units.add_unit(session, code="b", name="Unit B", now=now).id
        assert a is not None
        assert b is not None
        ids: dict[str, int] = {}
        tokens: dict[str, str | None] = {"none": None}
        for name, role, unit in (
            ("cw_a", "caseworker", a),
            ("cw_a2", "caseworker", a),
            ("cw_b", "caseworker", b),
            ("co_a", "coordinator", a),
            ("co_b", "coordinator", b),
            ("admin", "admin", None),
        ):
            member = staff.add_staff(
                session, name=name, role=role, unit_ids=[] if unit is None else [unit], now=now
            )
            assert member.id is not None
            ids[name] = member.id
            tokens[name], _ = staff.issue_token(session, staff_id=member.id, now=now, lifetime=year)
        revoked, row = staff.issue_token(session, staff_id=ids["admin"], now=now, lifetime=year)
        assert row.id is not None
        staff.revoke_token(session, token_id=row.id, now=now)
        tokens["revoked"] = revoked
        tokens["expired"], _ = staff.issue_token(
            session, staff_id=ids["admin"], now=now - 2 * year, lifetime=year
        )
        client_a = clients.add_client(
            session,
            unit_id=a,
            alias="Youth A",
            case_ref="A-1",
            audience="youth",
            language="en",
            caseworker_id=ids["cw_a"],
            now=now,
        ).id
        client_b = clients.add_client(
            session,
            unit_id=b,
            alias="Youth B",
            case_ref="B-1",
            audience="youth",
            language="en",
            caseworker_id=ids["cw_b"],
            now=now,
        ).id
        assert client_a is not None
        assert client_b is not None
        goal = clients.add_goal(session, client_id=client_a, title="School")
        assert goal.id is not None
        earlier = now - dt.timedelta(days=3)
        response_a, public_a = _add_response(
            session, keyring, unit_id=a, client_id=client_a, when=earlier, note="I'm tired"
        )
        response_b, public_b = _add_response(
            session, keyring, unit_id=b, client_id=client_b, when=earlier, note="B's words"
        )
        flag_a = _flag(
            session,
            response_id=response_a,
            unit_id=a,
            client_id=client_a,
            level="concern",
            when=earlier,
        )
        flag_b = _flag(
            session,
            response_id=response_b,
            unit_id=b,
            client_id=client_b,
            level="crisis",
            when=earlier,
        )
    return World(a, b, client_a, client_b, goal.id, public_a, public_b, flag_a, flag_b, ids, tokens)


@pytest.fixture
def world(database: Database, keyring: Keyring, clock: Clock) -> World:
    return build_world(database, keyring, clock)


@pytest.fixture
def staff_app(database: Database, keyring: Keyring, clock: Clock) -> FastAPI:
    context = ApiContext(
        database=database,
        keyring=keyring,
        clock=clock,
        public_url="https://kerro.example",
        telegram_bot_username="kerro_test_bot",
    )
    return create_staff_app(context=context)


@dataclass
class ReadCounter:
    """Counts the successful person-linked reads the tests make through the client."""

    routes: list[tuple[re.Pattern[str], set[str]]]
    reads: int = 0
    seen: list[str] = field(default_factory=list)

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        path = request.url.path
        if response.is_success and any(
            pattern.match(path) and request.method in methods for pattern, methods in self.routes
        ):
            self.reads += 1
            self.seen.append(f"{request.method} {path}")


def person_linked_routes(app: FastAPI) -> list[tuple[re.Pattern[str], set[str]]]:
    """The operations the OpenAPI description marks as person-linked reads."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        methods = {m.upper() for m, op in operations.items() if op.get("x-person-linked")}
        if methods:
            pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))
            found.append((re.compile(f"^{pattern}$"), methods))
    assert found, "no operation is marked person-linked"
    return found


@pytest.fixture
async def http(staff_app: FastAPI, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the staff app; at the end, every person-linked read has its audit row."""
    counter = ReadCounter(person_linked_routes(staff_app))

    async def hook(response: httpx.Response) -> None:
        counter(response)

    transport = httpx.ASGITransport(app=staff_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://staff", event_hooks={"response": [hook]}
    ) as client:
        yield client
    with database.transaction() as session:
        rows = audit.count(session, reads_only=True)
    assert rows == counter.reads, f"audit rows {rows} != person-linked reads {counter.seen}"


def bearer(world: World, actor: str) -> dict[str, str]:
    token = world.tokens[actor]
    return {} if token is None else {"Authorization": f"Bearer {token}"}
