"""A client enrolled by the web invite link gets a personal check-in link that keeps working:
shown once after the consent question, stored only as a keyed hash, revocable; it opens their
own web chat, where they start their check-ins and resume an unfinished one. Real HTTP."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import personal
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from storage.repositories import audit, clients, invites, staff
from tests.bot.helpers import all_cells, rows
from tests.support.clock import Clock
from tests.support.web import page_text, question_form

LINK = re.compile(r'href="(https?://[^"]+/chat/p/([A-Za-z0-9_-]{43}))"')


def invite(database: Database, clock: Clock, unit_id: int, audience: str = "youth") -> str:
    with database.transaction() as session:
        member = staff.add_staff(
            session, name="Worker", role="caseworker", unit_ids=[unit_id], now=clock()
        )
        client = clients.add_client(
            session,
            unit_id=unit_id,
            alias="Aino",
            case_ref="C-1",
            audience=audience,
            language="en",
            now=clock(),
        )
        assert member.id is not None
        assert client.id is not None
        code, _ = invites.create(
            session,
            client_id=client.id,
            created_by=member.id,
            now=clock(),
            lifetime=dt.timedelta(days=7),
        )
    return code


async def press(client: httpx.AsyncClient, page: httpx.Response, button: str) -> httpx.Response:
    form = question_form(page.text)
    name, value = form.button(button)
    return await client.post(form.action, data=form.data(**{name: value}))


async def enrol(client: httpx.AsyncClient, code: str, consent: str = "Yes, send reminders") -> str:
    """Open the invite, start, answer the consent question; the page that follows."""
    page = await client.get(f"/chat/i/{code}")
    form = question_form(page.text)
    started = await client.post(form.action, data=form.data(action="begin"))
    assert "This chat is now linked to you" in page_text(started.text)
    answered = await press(client, started, consent)
    assert answered.status_code == 200
    return answered.text


@pytest.fixture
def code(database: Database, clock: Clock, unit_id: int) -> str:
    return invite(database, clock, unit_id)


async def test_after_consent_the_page_shows_a_personal_link_once_and_no_commands(
    client: httpx.AsyncClient, database: Database, service: ConversationService, code: str
) -> None:
    html = await enrol(client, code)
    text = page_text(html)
    assert "This is your own check-in link" in text
    assert "Save it as a bookmark" in text
    assert "/stop" not in text
    assert "/checkin" not in text
    [(_url, token)] = set(LINK.findall(html))
    # Stored only as a keyed hash: the token is in no table.
    assert not [cell for cell in all_cells(database) if token in cell[2]]
    [contact] = rows(database, tables.Contact)
    assert contact.address_hmac == service.address_hmac("web", token)
    assert contact.prompts  # the consent stays; the token is kept in no other form
    assert contact.address_sealed is None
    # Shown once: the invite page does not show it again.
    again = await client.get(f"/chat/i/{code}")
    assert token not in again.text
    with database.transaction() as session:
        assert "access.personal_link" in audit.actions_after(session, after_id=0)


async def test_the_personal_link_starts_the_clients_own_checkin_in_their_name(
    client: httpx.AsyncClient, base_url: str, database: Database, code: str
) -> None:
    [(_url, token)] = set(LINK.findall(await enrol(client, code, consent="No reminders")))
    # Another browser (no cookies) opens the bookmark.
    async with httpx.AsyncClient(base_url=base_url, headers={"Accept-Language": "en"}) as other:
        page = await other.get(f"/chat/p/{token}")
        assert page.status_code == 200
        text = page_text(page.text)
        assert "This is your own check-in page" in text
        assert "Wellbeing check-in" in text
        assert "/checkin" not in text
        assert "/stop" not in text
        form = question_form(page.text)
        started = await other.post(form.action, data=form.data(dialog="youth_checkin"))
        assert "How much joy" in page_text(started.text)
        page = await press(other, started, "4")
        assert page.status_code == 200
    [conversation] = rows(database, tables.Conversation)
    [contact] = rows(database, tables.Contact)
    assert conversation.contact_id == contact.id  # in the client's own name
    [response] = rows(database, tables.Response)
    assert not response.anonymous
    assert response.client_id == contact.client_id


async def test_an_unfinished_checkin_is_resumed_from_the_link(
    client: httpx.AsyncClient, base_url: str, code: str
) -> None:
    [(_url, token)] = set(LINK.findall(await enrol(client, code)))
    page = await client.get(f"/chat/p/{token}")
    form = question_form(page.text)
    started = await client.post(form.action, data=form.data(dialog="youth_checkin"))
    await press(client, started, "4")  # joy answered; belonging is open
    async with httpx.AsyncClient(base_url=base_url, headers={"Accept-Language": "en"}) as later:
        resumed = await later.get(f"/chat/p/{token}")  # another browser, a new session
        assert "belong" in page_text(resumed.text)
        answered = await press(later, resumed, "3")
    assert "How well have you coped" in page_text(answered.text)


async def test_a_revoked_or_unknown_link_is_a_plain_404(
    client: httpx.AsyncClient, service: ConversationService, database: Database, code: str
) -> None:
    [(_url, token)] = set(LINK.findall(await enrol(client, code)))
    assert (await client.get(f"/chat/p/{token}")).status_code == 200
    assert await personal.revoke_link(service, token)
    gone = await client.get(f"/chat/p/{token}")
    assert gone.status_code == 404
    assert "This link doesn't work" in page_text(gone.text)
    for wrong in ("x" * 43, "short", token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert (await client.get(f"/chat/p/{wrong}")).status_code == 404
    with database.transaction() as session:
        assert "access.personal_link_revoked" in audit.actions_after(session, after_id=0)


async def test_a_personal_page_refuses_a_dialog_it_does_not_offer(
    client: httpx.AsyncClient, database: Database, code: str
) -> None:
    [(_url, token)] = set(LINK.findall(await enrol(client, code)))
    page = await client.get(f"/chat/p/{token}")
    form = question_form(page.text)
    refused = await client.post(form.action, data=form.data(dialog="parent_service"))
    assert refused.status_code == 400
    assert rows(database, tables.Conversation) == []


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(token=st.text(max_size=80) | st.from_regex(r"[A-Za-z0-9_-]{43}", fullmatch=True))
async def test_any_token_is_no_link_and_no_error(service: ConversationService, token: str) -> None:
    assert await personal.personal_page(service, token) is None
    assert await personal.revoke_link(service, token) is False
