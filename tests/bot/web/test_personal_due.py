"""A client enrolled by the web invite link: a schedule's due check-in shows on their personal
page, first, with when it closes; its start button is the prompt's choice, so the delivery
is started, and completed when the check-in ends, as with the Telegram prompt's button. An
expired one is gone, another client's never shows. Real HTTP, both databases."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from api.schedules import Counts
from bot.i18n import Translations
from bot.scheduler import CheckinScheduler, SchedulerSettings
from dialogs import engine
from storage import tables
from storage.db import Database
from storage.repositories import clients, invites, schedules, staff
from tests.bot.helpers import rows
from tests.bot.scheduler.conftest import add_schedule
from tests.bot.web.test_personal_link import LINK, enrol, press
from tests.support.clock import Clock
from tests.support.web import page_text, question_form

PROMPT = re.compile(r'name="choice" value="prompt:([0-9a-f]+)"')
SLOT = dt.datetime(2026, 3, 2, 15, 0, 5, tzinfo=dt.UTC)  # Mondays 17:00 in Helsinki


def invites_for_two(database: Database, clock: Clock, unit_id: int) -> tuple[str, str]:
    """Invites for two youths of the unit, Aino and Eino: one worker's, each a week long."""
    codes: list[str] = []
    with database.transaction() as session:
        member = staff.add_staff(
            session, name="Worker", role="caseworker", unit_ids=[unit_id], now=clock()
        )
        assert member.id is not None
        for n, alias in enumerate(("Aino", "Eino")):
            client = clients.add_client(
                session,
                unit_id=unit_id,
                alias=alias,
                case_ref=f"C-{n}",
                audience="youth",
                language="en",
                now=clock(),
            )
            assert client.id is not None
            code, _ = invites.create(
                session,
                client_id=client.id,
                created_by=member.id,
                now=clock(),
                lifetime=dt.timedelta(days=7),
            )
            codes.append(code)
    return codes[0], codes[1]


async def tokens(base_url: str, database: Database, clock: Clock, unit_id: int) -> list[str]:
    """Both youths enrolled by their invites: their personal links' tokens."""
    return [await personal_token(base_url, c) for c in invites_for_two(database, clock, unit_id)]


async def personal_token(base_url: str, code: str) -> str:
    """Enrol by the invite (reminders wanted) in a browser of its own; the link's token."""
    async with httpx.AsyncClient(base_url=base_url, headers={"Accept-Language": "en"}) as own:
        [(_url, token)] = set(LINK.findall(await enrol(own, code)))
    return str(token)


async def fire(database: Database, translations: Translations, clock: Clock, unit_id: int) -> int:
    """A weekly youth check-in for the unit, fired at its slot: the contacts it reached."""
    schedule_id = add_schedule(database, clock, unit_id, expire_after_days=2.0)
    scheduler = CheckinScheduler(
        database=database,
        translations=translations,
        settings=SchedulerSettings(grace=dt.timedelta(minutes=30)),
        clock=clock,
    )
    clock.now = SLOT
    assert await scheduler.sync() == 2
    return schedule_id


async def answer_any(client: httpx.AsyncClient, page: httpx.Response) -> httpx.Response:
    """Skip the question, or (where it cannot be skipped) press its first button."""
    form = question_form(page.text)
    name, value, _ = next(
        (b for b in form.buttons if b[1].endswith(f":{engine.SKIP}")), form.buttons[0]
    )
    return await client.post(form.action, data=form.data(**{name: value}))


def by_client(database: Database) -> dict[int, tables.PromptDelivery]:
    return {d.client_id: d for d in rows(database, tables.PromptDelivery)}


def rates(database: Database, schedule_id: int) -> Counts:
    with database.transaction() as session:
        return Counts.of(schedules.counts_of(session, schedule_id=schedule_id))


async def test_a_due_check_in_shows_first_starts_and_completes_from_the_personal_page(
    client: httpx.AsyncClient,
    base_url: str,
    database: Database,
    translations: Translations,
    clock: Clock,
    unit_id: int,
) -> None:
    aino, other = await tokens(base_url, database, clock, unit_id)
    before = page_text((await client.get(f"/chat/p/{aino}")).text)
    assert "Open until" not in before  # nothing is due yet
    schedule_id = await fire(database, translations, clock, unit_id)
    # The scheduler made a delivery for each web contact, with no message to send.
    [(aino_client, aino_contact), (other_client, _)] = sorted(
        (c.client_id, c.id) for c in rows(database, tables.Contact)
    )
    deliveries = by_client(database)
    assert set(deliveries) == {aino_client, other_client}
    assert {d.channel for d in deliveries.values()} == {"web"}
    assert {d.status for d in deliveries.values()} == {"sent"}  # shown on the page at once
    assert rows(database, tables.Outbox) == []
    assert rates(database, schedule_id).total == 2

    page = await client.get(f"/chat/p/{aino}")
    text = page_text(page.text)
    # Only Aino's own due check-in, first, with when it closes (17:00 Helsinki, two days on).
    assert PROMPT.findall(page.text) == [deliveries[aino_client].public_id]
    assert deliveries[other_client].public_id not in page.text
    assert "Wellbeing check-in Open until 4 March at 17:00" in text
    # The same dialog is not offered twice: the due one stands for the client's own.
    assert 'name="dialog"' not in page.text

    started = await press(client, page, f"prompt:{deliveries[aino_client].public_id}")
    assert "How much joy" in page_text(started.text)
    assert by_client(database)[aino_client].status == "started"
    assert by_client(database)[other_client].status == "sent"
    [conversation] = rows(database, tables.Conversation)
    assert conversation.contact_id == aino_contact  # in Aino's own name
    assert rates(database, schedule_id).started_or_completed == 0.5

    # Her page, in another browser: the check-in goes on where it was.
    async with httpx.AsyncClient(base_url=base_url, headers={"Accept-Language": "en"}) as later:
        answered = await later.get(f"/chat/p/{aino}")
        for _ in range(40):
            if "Back to the start" in page_text(answered.text):
                break
            answered = await answer_any(later, answered)
    assert "Back to the start" in page_text(answered.text)
    assert by_client(database)[aino_client].status == "completed"
    assert by_client(database)[other_client].status == "sent"
    assert rates(database, schedule_id).completed == 0.5
    [response] = rows(database, tables.Response)
    assert not response.anonymous
    assert response.client_id == aino_client

    # Done: her page offers her own check-in again; the other client's is still theirs.
    after = await client.get(f"/chat/p/{aino}")
    assert PROMPT.findall(after.text) == []
    assert 'value="youth_checkin"' in after.text
    theirs = await client.get(f"/chat/p/{other}")
    assert PROMPT.findall(theirs.text) == [deliveries[other_client].public_id]


async def test_an_expired_check_in_no_longer_shows_and_cannot_be_started(
    client: httpx.AsyncClient,
    base_url: str,
    database: Database,
    translations: Translations,
    clock: Clock,
    unit_id: int,
) -> None:
    aino, _other = await tokens(base_url, database, clock, unit_id)
    await fire(database, translations, clock, unit_id)
    page = await client.get(f"/chat/p/{aino}")
    [public_id] = PROMPT.findall(page.text)
    for language, closes in (
        ("fi", "Avoinna 4. maaliskuuta klo 17.00 asti"),
        ("sv", "Öppen till 4 mars kl. 17:00"),
    ):
        headers = {"Accept-Language": language}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as browser:
            assert closes in page_text((await browser.get(f"/chat/p/{aino}")).text)
    clock.advance(days=2)  # its expiry: the scheduler's upkeep has not run yet
    gone = await client.get(f"/chat/p/{aino}")
    assert PROMPT.findall(gone.text) == []
    assert "Open until" not in page_text(gone.text)
    assert 'value="youth_checkin"' in gone.text  # her own check-in is still there
    # The page of before, posted late: the check-in has closed, nothing is started.
    closed = await press(client, page, f"prompt:{public_id}")
    assert "This check-in has closed" in page_text(closed.text)
    assert rows(database, tables.Conversation) == []
    statuses = {d.public_id: d.status for d in rows(database, tables.PromptDelivery)}
    assert statuses[public_id] == "sent"


async def test_another_clients_due_check_in_cannot_be_started_from_a_page(
    client: httpx.AsyncClient,
    base_url: str,
    database: Database,
    translations: Translations,
    clock: Clock,
    unit_id: int,
) -> None:
    aino, other = await tokens(base_url, database, clock, unit_id)
    await fire(database, translations, clock, unit_id)
    [theirs] = PROMPT.findall((await client.get(f"/chat/p/{other}")).text)
    page = await client.get(f"/chat/p/{aino}")
    [mine] = PROMPT.findall(page.text)
    assert mine != theirs
    form = question_form(page.text)
    refused = await client.post(form.action, data=form.data(choice=f"prompt:{theirs}"))
    assert "This check-in has closed" in page_text(refused.text)
    assert rows(database, tables.Conversation) == []
    assert {d.status for d in rows(database, tables.PromptDelivery)} == {"sent"}
