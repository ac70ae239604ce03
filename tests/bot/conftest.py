from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.repositories import units
from tests.bot.alerts.fixtures import WEBHOOK_SECRET, Setting, add_unit_with_staff
from tests.support.alert_servers import SmtpServer, WebhookReceiver, start_smtp
from tests.support.clock import Clock


@pytest.fixture
def unit_id(database: Database) -> int:
    with database.transaction() as session:
        unit = units.add_unit(
            session, code="u1", name="Unit one", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
    assert unit.id is not None
    return unit.id


@pytest.fixture
def setting(database: Database, clock: Clock) -> Setting:
    return add_unit_with_staff(database, now=clock())


@pytest.fixture
async def smtp_server(tmp_path: Path) -> AsyncIterator[SmtpServer]:
    server = await start_smtp(tmp_path)
    yield server
    await server.close()


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret=WEBHOOK_SECRET)
    await receiver.start()
    yield receiver
    await receiver.close()
