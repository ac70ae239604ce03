"""The crisis reply on the web chat and the kiosk, through real HTTP: the numbers are `tel:`
links, "More places to get help" is a form of the page's own session, and a kiosk page that
shows help waits for the person (five minutes, not the thanks screen's moment)."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.web import WebSettings
from bot.channels.web.views import tel_links
from dialogs import helplines
from dialogs.helplines import HelpNumbers
from tests.support.web import Form, forms, page_text, question_form

NUMBERS = HelpNumbers.load().numbers()
TEL = tel_links(NUMBERS)


def more_form(page: str) -> Form:
    [form] = [f for f in forms(page) if any(v.startswith("morehelp:") for _, v, _ in f.buttons)]
    return form


def idle(page: str) -> int:
    found = re.search(r'data-idle="(\d+)"', page)
    assert found is not None
    return int(found.group(1))


@pytest.mark.parametrize(
    "web_settings", [WebSettings(kiosk_idle_seconds=60, kiosk_thanks_seconds=8)]
)
async def test_a_kiosk_page_with_help_waits_until_the_person_leaves_it(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/kiosk/u1?lang=en")
    assert idle(page.text) == 60
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(choice="rating:very_unhappy"))
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(text="i want to die", action="text"))
    assert page.status_code == 200
    shown = page.text
    # Not the thanks screen's 8 seconds: five minutes, also without JavaScript.
    assert idle(shown) == 300
    assert 'http-equiv="refresh" content="300;' in shown
    assert "This screen goes back to the start in a moment." not in page_text(shown)
    assert re.search(
        r'<a class="button-link done" href="/kiosk/u1\?lang=en">Back to the start', shown
    )
    assert '<a class="tel" href="tel:112">112</a>' in shown
    # The button to more places works with the next person's new session (this one ended).
    form = more_form(shown)
    assert form.button(helplines.MORE_LABEL) == ("choice", "morehelp:anyone")
    more = await client.post(form.action, data=form.data(choice="morehelp:anyone"))
    assert more.status_code == 200
    assert "More places to get help:" in page_text(more.text)
    assert '<a class="tel" href="tel:0925250111">09 2525 0111</a>' in more.text
    assert idle(more.text) == 300
    # Leaving it: the start screen again, with the usual idle time.
    start = await client.get("/kiosk/u1?lang=en")
    assert idle(start.text) == 60
    assert "msg bot help" not in start.text


async def test_ordinary_feedback_on_the_kiosk_keeps_the_short_thanks_screen(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/kiosk/u1?lang=en")
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(choice="rating:happy"))
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(text="Nice staff.", action="text"))
    assert "This screen goes back to the start in a moment." in page_text(page.text)
    assert idle(page.text) == 60
    assert "Back to the start" not in page_text(page.text)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_web_chats_help_is_tappable_and_its_footer_too(
    client: httpx.AsyncClient, language: str
) -> None:
    page = await client.get(f"/chat/u1?lang={language}")
    assert '<a class="tel" href="tel:112">112</a>' in page.text.split("<footer")[1]
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(dialog="youth_checkin"))
    form = question_form(page.text)
    press = await client.post(form.action, data=form.data(choice="menu:helpnow"))
    shown = press.text
    [help_block] = re.findall(r'<div class="msg bot help">.*?</form>', shown, flags=re.DOTALL)
    assert '<a class="tel" href="tel:112">112</a>' in help_block
    mll = "0800 96 116" if language == "sv" else "116 111"
    digits = mll.replace(" ", "")
    assert f'<a class="tel" href="tel:{digits}">{mll}</a>' in help_block
    assert more_form(shown).buttons[0][1] == "morehelp:youth"


def test_tel_links_finds_whole_numbers_only() -> None:
    linked = str(TEL("Call 112 or 09 2525 0112, not 1120 or 2112. <b>116 111</b>"))
    assert linked.count('href="tel:112"') == 1
    assert 'href="tel:0925250112">09 2525 0112</a>' in linked
    assert "&lt;b&gt;" in linked
    assert 'href="tel:116111"' in linked
    assert "1120" in linked
    assert "2112" in linked


@given(st.text(max_size=200))
def test_tel_links_keeps_any_text_as_it_was_and_escaped(text: str) -> None:
    linked = str(TEL(text))
    assert "<" not in re.sub(r'<a class="tel" href="tel:\d+">|</a>', "", linked)
    assert html.unescape(re.sub(r"<[^>]+>", "", linked)) == text
