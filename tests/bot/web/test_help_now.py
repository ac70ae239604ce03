""" "I need help now" on the web chat and the kiosk, through real HTTP: on every question, in
the page's language; a press shows the help numbers and the question again, and links to
nobody."""

from __future__ import annotations

import httpx
import pytest

from bot.channels.web.session import COOKIE
from bot.messages import HELP_NOW_DATA
from bot.screening import HELP_NOW_RULE
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.helpers import all_cells, rows
from tests.support.web import page_text, question_form

LABEL = {"fi": "Tarvitsen apua nyt", "sv": "Jag behöver hjälp nu", "en": "I need help now"}
INTRO = {"fi": "Et ole yksin", "sv": "Du är inte ensam", "en": "You are not alone"}
# Anonymous in a unit: the staff may read it later, but cannot contact the writer.
ANONYMOUS = {
    "fi": "Työntekijät voivat lukea tämän myöhemmin",
    "sv": "Personalen kan läsa det här senare",
    "en": "Staff may read this later",
}
MLL = {"fi": "116 111", "sv": "0800 96 116", "en": "116 111"}


async def press_help(client: httpx.AsyncClient, page: httpx.Response, language: str) -> str:
    form = question_form(page.text)
    name, value = form.button(LABEL[language])
    assert (name, value) == ("choice", HELP_NOW_DATA)
    assert f'class="help-now">{LABEL[language]}</button>' in page.text
    answered = await client.post(form.action, data=form.data(**{name: value}))
    assert answered.status_code == 200
    return answered.text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_web_chat_offers_help_now_on_every_question_and_goes_on(
    client: httpx.AsyncClient, database: Database, language: str
) -> None:
    page = await client.get(f"/chat/u1?lang={language}")
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(dialog="youth_checkin"))
    html = await press_help(client, page, language)
    text = page_text(html)
    assert INTRO[language] in text
    assert MLL[language] in text
    assert ANONYMOUS[language] in text
    assert text.rindex(LABEL[language]) > text.index(MLL[language])  # the question, again
    # The dialog goes on; every question offers the button, the text question too.
    form = question_form(html)
    seen = 0
    while seen < 10:
        assert form.button(LABEL[language]) == ("choice", HELP_NOW_DATA)
        seen += 1
        if form.textarea:
            break
        answer = next(v for n, v, _ in form.buttons if n == "choice" and v != HELP_NOW_DATA)
        page = await client.post(form.action, data=form.data(choice=answer))
        form = question_form(page.text)
    assert form.textarea
    assert seen >= 5
    measures = [a.measure for a in rows(database, tables.Answer)]
    assert measures[:4] == ["joy", "belonging", "coping", "physical"]
    [flag] = [f for f in rows(database, tables.Flag) if f.rule == HELP_NOW_RULE]
    assert (flag.level, flag.client_id) == ("crisis", None)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_kiosk_start_screen_offers_help_now_and_the_visitor_goes_on(
    client: httpx.AsyncClient,
    database: Database,
    service: ConversationService,
    language: str,
) -> None:
    page = await client.get(f"/kiosk/u1?lang={language}")
    html = await press_help(client, page, language)
    text = page_text(html)
    assert INTRO[language] in text
    assert ANONYMOUS[language] in text
    assert "112" in text
    # The smileys again, and the visitor can go on.
    form = question_form(html)
    assert [v for _, v, _ in form.buttons][-1] == HELP_NOW_DATA
    assert "rating:happy" in [v for _, v, _ in form.buttons]
    await client.post(form.action, data=form.data(choice="rating:happy"))
    assert [a.choice for a in rows(database, tables.Answer)] == ["happy"]
    # Anonymous: the flag is the unit's, and nothing leads back to the visitor's session.
    [flag] = rows(database, tables.Flag)
    assert (flag.rule, flag.client_id) == (HELP_NOW_RULE, None)
    token = client.cookies[COOKIE].split(".")[0]
    stored = [c for c in all_cells(database) if c[0] != "conversation"]
    secrets = {token, service.address_hmac("web", token)}
    assert [cell for cell in stored if any(s in cell[2] for s in secrets)] == []
