"""The staff pages in a real browser: a caseworker signs in, finds a crisis flag at the top of
the inbox and acknowledges it, by mouse and by keyboard alone; new flags appear without a
reload; axe-core (WCAG 2.1 AA) finds no serious or critical violation on any page. Each page's
screenshot goes to tmp/artifacts/staff/ (not committed)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlmodel import select

from api.app import create_staff_app
from api.context import ApiContext, PageSettings
from bot.i18n import Translations
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import contacts
from tests.api.conftest import World, _add_response, _flag, build_world
from tests.conftest import TEST_SECRET
from tests.e2e.conftest import PHONE
from tests.support.clock import Clock
from tests.support.web import serve

ARTIFACTS = Path(__file__).resolve().parents[2] / "tmp" / "artifacts" / "staff"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
SERIOUS = ("serious", "critical")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_script() -> str:
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text()
    except ModuleNotFoundError:  # pragma: no cover - a dev dependency
        pytest.fail("axe-core is missing: pip install axe-playwright-python")


@dataclass
class Staff:
    url: str
    world: World
    database: Database
    crisis: str  # the crisis flag's public id


@pytest.fixture
def staff_site(database: Database, translations: Translations) -> Iterator[Staff]:
    keyring = Keyring(TEST_SECRET)
    clock = Clock()
    world = build_world(database, keyring, clock)
    with database.transaction() as session:
        response_id, _ = _add_response(
            session,
            keyring,
            unit_id=world.unit_a,
            client_id=world.client_a,
            when=clock() - dt.timedelta(hours=2),
            note="I don't want to live any more",
        )
        crisis = _flag(
            session,
            response_id=response_id,
            unit_id=world.unit_a,
            client_id=world.client_a,
            level="crisis",
            when=clock() - dt.timedelta(hours=2),
        )
    with database.transaction() as session:  # client A's Telegram chat, messages allowed
        contacts.link_contact(
            session,
            chat=ChatKey("telegram", keyring.address_hmac("telegram", "777")),
            client_id=world.client_a,
            language="en",
            now=clock(),
            address_sealed=keyring.seal("777", purpose=Purpose.CHAT_ADDRESS),
        )
    context = ApiContext(
        database=database,
        keyring=keyring,
        clock=clock,
        public_url="https://kerro.example",
        pages=PageSettings(translations=translations, poll_seconds=1),
    )
    with serve(create_staff_app(context=context)) as url:
        yield Staff(url, world, database, crisis)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def check_axe(page: Page, name: str) -> None:
    """No serious or critical WCAG 2.1 A/AA violation on the page."""
    page.evaluate(_axe_script())
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not bad, f"{name}: {bad}"
    assert results["passes"], "axe checked nothing"


def sign_in(page: Page, site: Staff, actor: str) -> None:
    page.goto(f"{site.url}/sign-in")
    page.get_by_label("Staff token").fill(site.world.tokens[actor] or "")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Flag inbox")).to_be_visible()


def _status(site: Staff, public_id: str) -> str:
    with site.database.transaction() as session:
        flag = session.exec(select(tables.Flag).where(tables.Flag.public_id == public_id)).one()
        return flag.status


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    # axe is injected by evaluate; the pages' CSP allows only their own scripts.
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_a_caseworker_finds_the_crisis_at_the_top_and_acknowledges_it(
    desktop: Page, staff_site: Staff
) -> None:
    page = desktop
    page.goto(f"{staff_site.url}/sign-in")
    shot(page, "01-sign-in")
    check_axe(page, "sign-in")
    sign_in(page, staff_site, "cw_a")
    first = page.locator("li.flag").first
    expect(first).to_contain_text("Crisis")
    expect(first).to_contain_text("Youth A")
    expect(page.locator("li.flag")).to_have_count(2)
    shot(page, "02-inbox")
    check_axe(page, "inbox")
    first.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status").first).to_have_text("You acknowledged the flag.")
    assert _status(staff_site, staff_site.crisis) == "acknowledged"
    shot(page, "03-inbox-acknowledged")

    page.locator("li.flag").first.get_by_role("link", name="Open the flag").click()
    expect(page.get_by_text("I don't want to live any more")).to_be_visible()
    shot(page, "04-flag")
    check_axe(page, "flag")
    page.get_by_label("Your message").fill("I read this. I will call you at 10.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Your reply is on its way to the client's chat.")).to_be_visible()
    with staff_site.database.transaction() as session:
        [queued] = session.exec(select(tables.Outbox)).all()
        assert "I will call you at 10." in str(queued.payload["text"])
    page.get_by_label("What was done (a note)").fill("Called and met the same day.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("You resolved the flag.")).to_be_visible()
    assert _status(staff_site, staff_site.crisis) == "resolved"
    shot(page, "05-flag-resolved")

    page.get_by_role("link", name="Youth A").click()
    expect(page.get_by_role("heading", name="Youth A")).to_be_visible()
    shot(page, "06-client")
    check_axe(page, "client")
    page.get_by_role("button", name="Create an invite").click()
    expect(page.get_by_text("https://kerro.example/chat/i/")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    shot(page, "07-invite")
    check_axe(page, "invite")
    page.emulate_media(media="print")
    shot(page, "08-invite-print")
    expect(page.locator("header.top")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Clients").click()
    shot(page, "09-clients")
    check_axe(page, "clients")
    page.get_by_role("link", name="Units").click()
    expect(page.get_by_role("heading", name="Units")).to_be_visible()
    shot(page, "10-units")
    check_axe(page, "units")
    page.get_by_role("link", name=re.compile("^Poster for the wall")).click()
    expect(page.get_by_text("https://kerro.example/chat/a")).to_be_visible()
    page.emulate_media(media="print")
    shot(page, "11-poster-print")
    page.emulate_media(media="screen")
    check_axe(page, "poster")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{staff_site.url}/flags")
    expect(page).to_have_url(f"{staff_site.url}/sign-in")


def test_the_admins_audit_log_and_each_language(desktop: Page, staff_site: Staff) -> None:
    page = desktop
    sign_in(page, staff_site, "admin")
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Member of staff").select_option(label="admin")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="flag.list").first).to_be_visible()
    shot(page, "12-audit")
    check_axe(page, "audit")
    for code, heading in (("fi", "Tapahtumaloki"), ("sv", "Granskningslogg")):
        page.get_by_role("link", name={"fi": "Suomeksi", "sv": "På svenska"}[code]).click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_axe(page, f"audit-{code}")
    page.goto(f"{staff_site.url}/flags")
    expect(page.locator("html")).to_have_attribute("lang", "sv")  # the choice is kept
    shot(page, "13-inbox-sv")


def _focused(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement; return e ? (e.innerText || '').trim() : '' }"
        )
    )


def test_the_inbox_by_keyboard_only_on_a_phone(browser: Browser, staff_site: Staff) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{staff_site.url}/sign-in")
    page.keyboard.press("Tab")  # the skip link
    assert _focused(page) == "Skip to the content"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "token":
            break
    page.keyboard.type(staff_site.world.tokens["cw_a"] or "")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Flag inbox")).to_be_visible()
    shot(page, "14-phone-inbox")
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused(page).startswith("Acknowledge"):
            break
    else:
        raise AssertionError("Tab never reached an Acknowledge button")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # The first Acknowledge reached is the crisis flag's (the inbox's first).
    assert page.evaluate(
        "() => document.activeElement.closest('li.flag').classList.contains('level-crisis')"
    )
    shot(page, "15-phone-focus-on-acknowledge")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You acknowledged the flag.")).to_be_visible()
    assert _status(staff_site, staff_site.crisis) == "acknowledged"
    context.close()


def test_a_new_flag_appears_without_a_reload(desktop: Page, staff_site: Staff) -> None:
    page = desktop
    sign_in(page, staff_site, "cw_a")
    expect(page.locator("li.flag")).to_have_count(2)
    page.evaluate("() => { window.notReloaded = true; }")
    world = staff_site.world
    with staff_site.database.transaction() as session:
        response_id, _ = _add_response(
            session,
            Keyring(TEST_SECRET),
            unit_id=world.unit_a,
            client_id=world.client_a,
            when=dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC),
            note="again",
        )
        _flag(
            session,
            response_id=response_id,
            unit_id=world.unit_a,
            client_id=world.client_a,
            level="concern",
            when=dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC),
        )
    expect(page.locator("li.flag")).to_have_count(3, timeout=10_000)
    expect(page.locator(".counts li").first).to_contain_text("3")
    assert page.evaluate("() => window.notReloaded === true")
    expect(page.locator("#inbox-news")).to_have_text("The list was updated.")
