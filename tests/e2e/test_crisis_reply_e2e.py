"""The crisis reply in a real browser: its numbers are tappable `tel:` links, the other lines
are one press away, and a kiosk keeps the help on screen until the person leaves it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from bot.channels.web import WebSettings
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.helpers import rows
from tests.e2e.conftest import shot
from tests.support.web import serve, web_app

# A kiosk that starts over quickly: after 1 s on the thanks screen, after 2 s untouched; the
# help stays for five minutes.
KIOSK = WebSettings(kiosk_thanks_seconds=1, kiosk_idle_seconds=2, kiosk_help_seconds=300)


@pytest.fixture
def quick_kiosk(web_service: ConversationService) -> Iterator[str]:
    with serve(web_app(web_service, KIOSK)) as url:
        yield url


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def session_cookie(page: Page) -> str:
    return {c["name"]: c["value"] for c in page.context.cookies()}["kerro_session"]


def write_on_the_kiosk(page: Page, base_url: str, text: str) -> None:
    page.set_viewport_size({"width": 800, "height": 1280})
    page.goto(f"{base_url}/kiosk/demo")
    button(page, "Very unhappy").click()
    page.get_by_label("Your answer").fill(text)
    button(page, "Send").click()


def test_the_kiosk_keeps_the_help_on_screen_until_the_person_leaves_it(
    page: Page, quick_kiosk: str, database: Database
) -> None:
    write_on_the_kiosk(page, quick_kiosk, "I want to kill myself")
    help_message = page.locator(".msg.help").first
    expect(help_message).to_contain_text("This is an automatic reply.")
    expect(help_message).to_contain_text("Staff may read this later")
    expect(page.locator('a.tel[href="tel:112"]').first).to_be_visible()
    shot(page, "kiosk-help-1")
    # Far longer than the thanks screen (1 s) or the idle time (2 s): the help is still there.
    page.wait_for_timeout(4_000)
    expect(help_message).to_be_visible()
    expect(button(page, "Very unhappy")).to_have_count(0)
    # The other places to get help, one press away; they stay too.
    button(page, "More places to get help").click()
    more = page.locator(".msg.help").filter(has_text="More places to get help:")
    expect(more).to_contain_text("09 2525 0111")
    expect(page.locator('a.tel[href="tel:0925250111"]')).to_be_visible()
    expect(page.locator('a.tel[href="tel:116006"]')).to_be_visible()
    shot(page, "kiosk-help-2-more")
    page.wait_for_timeout(3_000)
    expect(more).to_be_visible()
    # The person leaves it: the start screen, with a new session.
    before = session_cookie(page)
    page.get_by_role("link", name="Back to the start").click()
    expect(button(page, "Very unhappy")).to_be_visible()
    expect(page.locator(".msg.help")).to_have_count(0)
    assert session_cookie(page) != before
    assert "kill myself" not in page.content()
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.client_id) == ("crisis", None)


def test_without_help_the_kiosk_still_starts_over_at_once(page: Page, quick_kiosk: str) -> None:
    """The control: the same kiosk after ordinary feedback goes back to the start by itself."""
    write_on_the_kiosk(page, quick_kiosk, "The coffee was cold.")
    expect(page.get_by_text("This screen goes back to the start in a moment.")).to_be_visible()
    expect(button(page, "Very unhappy")).to_be_visible(timeout=5_000)


def test_the_web_chats_help_numbers_are_tappable_and_more_is_one_press_away(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}/chat/demo")
    page.get_by_role("button", name="Feedback", exact=False).first.click()
    button(page, "Unhappy").click()
    page.get_by_label("Your answer").fill("my friend says she will kill herself tonight")
    button(page, "Send").click()
    help_message = page.locator(".msg.help")
    expect(help_message).to_contain_text("If you or someone else is in danger now, call 112.")
    link = help_message.locator('a.tel[href="tel:112"]')
    expect(link).to_have_text("112")
    shot(page, "chat-crisis-reply")
    button(page, "More places to get help").click()
    more = page.locator(".msg.help").filter(has_text="More places to get help:")
    expect(more.locator('a.tel[href="tel:116111"]')).to_be_visible()
    expect(more.locator('a.tel[href="tel:0925250113"]')).to_be_visible()
    expect(more).to_contain_text("What to do now")
    # The first message stays readable above, without its button.
    expect(page.locator(".msg.help")).to_have_count(2)
    expect(button(page, "More places to get help")).to_have_count(0)
    # The page's footer links 112 too.
    expect(page.locator('footer a.tel[href="tel:112"]')).to_be_visible()
