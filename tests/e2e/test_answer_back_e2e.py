"""In real browsers: a caseworker replies on a flag's page; the client, who has no Telegram,
opens their personal link, sees the message from their worker and answers it once; the
worker's inbox says "New answer" and the flag's page shows it. axe-core checks the client's
page with the reply on it."""

from __future__ import annotations

import secrets

from playwright.sync_api import Browser, expect

from storage import tables
from storage.crypto import Keyring
from storage.keys import ChatKey
from storage.repositories import contacts
from tests.conftest import TEST_SECRET
from tests.e2e import test_staff_pages as staff_pages
from tests.e2e.conftest import PHONE
from tests.e2e.test_staff_pages import DESKTOP, Staff, check_axe, shot, sign_in

staff_site = staff_pages.staff_site  # the staff pages' fixture: their world, served


def _personal_link(site: Staff) -> str:
    token = secrets.token_urlsafe(32)
    keyring = Keyring(TEST_SECRET)
    with site.database.transaction() as session:
        contacts.link_contact(
            session,
            chat=ChatKey("web", keyring.address_hmac("web", token)),
            client_id=site.world.client_a,
            language="en",
            now=tables.utc_now(),
        )
    return token


def test_a_reply_on_the_personal_link_and_the_answer_back(
    browser: Browser, staff_site: Staff, base_url: str
) -> None:
    token = _personal_link(staff_site)
    desk = browser.new_context(viewport=DESKTOP, locale="en-GB", bypass_csp=True)
    worker = desk.new_page()
    sign_in(worker, staff_site, "cw_a")
    worker.goto(f"{staff_site.url}/flags/{staff_site.crisis}")
    worker.get_by_label("Your message").fill("I read what you wrote. Shall we meet on Tuesday?")
    worker.get_by_role("button", name="Send the reply").click()
    expect(worker.get_by_text("replied to the client")).to_be_visible()

    phone = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    client = phone.new_page()
    client.goto(f"{base_url}/chat/p/{token}")
    expect(client.get_by_role("heading", name="Message from your worker")).to_be_visible()
    expect(client.get_by_text("Shall we meet on Tuesday?")).to_be_visible()
    check_axe(client, "personal page with a reply")
    shot(client, "answer-1-reply-on-personal-page")
    client.get_by_label("Your answer").fill("Tuesday is fine, after school.")
    client.get_by_role("button", name="Send the answer").click()
    expect(client.get_by_text("Your answer went to your worker", exact=False)).to_be_visible()
    shot(client, "answer-2-sent")
    client.goto(f"{base_url}/chat/p/{token}")
    expect(client.get_by_role("heading", name="Message from your worker")).to_have_count(0)

    worker.goto(f"{staff_site.url}/flags")
    expect(worker.get_by_text("New answer")).to_be_visible()
    worker.goto(f"{staff_site.url}/flags/{staff_site.crisis}")
    expect(worker.get_by_text("Tuesday is fine, after school.")).to_be_visible()
    expect(worker.get_by_text("the client answered")).to_be_visible()
    shot(worker, "answer-3-worker-reads")
    phone.close()
    desk.close()
