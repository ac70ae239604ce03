"""The staff pages over HTTP, on the staff API's world (two units, their staff and clients)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_staff_app
from api.context import ApiContext, PageSettings
from bot.alert_channels import SmtpSettings
from bot.i18n import Translations
from storage.crypto import Keyring
from storage.db import Database
from tests.api.conftest import World
from tests.support.alert_servers import SmtpServer, start_smtp
from tests.support.clock import Clock

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def smtp(tmp_path: Path) -> AsyncIterator[SmtpServer]:
    server = await start_smtp(tmp_path)
    yield server
    await server.close()


@pytest.fixture
def pages_app(
    database: Database,
    keyring: Keyring,
    clock: Clock,
    translations: Translations,
    smtp: SmtpServer,
) -> FastAPI:
    context = ApiContext(
        database=database,
        keyring=keyring,
        clock=clock,
        public_url="https://kerro.example",
        telegram_bot_username="kerro_test_bot",
        pages=PageSettings(
            translations=translations,
            staff_url="https://staff.kerro.example",
            sign_in_per_minute=10_000,  # many sign-ins a test; tests/api/pages/test_limits.py
            smtp=SmtpSettings.from_url(
                smtp.url, sender="kerro@kerro.example", ca_file=str(smtp.ca_file)
            ),
        ),
    )
    return create_staff_app(context=context)


Browser = Callable[[], httpx.AsyncClient]


@pytest.fixture
async def browser(pages_app: FastAPI) -> AsyncIterator[Browser]:
    """Makes HTTP clients that keep their own cookies, like separate browsers."""
    made: list[httpx.AsyncClient] = []

    def new() -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=pages_app),
            base_url="http://staff",
            headers={"Accept-Language": "en-GB,en;q=0.8"},
        )
        made.append(client)
        return client

    yield new
    for client in made:
        await client.aclose()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, world: World, actor: str) -> str:
    """Sign in with the actor's token; the page's CSRF token after it."""
    page = await client.get("/sign-in")
    assert page.status_code == 200
    answer = await client.post(
        "/sign-in", data={"csrf": csrf_of(page.text), "token": world.tokens[actor] or ""}
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/flags"
    inbox = await client.get("/flags")
    assert inbox.status_code == 200
    return csrf_of(inbox.text)
