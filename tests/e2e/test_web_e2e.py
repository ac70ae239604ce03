"""Whole conversations in a real browser: by clicks, by keyboard only, the kiosk cycle, the
language switch, and with JavaScript turned off."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, Page, expect

from storage import tables
from storage.db import Database
from tests.bot.helpers import rows
from tests.e2e.conftest import PHONE, shot

SCALE = ("4", "3", "2", "5")


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def test_a_whole_youth_checkin_by_clicks(page: Page, base_url: str, database: Database) -> None:
    page.goto(f"{base_url}/chat/demo")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "chat-1-start")
    page.get_by_role("button", name="Check-in for young people").click()
    expect(page.get_by_text("How much joy has there been")).to_be_visible()
    shot(page, "chat-2-first-question")
    for number in SCALE:
        button(page, number).click()
    expect(page.get_by_label("Your answer")).to_be_visible()
    # With JavaScript the page grew in place: the earlier questions are still there.
    expect(page.get_by_text("How much joy has there been")).to_be_visible()
    shot(page, "chat-3-free-text")
    page.get_by_label("Your answer").fill("School was fine this week.")
    button(page, "Send").click()
    expect(page.get_by_text("Thank you! Your answers are saved anonymously.")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the start")).to_be_visible()
    shot(page, "chat-4-thanks")
    stored = [(a.measure, a.number) for a in rows(database, tables.Answer)]
    assert stored[:4] == [("joy", 4.0), ("belonging", 3.0), ("coping", 2.0), ("physical", 5.0)]
    assert stored[4][0] == "note"


def _tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's accessible name is `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? (e.getAttribute('aria-label') || e.innerText || e.id || '').trim() : '' }"
        )
        if focused == name or (
            name == "textarea"
            and page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
        ):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {name!r}"
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_same_checkin_by_keyboard_only(page: Page, base_url: str, database: Database) -> None:
    page.goto(f"{base_url}/chat/demo")
    _tab_to(page, "Skip to the conversation")
    shot(page, "keyboard-1-skip-link")
    _tab_to(page, "Check-in for young people")
    page.keyboard.press("Enter")
    expect(page.get_by_text("How much joy has there been")).to_be_visible()
    for number in SCALE:
        _tab_to(page, number)
        if number == "2":
            shot(page, "keyboard-2-focus-on-a-scale")
        page.keyboard.press("Space" if number in ("3", "5") else "Enter")
        expect(page.locator("form.question").last).to_be_visible()
    _tab_to(page, "textarea")
    page.keyboard.type("Typed with the keyboard.")
    _tab_to(page, "Send")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you! Your answers are saved anonymously.")).to_be_visible()
    shot(page, "keyboard-3-thanks")
    assert len(rows(database, tables.Answer)) == 5


def test_the_kiosk_cycle(page: Page, base_url: str, database: Database) -> None:
    page.set_viewport_size({"width": 800, "height": 1280})  # a tablet on the wall
    page.goto(f"{base_url}/kiosk/demo")
    expect(button(page, "Very happy")).to_be_visible()
    first = {c["name"]: c["value"] for c in page.context.cookies()}["kerro_session"]
    shot(page, "kiosk-1-start")
    button(page, "Very happy").click()
    comment = page.get_by_label("Your answer")
    expect(comment).to_be_visible()
    assert comment.get_attribute("autocomplete") == "off"
    comment.fill("Kind staff, long queue.")
    shot(page, "kiosk-2-comment")
    button(page, "Send").click()
    expect(page.get_by_text("This screen goes back to the start in a moment.")).to_be_visible()
    shot(page, "kiosk-3-thanks")
    assert "Kind staff" not in page.content()
    # Back to the start by itself, with a new session and nothing of the previous person.
    expect(button(page, "Very unhappy")).to_be_visible(timeout=10_000)
    second = {c["name"]: c["value"] for c in page.context.cookies()}["kerro_session"]
    assert second != first
    assert "Kind staff" not in page.content()
    assert page.evaluate("() => history.length") <= 2
    [response] = rows(database, tables.Response)
    assert response.completed
    assert response.anonymous
    assert next(a.choice for a in rows(database, tables.Answer)) == "very_happy"


def test_the_language_switch(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/chat/demo")
    expect(button(page, "English")).to_have_attribute("aria-current", "true")
    button(page, "Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Frågor om hur du mår – för unga")).to_be_visible()
    shot(page, "language-1-swedish")
    page.get_by_role("button", name="Frågor om hur du mår – för unga").click()
    expect(button(page, "4")).to_be_visible()
    button(page, "Suomi").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_text(re.compile("ei yhtään iloa"))).to_be_visible()
    expect(button(page, "Ohita").last).to_be_visible()
    shot(page, "language-2-finnish-question")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fi")


def test_a_checkin_without_javascript(browser: Browser, base_url: str, database: Database) -> None:
    context = browser.new_context(viewport=PHONE, locale="fi-FI", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/chat/demo")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.get_by_role("button", name="Kuulumiskysely nuorille").click()
    for number in SCALE:
        button(page, number).click()
        page.wait_for_load_state()
    shot(page, "nojs-1-free-text")
    button(page, "Ohita").click()
    expect(page.get_by_text(re.compile("^Kiitos!"))).to_be_visible()
    shot(page, "nojs-2-thanks")
    context.close()
    answers = rows(database, tables.Answer)
    assert [a.measure for a in answers] == ["joy", "belonging", "coping", "physical", "note"]
    assert answers[-1].skipped


def test_the_invite_page_and_an_error_page(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/chat/i/demo")
    expect(button(page, "Start")).to_be_visible()
    shot(page, "invite-1-start")
    button(page, "Start").click()
    expect(button(page, "Happy")).to_be_visible()  # a unit code as an invite: its feedback
    response = page.goto(f"{base_url}/chat/no-such-unit")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    shot(page, "error-404")


def test_each_part_of_the_history_keeps_its_own_language(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/chat/demo")
    page.get_by_role("button", name="Check-in for young people").click()
    expect(button(page, "4")).to_be_visible()
    button(page, "Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    langs = page.eval_on_selector_all("#log .turn", "turns => turns.map(t => t.lang)")
    assert langs == ["en", "en", "sv"]  # start, the first question, the switch
    expect(page.get_by_text("Hur mycket glädje")).to_be_visible()


def test_i_need_help_now_shows_the_help_numbers_and_the_question_again(
    page: Page, base_url: str, database: Database
) -> None:
    page.goto(f"{base_url}/chat/demo")
    page.get_by_role("button", name="Check-in for young people").click()
    expect(page.get_by_text("How much joy has there been")).to_be_visible()
    button(page, "I need help now").last.click()
    expect(page.get_by_text("116 111").first).to_be_visible()
    expect(page.get_by_text("Staff may read this later").first).to_be_visible()
    shot(page, "chat-help-now")
    button(page, "4").last.click()
    expect(page.get_by_text("How much have you felt").last).to_be_visible()
    assert [(f.level, f.rule) for f in rows(database, tables.Flag)] == [("crisis", "help_now")]
    assert [a.measure for a in rows(database, tables.Answer)] == ["joy"]
