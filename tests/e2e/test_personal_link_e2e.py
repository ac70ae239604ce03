"""A client without Telegram in a real browser: the web invite, the consent question, the
personal link shown once; later, from the bookmark in another browser, their own check-in,
left unfinished, then resumed in a third."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, Page, expect

from storage import tables
from storage.db import Database
from storage.repositories import clients, invites, staff, units
from tests.bot.helpers import rows
from tests.e2e.conftest import PHONE, shot


def _invite(database: Database) -> str:
    now = dt.datetime.now(dt.UTC)
    with database.transaction() as session:
        unit = units.unit_by_code(session, code="demo")
        assert unit is not None
        assert unit.id is not None
        member = staff.add_staff(
            session, name="Worker", role="caseworker", unit_ids=[unit.id], now=now
        )
        client = clients.add_client(
            session,
            unit_id=unit.id,
            alias="Aino",
            case_ref="C-1",
            audience="youth",
            language="en",
            now=now,
        )
        assert member.id is not None
        assert client.id is not None
        code, _ = invites.create(
            session,
            client_id=client.id,
            created_by=member.id,
            now=now,
            lifetime=dt.timedelta(days=7),
        )
    return code


def _later(browser: Browser, url: str) -> Page:
    """The bookmark opened in another browser: no cookies of the first."""
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    opened = context.new_page()
    opened.goto(url)
    return opened


def test_the_web_invite_leads_to_a_personal_link_that_keeps_working(
    page: Page, browser: Browser, base_url: str, database: Database
) -> None:
    page.goto(f"{base_url}/chat/i/{_invite(database)}")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_text("This chat is now linked to you", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Back to the start")).to_have_count(0)
    page.get_by_role("button", name="Yes, send reminders").click()
    expect(page.get_by_text("This is your own check-in link")).to_be_visible()
    expect(page.get_by_text("Save it as a bookmark", exact=False)).to_be_visible()
    shot(page, "personal-1-link-shown-once")
    link = page.locator(".personal-link a")
    url = link.get_attribute("href")
    assert url is not None
    assert "/chat/p/" in url
    assert "/stop" not in page.inner_text("main")
    assert "/checkin" not in page.inner_text("main")
    page.get_by_role("link", name="Open my check-ins").click()
    expect(page.get_by_text("This is your own check-in page", exact=False)).to_be_visible()

    second = _later(browser, url)
    expect(second.get_by_text("This is your own check-in page", exact=False)).to_be_visible()
    shot(second, "personal-2-own-page")
    second.get_by_role("button", name="Wellbeing check-in").click()
    expect(second.get_by_text("How much joy has there been")).to_be_visible()
    second.get_by_role("button", name="4", exact=True).click()
    second.get_by_role("button", name="3", exact=True).click()
    expect(second.get_by_text("How well have you coped")).to_be_visible()
    second.context.close()  # left unfinished

    third = _later(browser, url)
    expect(third.get_by_text("How well have you coped")).to_be_visible()  # resumed
    shot(third, "personal-3-resumed")
    third.get_by_role("button", name="2", exact=True).click()
    third.get_by_role("button", name="5", exact=True).click()
    third.get_by_label("Your answer").fill("Fine.")
    third.get_by_role("button", name="Send", exact=True).click()
    expect(third.get_by_text("Your worker will see them", exact=False)).to_be_visible()
    third.get_by_role("link", name="Back to the start").click()
    expect(third.get_by_role("button", name="Wellbeing check-in")).to_be_visible()
    third.context.close()

    [response] = rows(database, tables.Response)
    [contact] = rows(database, tables.Contact)
    assert not response.anonymous
    assert response.completed
    assert response.client_id == contact.client_id
    assert [a.number for a in rows(database, tables.Answer)][:4] == [4.0, 3.0, 2.0, 5.0]
