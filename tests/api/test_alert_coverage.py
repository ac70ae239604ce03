"""When a flag would alert nobody, the staff app says so: /readyz (still ready) and each unit's
`alerts_configured` and `alerts_warning`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx

from api.app import create_staff_app
from api.context import ApiContext
from bot.alert_coverage import NO_CHANNEL, NO_EMAIL, NO_ON_CALL
from storage.crypto import Keyring
from storage.db import Database
from tests.api.conftest import World, bearer
from tests.support.clock import Clock

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def _client(database: Database, keyring: Keyring, clock: Clock) -> Client:
    @asynccontextmanager
    async def open_with(*channels: str) -> AsyncIterator[httpx.AsyncClient]:
        context = ApiContext(
            database=database, keyring=keyring, clock=clock, alert_channels=frozenset(channels)
        )
        transport = httpx.ASGITransport(app=create_staff_app(context=context))
        async with httpx.AsyncClient(transport=transport, base_url="http://staff") as client:
            yield client

    return open_with


async def _unit(client: httpx.AsyncClient, world: World) -> dict[str, object]:
    answer = await client.get(f"/api/v1/units/{world.unit_a}", headers=bearer(world, "co_a"))
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def test_no_channel_is_said_by_readyz_and_by_every_unit(
    world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    async with _client(database, keyring, clock)() as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "warnings": [NO_CHANNEL]}
        unit = await _unit(client, world)
        assert unit["alerts_configured"] is False
        assert unit["alerts_warning"] == NO_CHANNEL
        listed = await client.get("/api/v1/units", headers=bearer(world, "admin"))
        assert {u["alerts_configured"] for u in listed.json()} == {False}


async def test_a_unit_without_an_on_call_address_is_named_until_it_has_one(
    world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    async with _client(database, keyring, clock)("email") as client:
        unit = await _unit(client, world)
        assert unit["alerts_configured"] is False
        assert unit["alerts_warning"] == NO_ON_CALL
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "ready"
        [warning] = ready["warnings"]
        assert warning.startswith("2 unit(s) (")
        assert warning.endswith(NO_ON_CALL)
        for unit_id in (world.unit_a, world.unit_b):
            changed = await client.patch(
                f"/api/v1/units/{unit_id}",
                json={"on_call_email": "paivystys@a.example"},
                headers=bearer(world, "admin"),
            )
            assert changed.status_code == 200, changed.text
            assert changed.json()["alerts_configured"] is True
            assert changed.json()["alerts_warning"] is None
        assert (await _unit(client, world))["alerts_configured"] is True
        assert (await client.get("/readyz")).json() == {"status": "ready"}
    async with _client(database, keyring, clock)("telegram") as client:
        # An on-call address needs e-mail to be sent to.
        assert (await _unit(client, world))["alerts_warning"] == NO_EMAIL


async def test_the_webhook_takes_every_flag(
    world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    async with _client(database, keyring, clock)("webhook") as client:
        unit = await _unit(client, world)
        assert unit["alerts_configured"] is True
        assert unit["alerts_warning"] is None
        assert (await client.get("/readyz")).json() == {"status": "ready"}
