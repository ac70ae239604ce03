"""Sample data so that Kerro can be tried at once: a demo unit and a demo client."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session

from storage.repositories import clients, units
from storage.tables import Unit

DEMO_UNIT = "demo"
DEMO_CLIENT = "DEMO-1"
DEMO_GOALS = ("Käyn koulussa joka päivä", "Nukun tarpeeksi")  # the demo client reads Finnish
UNIT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
    return (
        f"Demo unit '{DEMO_UNIT}' with client '{DEMO_CLIENT}' is ready. Try:\n"
        f"  kerro chat youth_checkin --lang en --client {DEMO_CLIENT}"
    )
