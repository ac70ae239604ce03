from __future__ import annotations

import datetime as dt

import pytest

from storage.db import Database
from storage.repositories import units


@pytest.fixture
def unit_id(database: Database) -> int:
    with database.transaction() as session:
        unit = units.add_unit(
            session, code="u1", name="Unit one", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
    assert unit.id is not None
    return unit.id
