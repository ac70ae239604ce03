"""Sample data so that Kerro can be tried at once: a demo unit, a demo client and a
coordinator whose token opens the staff API."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from bot.messages import CODE
from storage.repositories import clients, staff, units
from storage.tables import Unit

DEMO_UNIT = "demo"
# Units have one name, in the organisation's language: the demo's is Finnish.
DEMO_UNIT_NAME = "Kokeiluyksikkö"
OLD_DEMO_UNIT_NAME = "Demo unit"  # what earlier versions called it
DEMO_COORDINATOR = "Demo coordinator"
DEMO_TOKEN_DAYS = 30
DEMO_CLIENT = "DEMO-1"
DEMO_GOALS = ("Käyn koulussa joka päivä", "Nukun tarpeeksi")  # the demo client reads Finnish
UNIT_CODE = CODE


def ensure_demo_unit(session: Session) -> Unit:
    unit = units.unit_by_code(session, code=DEMO_UNIT)
    if unit is None:
        unit = units.add_unit(
            session, code=DEMO_UNIT, name=DEMO_UNIT_NAME, now=dt.datetime.now(dt.UTC)
        )
    elif unit.name == OLD_DEMO_UNIT_NAME:
        unit.name = DEMO_UNIT_NAME
        session.add(unit)
        session.flush()
    return unit


def demo_coordinator_token(session: Session, *, unit: Unit) -> str:
    """A fresh token of the demo unit's coordinator (added on the first call)."""
    assert unit.id is not None
    now = dt.datetime.now(dt.UTC)
    member = staff.staff_by_name(session, name=DEMO_COORDINATOR)
    if member is None:
        member = staff.add_staff(
            session, name=DEMO_COORDINATOR, role="coordinator", unit_ids=[unit.id], now=now
        )
    assert member.id is not None
    token, _ = staff.issue_token(
        session, staff_id=member.id, now=now, lifetime=dt.timedelta(days=DEMO_TOKEN_DAYS)
    )
    return token


def ensure_demo(session: Session, *, staff_url: str = "http://127.0.0.1:8001") -> str:
    unit = ensure_demo_unit(session)
    assert unit.id is not None
    client = clients.client_by_ref(session, unit_id=unit.id, case_ref=DEMO_CLIENT)
    if client is None:
        client = clients.add_client(
            session,
            unit_id=unit.id,
            alias="Demo youth",
            case_ref=DEMO_CLIENT,
            audience="youth",
            language="fi",
            now=dt.datetime.now(dt.UTC),
        )
        assert client.id is not None
        for title in DEMO_GOALS:
            clients.add_goal(session, client_id=client.id, title=title)
    token = demo_coordinator_token(session, unit=unit)
    return (
        f"Demo unit '{DEMO_UNIT}' ({unit.name}) with client '{DEMO_CLIENT}' is ready. Try:\n"
        f"  kerro chat youth_checkin --lang en --client {DEMO_CLIENT}\n"
        f"The staff API as the unit's coordinator, {DEMO_COORDINATOR} (token valid"
        f" {DEMO_TOKEN_DAYS} days; each run gives a new one):\n"
        f"  curl -H 'Authorization: Bearer {token}' {staff_url}/api/v1/units\n"
        f"Token: {token}"
    )
