"""Sign-in is limited: a few posts a minute from one client address, and a few sign-in links
to one e-mail address; more get a 429 page and nothing is sent."""

from __future__ import annotations

import httpx
from sqlmodel import select

from api.app import create_staff_app
from api.context import ApiContext, PageSettings
from bot.alert_channels import SmtpSettings
from bot.i18n import Translations
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import staff
from tests.api.conftest import World
from tests.api.pages.conftest import csrf_of
from tests.support.alert_servers import SmtpServer
from tests.support.clock import Clock


def _client(
    database: Database, keyring: Keyring, clock: Clock, translations: Translations, smtp: SmtpServer
) -> httpx.AsyncClient:
    smtp_settings = SmtpSettings.from_url(
        smtp.url, sender="kerro@kerro.example", ca_file=str(smtp.ca_file)
    )
    context = ApiContext(
        database=database,
        keyring=keyring,
        clock=clock,
        pages=PageSettings(translations=translations, smtp=smtp_settings),  # default limits
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_staff_app(context=context)),
        base_url="http://staff",
        headers={"Accept-Language": "en"},
    )


async def test_too_many_sign_in_posts_get_a_429_page(
    world: World,
    database: Database,
    keyring: Keyring,
    clock: Clock,
    translations: Translations,
    smtp: SmtpServer,
) -> None:
    async with _client(database, keyring, clock, translations, smtp) as client:
        page = await client.get("/sign-in")
        csrf = csrf_of(page.text)
        statuses = [
            (await client.post("/sign-in", data={"csrf": csrf, "token": "kerro_guess"})).status_code
            for _ in range(10)
        ]
        assert statuses == [401] * 10
        refused = await client.post(
            "/sign-in", data={"csrf": csrf, "token": world.tokens["cw_a"] or ""}
        )
        assert refused.status_code == 429
        assert "Too many tries in a short time." in refused.text
    with database.transaction() as session:
        assert session.exec(select(tables.StaffSession)).all() == []


async def test_a_few_sign_in_links_to_one_address_and_no_more(
    world: World,
    database: Database,
    keyring: Keyring,
    clock: Clock,
    translations: Translations,
    smtp: SmtpServer,
) -> None:
    with database.transaction() as session:
        staff.set_contact(
            session, staff_id=world.staff_ids["cw_a"], email="cw.a@kerro.example", language="en"
        )
    async with _client(database, keyring, clock, translations, smtp) as client:
        page = await client.get("/sign-in")
        csrf = csrf_of(page.text)
        for _ in range(5):
            answer = await client.post(
                "/sign-in/email", data={"csrf": csrf, "email": "cw.a@kerro.example"}
            )
            assert answer.status_code == 303  # the same answer every time
    assert len(smtp.handler.to("cw.a@kerro.example")) == 3
    with database.transaction() as session:
        assert len(session.exec(select(tables.StaffSignInLink)).all()) == 3
