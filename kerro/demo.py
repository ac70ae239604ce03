"""Sample data so that Kerro can be tried at once: a demo unit and a demo client."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from bot.messages import CODE
from storage.repositories import units
from storage.tables import Unit

DEMO_UNIT = "demo"
DEMO_CLIENT = "DEMO-1"
DEMO_GOALS = ("Going to school every day", "Sleeping enough")
UNIT_CODE = CODE


def ensure_demo_unit(session: Session) -> Unit:
    unit = units.unit_by_code(session, code=DEMO_UNIT)
    if unit is None:
        unit = units.add_unit(
            session, code=DEMO_UNIT, name="Demo unit", now=dt.datetime.now(dt.UTC)
        )
    return unit


def ensure_demo(session: Session) -> str:
    unit = ensure_demo_unit(session)
    assert unit.id is not None
    client = units.client_by_ref(session, unit_id=unit.id, case_ref=DEMO_CLIENT)
    if client is None:
        client = units.add_client(
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
            units.add_goal(session, client_id=client.id, title=title)
    return (
        f"Demo unit '{DEMO_UNIT}' with client '{DEMO_CLIENT}' is ready. Try:\n"
        f"  kerro chat youth_checkin --lang en --client {DEMO_CLIENT}"
    )
