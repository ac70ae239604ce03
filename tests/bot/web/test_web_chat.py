"""The web chat through real HTTP: plain form posts against uvicorn, no JavaScript."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.channels.web import WebSettings
from bot.channels.web.session import COOKIE
from bot.qr import qr_png, qr_svg
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.helpers import all_cells, rows
from tests.support.web import Form, forms, language_form, page_text, question_form


async def start(client: httpx.AsyncClient, dialog: str, path: str = "/chat/u1") -> httpx.Response:
    page = await client.get(path)
    assert page.status_code == 200
    form = question_form(page.text)
    return await client.post(form.action, data=form.data(dialog=dialog))


async def press(client: httpx.AsyncClient, page: httpx.Response, button: str) -> httpx.Response:
    form = question_form(page.text)
    name, value = form.button(button)
    return await client.post(form.action, data=form.data(**{name: value}))


async def write(client: httpx.AsyncClient, page: httpx.Response, text: str) -> httpx.Response:
    form = question_form(page.text)
    assert form.textarea
    return await client.post(form.action, data=form.data(action="text", text=text))


async def youth_checkin(client: httpx.AsyncClient) -> httpx.Response:
    page = await start(client, "youth_checkin")
    assert "How much joy" in page_text(page.text)
    for answer in ("4", "3", "2", "5"):
        page = await press(client, page, answer)
        assert page.status_code == 200, page.text
    assert "anything else you want us to know" in page_text(page.text)
    return await write(client, page, "The <b>coffee</b> was good")


async def test_a_whole_youth_checkin_by_plain_form_posts(
    client: httpx.AsyncClient, database: Database
) -> None:
    page = await youth_checkin(client)
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Thank you!" in text
    assert "You: The <b>coffee</b> was good" in text  # escaped, shown as typed
    assert "<b>coffee" not in page.text
    answers = rows(database, tables.Answer)
    assert [(a.measure, a.number) for a in answers[:4]] == [
        ("joy", 4.0),
        ("belonging", 3.0),
        ("coping", 2.0),
        ("physical", 5.0),
    ]
    assert answers[4].measure == "note"
    assert answers[4].text_sealed
    [response] = rows(database, tables.Response)
    assert response.anonymous
    assert response.client_id is None
    assert response.channel == "web"
    assert response.completed
    assert rows(database, tables.Conversation) == []
    assert rows(database, tables.Outbox) == []


async def test_every_question_shows_its_skip_button(client: httpx.AsyncClient) -> None:
    page = await start(client, "open_feedback")
    form = question_form(page.text)
    assert ("choice", "rating:skip", "Skip") in form.buttons
    page = await press(client, page, "Skip")
    assert question_form(page.text).textarea
    page = await press(client, page, "Skip")
    assert "Thank you!" in page_text(page.text)


async def test_after_an_anonymous_conversation_nothing_links_it_to_the_session(
    client: httpx.AsyncClient, database: Database, service: ConversationService
) -> None:
    await youth_checkin(client)
    token = client.cookies[COOKIE].split(".")[0]
    secrets = {token, service.address_hmac("web", token)}
    found = [cell for cell in all_cells(database) if any(s in cell[2] for s in secrets)]
    assert found == []


async def test_cookies_and_security_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/chat/u1")
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https gets Secure
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text
    assert " style=" not in page.text
    assert "onclick" not in page.text
    assert '<html lang="en">' in page.text
    for asset in ("/static/web/kerro.css", "/static/web/kerro.js"):
        assert (await client.get(asset)).status_code == 200


async def test_over_https_the_session_cookie_is_secure(client: httpx.AsyncClient) -> None:
    # uvicorn trusts X-Forwarded-Proto from loopback, as from a reverse proxy
    page = await client.get("/chat/u1", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in page.headers["set-cookie"]


async def test_an_expired_or_forged_session_is_refused_and_a_new_page_starts_over(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/chat/u1")
    form = question_form(page.text)
    token, issued, mac = client.cookies[COOKIE].split(".")
    client.cookies.set(COOKIE, f"{token}.{int(issued) - 10 * 3600}.{mac}")
    refused = await client.post(form.action, data=form.data(dialog="open_feedback"))
    assert refused.status_code == 403
    assert "was open too long" in page_text(refused.text)
    again = await client.get("/chat/u1")
    assert COOKIE in again.headers["set-cookie"]


async def test_a_replayed_form_post_is_refused_and_stored_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    page = await start(client, "open_feedback")
    form = question_form(page.text)
    data = form.data(choice="rating:happy")
    first = await client.post(form.action, data=data)
    assert first.status_code == 200
    replays = await asyncio.gather(*(client.post(form.action, data=data) for _ in range(5)))
    assert [r.status_code for r in replays] == [409] * 5
    assert "sent already" in page_text(replays[0].text)
    assert len(rows(database, tables.Answer)) == 1


async def test_a_wrong_csrf_token_is_refused_in_the_persons_language(
    client: httpx.AsyncClient, database: Database
) -> None:
    page = await client.get("/chat/u1", headers={"Accept-Language": "sv-FI,sv;q=0.9"})
    form = question_form(page.text)
    refused = await client.post(
        form.action,
        data=form.data(csrf="0" * 32, dialog="open_feedback"),
        headers={"Accept-Language": "sv-FI,sv;q=0.9"},
    )
    assert refused.status_code == 403
    assert '<html lang="sv">' in refused.text
    assert "Sidan har gått ut" in page_text(refused.text)
    assert rows(database, tables.ProcessedUpdate) == []


async def test_a_post_without_a_session_is_refused(base_url: str, database: Database) -> None:
    async with httpx.AsyncClient(base_url=base_url) as stranger:
        page = await stranger.get("/chat/u1")
        form = question_form(page.text)
        stranger.cookies.clear()
        refused = await stranger.post(form.action, data=form.data(dialog="open_feedback"))
    assert refused.status_code == 403
    assert '<html lang="fi">' in refused.text  # the default language
    assert rows(database, tables.Conversation) == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/chat/nope", 404),
        ("/chat/bad%20code", 404),
        ("/kiosk/nope", 404),
        ("/chat/i/" + "x" * 65, 404),
        ("/chat/i/bad.code", 404),
        ("/qr/nope.svg", 404),
        ("/qr/u1.gif", 404),
    ],
)
async def test_unknown_codes_get_a_clear_404_page(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    page = await client.get(path)
    assert page.status_code == status
    assert "This link doesn't work" in page_text(page.text)
    assert page.headers["content-type"].startswith("text/html")


async def test_oversized_and_malformed_posts_get_4xx_and_store_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    page = await start(client, "open_feedback")
    page = await press(client, page, "Happy")
    form = question_form(page.text)
    answers = len(rows(database, tables.Answer))
    too_long = await client.post(form.action, data=form.data(action="text", text="x" * 4001))
    assert too_long.status_code == 413
    assert "at most 4000 characters" in page_text(too_long.text)
    huge = await client.post(
        form.action,
        content=b"text=" + b"x" * 20_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    bad = [
        (form.data(choice="no colon"), None),
        (form.data(choice="a:" + "b" * 80), None),
        (form.data(), None),  # no action at all
        (form.data(nonce="short"), None),
        (form.data(lang="de"), None),
    ]
    for data, _ in bad:
        response = await client.post(form.action, data={**data, "action": data.get("action", "")})
        assert 400 <= response.status_code < 500, (data, response.status_code)
    raw = [
        (b"\xff\xfe=\xff", "application/x-www-form-urlencoded"),
        (b"csrf=a&csrf=b", "application/x-www-form-urlencoded"),
        (b"action=text&text=a%00b", "application/x-www-form-urlencoded"),
        (b'{"text": "x"}', "application/json"),
        (b"--x\r\n", "multipart/form-data; boundary=x"),
    ]
    for body, content_type in raw:
        response = await client.post(
            form.action, content=body, headers={"Content-Type": content_type}
        )
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert "<main" in response.text
    assert len(rows(database, tables.Answer)) == answers
    # The question is still open and can be answered.
    done = await write(client, page, "fine")
    assert "Thank you!" in page_text(done.text)


async def test_an_empty_answer_gets_a_hint_and_the_question_again(
    client: httpx.AsyncClient,
) -> None:
    page = await start(client, "open_feedback")
    page = await press(client, page, "Happy")
    again = await write(client, page, "   ")
    assert again.status_code == 200
    assert question_form(again.text).textarea


async def test_reloading_the_page_shows_the_open_question(client: httpx.AsyncClient) -> None:
    page = await start(client, "youth_checkin")
    page = await press(client, page, "4")
    reloaded = await client.get("/chat/u1")
    assert "belong with other people" in page_text(reloaded.text)
    assert question_form(reloaded.text).button("3")


async def test_the_language_switch_changes_the_page_and_the_conversation(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/chat/u1")
    form = language_form(page.text)
    swedish = await client.post(form.action, data=form.data(lang="sv"))
    assert '<html lang="sv">' in swedish.text
    assert "Frågor om hur du mår – för unga" in page_text(swedish.text)
    page = await start(client, "youth_checkin")
    assert '<html lang="sv">' in page.text
    form = language_form(page.text)
    finnish = await client.post(form.action, data=form.data(lang="fi"))
    assert '<html lang="fi">' in finnish.text
    assert "1 = ei yhtään iloa" in page_text(finnish.text)  # the open question, in Finnish
    assert question_form(finnish.text).button("4")


async def test_an_invite_link_starts_as_a_deep_link_does(
    client: httpx.AsyncClient, database: Database
) -> None:
    page = await client.get("/chat/i/u1")
    assert page.status_code == 200
    started = await client.post(
        question_form(page.text).action, data=question_form(page.text).data(action="begin")
    )
    assert "anonymous" in page_text(started.text)  # the unit's open feedback, for now


async def test_an_unknown_invite_link_says_at_once_that_it_does_not_work(
    client: httpx.AsyncClient, database: Database
) -> None:
    unknown = await client.get("/chat/i/no-such-invite")
    assert unknown.status_code == 404
    assert "This link doesn't work" in page_text(unknown.text)
    assert "Start" not in page_text(unknown.text)
    assert [f for f in forms(unknown.text) if f.buttons and not language_buttons(f)] == []
    # A stale form of such a page still gets the bot's own answer.
    known = await client.get("/chat/i/u1")
    form = question_form(known.text)
    answer = await client.post("/chat/i/no-such-invite", data=form.data(action="begin"))
    assert answer.status_code == 200
    assert "this link doesn't work" in page_text(answer.text)


def language_buttons(form: Form) -> bool:
    return any(name == "lang" for name, _, _ in form.buttons)


async def test_the_kiosk_cycle_gives_each_visitor_a_new_session(
    client: httpx.AsyncClient, database: Database, service: ConversationService
) -> None:
    page = await client.get("/kiosk/u1")
    first_cookie = client.cookies[COOKIE]
    form = question_form(page.text)
    assert [v for _, v, _ in form.buttons] == [
        "rating:very_unhappy",
        "rating:unhappy",
        "rating:happy",
        "rating:very_happy",
        "menu:helpnow",
    ]  # big smileys and "I need help now", no skip on the start screen
    page = await client.post(form.action, data=form.data(choice="rating:very_happy"))
    assert question_form(page.text).textarea
    page = await write(client, page, "Nice staff")
    assert "Thank you!" in page_text(page.text)
    assert "Nice staff" not in page.text
    assert client.cookies[COOKIE] != first_cookie  # the next person's session
    assert 'http-equiv="refresh"' in page.text
    # A visitor who walks away mid-way: the next page load forgets their conversation.
    page = await client.get("/kiosk/u1")
    form = question_form(page.text)
    await client.post(form.action, data=form.data(choice="rating:unhappy"))
    walked_away = client.cookies[COOKIE]
    assert len(rows(database, tables.Conversation)) == 1
    await client.get("/kiosk/u1")
    assert rows(database, tables.Conversation) == []
    assert [a.choice for a in rows(database, tables.Answer) if a.measure == "rating"] == [
        "very_happy",
        "unhappy",
    ]
    # Nothing in the database leads back to either visitor's session.
    tokens = {first_cookie.split(".")[0], walked_away.split(".")[0]}
    secrets = tokens | {service.address_hmac("web", token) for token in tokens}
    assert [cell for cell in all_cells(database) if any(s in cell[2] for s in secrets)] == []


@pytest.mark.parametrize("web_settings", [WebSettings(rate_per_session=3)])
async def test_too_many_requests_get_a_friendly_429(client: httpx.AsyncClient) -> None:
    page = await client.get("/chat/u1")
    statuses = []
    for _ in range(6):
        form = question_form(page.text)
        response = await client.post(form.action, data=form.data(lang="en"))
        statuses.append(response.status_code)
        if response.status_code == 200:
            page = response
    assert 429 in statuses
    refused = await client.post(form.action, data=form.data(lang="en"))
    assert refused.status_code == 429
    assert "wait a minute" in page_text(refused.text)
    assert int(refused.headers["retry-after"]) >= 1


async def test_unit_qr_codes_are_served_as_svg_and_png(client: httpx.AsyncClient) -> None:
    svg = await client.get("/qr/u1.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    assert "Unit one" in svg.text
    png = await client.get("/qr/u1.png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("web_settings", [WebSettings(public_url="https://kerro.example/")])
async def test_qr_codes_point_at_the_public_url_when_it_is_set(client: httpx.AsyncClient) -> None:
    svg = await client.get("/qr/u1.svg")
    title = "QR code: the feedback chat of Unit one"
    assert svg.text == qr_svg("https://kerro.example/chat/u1", title=title)
    png = await client.get("/qr/u1.png")
    assert png.content == qr_png("https://kerro.example/chat/u1")


async def test_without_a_public_url_qr_codes_point_at_the_request_host(
    client: httpx.AsyncClient,
) -> None:
    png = await client.get("/qr/u1.png")
    base = str(client.base_url).rstrip("/")
    assert base.startswith("http://127.0.0.1:")
    assert png.content == qr_png(f"{base}/chat/u1")


@pytest.mark.parametrize("web_settings", [WebSettings(kiosk_idle_seconds=37)])
async def test_the_kiosk_thanks_screen_follows_the_idle_time(client: httpx.AsyncClient) -> None:
    page = await client.get("/kiosk/u1")
    assert 'data-idle="37"' in page.text
    form = question_form(page.text)
    page = await client.post(form.action, data=form.data(choice="rating:happy"))
    page = await write(client, page, "ok")
    assert "Thank you!" in page_text(page.text)
    assert 'data-idle="37"' in page.text
    assert 'content="37;url=/kiosk/u1"' in page.text


def test_qr_module_makes_svg_and_png_without_network() -> None:
    svg = qr_svg("https://kerro.example/chat/i/abc", title="Invite")
    assert svg.startswith("<svg")
    assert "<title>Invite</title>" in svg
    assert qr_png("https://kerro.example/chat/demo").startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="1 to 1000"):
        qr_svg("")


async def test_a_kiosk_keeps_its_own_language_and_each_visitor_may_switch(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/kiosk/u1?lang=sv")
    assert '<html lang="sv">' in page.text
    form = language_form(page.text)
    assert form.action == "/kiosk/u1?lang=sv"
    english = await client.post(form.action, data=form.data(lang="en"))
    assert '<html lang="en">' in english.text
    form = question_form(english.text)
    page = await client.post(form.action, data=form.data(choice="rating:happy"))
    assert "Tell us more" in page_text(page.text)
    page = await write(client, page, "ok")
    assert '<html lang="en">' in page.text
    assert "Thank you!" in page_text(page.text)
    assert 'href="/kiosk/u1?lang=sv"' in page.text  # back to the tablet's own language
    again = await client.get("/kiosk/u1?lang=sv")
    assert '<html lang="sv">' in again.text


async def test_the_database_away_gives_one_friendly_503_page(
    client: httpx.AsyncClient, service: ConversationService
) -> None:
    page = await client.get("/chat/u1")
    form = question_form(page.text)
    working = service.database
    service.database = Database.from_url("sqlite:////nonexistent-directory/kerro.db")
    try:
        shown = await client.get("/chat/u1?lang=sv")  # a page load: is a question open?
        answered = await client.post(form.action, data=form.data(dialog="youth_checkin"))
    finally:
        service.database.dispose()
        service.database = working
    for response in (shown, answered):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "30"
        assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in shown.text
    assert "Inte tillgänglig just nu" in page_text(shown.text)
    assert "Not available right now" in page_text(answered.text)
    assert 'href="/chat/u1"' in answered.text  # back to the page that was posted from
    again = await client.post(form.action, data=form.data(dialog="youth_checkin"))
    assert again.status_code == 200
