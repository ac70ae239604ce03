"""A worker's reply reaches a client without Telegram on their personal web link, and the
client answers back once, there or in Telegram ("Answer", then their next text). The answer
is screened like any text, kept sealed on the flag, marked "new answer" in the worker's
inbox, audited when read, and nobody else's to see. Real HTTP: the staff pages, the public
web chat, the Telegram webhook and the fake Bot API."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.channels.telegram.sender import TelegramSender
from bot.channels.web.session import new_nonce
from bot.service import ConversationService
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import contacts
from tests.api.conftest import World
from tests.api.pages.conftest import Browser, sign_in
from tests.bot.telegram import conftest as telegram
from tests.bot.telegram.conftest import Webhook, callback, drain, message
from tests.support.fake_bot_api import FakeBotApi
from tests.support.web import forms, page_text, serve, web_app

# The Telegram tests' fixtures: the fake Bot API, the bot, the sender and the webhook.
fake_api, bot, sender, webhook = telegram.fake_api, telegram.bot, telegram.sender, telegram.webhook

TITLE = "Message from your worker"
SENT = "Your answer went to your worker. They read it when they are at work."
ONCE = "You have answered this message already."
CHAT_ID = 515151


@pytest.fixture
def public_url(service: ConversationService) -> Iterator[str]:
    with serve(web_app(service)) as url:
        yield url


def _link_web(database: Database, keyring: Keyring, world: World) -> str:
    """Client A's personal web link (as `bot.personal.issue_link` leaves it): its token."""
    token = secrets.token_urlsafe(32)
    with database.transaction() as session:
        contacts.link_contact(
            session,
            chat=ChatKey("web", keyring.address_hmac("web", token)),
            client_id=world.client_a,
            language="en",
            now=tables.utc_now(),
        )
    return token


def _link_telegram(database: Database, keyring: Keyring, world: World) -> None:
    with database.transaction() as session:
        contacts.link_contact(
            session,
            chat=ChatKey("telegram", keyring.address_hmac("telegram", str(CHAT_ID))),
            client_id=world.client_a,
            language="en",
            now=tables.utc_now(),
            address_sealed=keyring.seal(str(CHAT_ID), purpose=Purpose.CHAT_ADDRESS),
        )


async def _reply(client: httpx.AsyncClient, csrf: str, world: World, text: str) -> None:
    sent = await client.post(f"/flags/{world.flag_a}/reply", data={"csrf": csrf, "text": text})
    assert sent.status_code == 303, sent.text


def _events(database: Database) -> list[str]:
    with database.transaction() as session:
        found = session.exec(select(tables.FlagEvent).order_by(tables.FlagEvent.id)).all()  # type: ignore[arg-type]
        return [event.action for event in found]


def _audit(database: Database) -> list[str]:
    with database.transaction() as session:
        return [row.action for row in session.exec(select(tables.AuditEntry)).all()]


async def _answer(web: httpx.AsyncClient, token: str, text: str) -> httpx.Response:
    """Answer the worker's reply shown on the personal page with `text`."""
    page = await web.get(f"/chat/p/{token}")
    [form] = [f for f in forms(page.text) if f.fields.get("action") == "answer"]
    return await web.post(form.action, data=form.data(text=text))


async def test_a_reply_shows_on_the_personal_link_and_takes_one_answer(
    browser: Browser,
    world: World,
    database: Database,
    keyring: Keyring,
    public_url: str,
) -> None:
    token = _link_web(database, keyring, world)
    staff = browser()
    csrf = await sign_in(staff, world, "cw_a")
    assert "Reply to the client" in (await staff.get(f"/flags/{world.flag_a}")).text
    await _reply(staff, csrf, world, "Shall we meet on <b>Tuesday</b>?")
    async with httpx.AsyncClient(base_url=public_url, headers={"Accept-Language": "en"}) as web:
        page = await web.get(f"/chat/p/{token}")
        assert page.status_code == 200
        text = page_text(page.text)
        assert TITLE in text
        assert "Shall we meet on <b>Tuesday</b>?" in text  # as typed, escaped in the HTML
        assert "<b>Tuesday" not in page.text
        assert "You can answer once" in text
        await web.get(f"/chat/p/{token}")  # shown again: recorded once
        assert _events(database) == ["reply", "shown"]
        answered = await _answer(web, token, "Tuesday is fine, after school.")
        assert answered.status_code == 200
        assert SENT in page_text(answered.text)
        assert "Tuesday is fine" in page_text(answered.text)  # what they wrote, shown back
        again = await web.get(f"/chat/p/{token}")
        assert TITLE not in page_text(again.text)  # answered: the box is gone
        # The old form posted again, with a new nonce: refused kindly, nothing stored.
        start = next(f for f in forms(again.text) if "nonce" in f.fields)
        second = await web.post(
            f"/chat/p/{token}",
            data={
                "csrf": start.fields["csrf"],
                "nonce": start.fields["nonce"],
                "action": "answer",
                "flag": world.flag_a,
                "text": "And one more thing",
            },
        )
        assert second.status_code == 200
        assert ONCE in page_text(second.text)
    assert _events(database) == ["reply", "shown", "answer"]
    with database.transaction() as session:
        [answer] = session.exec(
            select(tables.FlagEvent).where(tables.FlagEvent.action == "answer")
        ).all()
        assert answer.staff_id is None
        assert answer.note_sealed is not None
        assert "Tuesday" not in answer.note_sealed  # sealed
    await _worker_reads_the_answer(browser, staff, world, database, "Tuesday is fine")


async def _worker_reads_the_answer(
    browser: Browser,
    staff: httpx.AsyncClient,
    world: World,
    database: Database,
    answer: str,
) -> None:
    """The inbox says "New answer" until the flag's page has shown it; that look is audited
    once; a colleague who is not the client's worker sees neither the flag nor the answer."""
    assert "New answer" in (await staff.get("/flags")).text
    colleague = browser()
    await sign_in(colleague, world, "cw_a2")
    assert (await colleague.get(f"/flags/{world.flag_a}")).status_code == 404
    assert answer not in (await colleague.get("/flags")).text
    assert "flag.answer.read" not in _audit(database)
    page = await staff.get(f"/flags/{world.flag_a}")
    assert answer in page_text(page.text)
    assert "the client answered" in page_text(page.text)
    await staff.get(f"/flags/{world.flag_a}")
    assert _audit(database).count("flag.answer.read") == 1
    assert "New answer" not in (await staff.get("/flags")).text


async def test_a_crisis_in_the_answer_gets_the_help_numbers_and_a_crisis_flag(
    browser: Browser,
    world: World,
    database: Database,
    keyring: Keyring,
    public_url: str,
) -> None:
    token = _link_web(database, keyring, world)
    staff = browser()
    await _reply(staff, await sign_in(staff, world, "cw_a"), world, "How are you?")
    async with httpx.AsyncClient(base_url=public_url, headers={"Accept-Language": "en"}) as web:
        answered = await _answer(web, token, "I want to kill myself")
    text = page_text(answered.text)
    assert "112" in text
    assert SENT in text
    with database.transaction() as session:
        crisis = session.exec(
            select(tables.Flag).where(
                tables.Flag.client_id == world.client_a, tables.Flag.level == "crisis"
            )
        ).all()
    assert crisis  # a new crisis flag for the client's worker
    assert "answer" in _events(database)


def _buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]


async def test_in_telegram_answer_then_the_next_text_reaches_the_worker_once(
    browser: Browser,
    world: World,
    database: Database,
    keyring: Keyring,
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
) -> None:
    _link_telegram(database, keyring, world)
    staff = browser()
    await _reply(staff, await sign_in(staff, world, "cw_a"), world, "Call me when you can.")
    await drain(sender)
    [reply] = fake_api.sent(chat_id=str(CHAT_ID))
    assert "Call me when you can." in str(reply["text"])
    [button] = _buttons(reply)
    assert button["text"] == "Answer"
    assert (await webhook.post(callback(CHAT_ID, button["callback_data"], message_id=1))).is_success
    await drain(sender)
    assert "Write your answer in one message" in str(
        fake_api.sent(chat_id=str(CHAT_ID))[-1]["text"]
    )
    assert (await webhook.post(message(CHAT_ID, "I will call on Monday."))).is_success
    await drain(sender)
    assert SENT in str(fake_api.sent(chat_id=str(CHAT_ID))[-1]["text"])
    # Once: the button again is refused kindly, and the next text is no answer.
    assert (await webhook.post(callback(CHAT_ID, button["callback_data"], message_id=1))).is_success
    await drain(sender)
    assert ONCE in str(fake_api.sent(chat_id=str(CHAT_ID))[-1]["text"])
    assert (await webhook.post(message(CHAT_ID, "Hello again"))).is_success
    await drain(sender)
    assert SENT not in str(fake_api.sent(chat_id=str(CHAT_ID))[-1]["text"])
    assert _events(database) == ["reply", "answer_wait", "answer"]
    await _worker_reads_the_answer(browser, staff, world, database, "I will call on Monday.")


@pytest.fixture
async def replied(
    browser: Browser, world: World, database: Database, keyring: Keyring
) -> tuple[str, str]:
    """A reply waiting on client A's personal link: (its token, the flag)."""
    token = _link_web(database, keyring, world)
    staff = browser()
    await _reply(staff, await sign_in(staff, world, "cw_a"), world, "How are you?")
    return token, world.flag_a


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    flag=st.text(max_size=40) | st.from_regex(r"[0-9a-f]{32}", fullmatch=True) | st.just("real"),
    text=st.text(max_size=4100),
)
async def test_any_answer_post_is_no_error_and_at_most_one_answer(
    replied: tuple[str, str], public_url: str, database: Database, flag: str, text: str
) -> None:
    token, real = replied
    flag = real if flag == "real" else flag
    before = _events(database).count("answer")
    async with httpx.AsyncClient(base_url=public_url) as web:
        page = await web.get(f"/chat/p/{token}")
        csrf = next(f for f in forms(page.text) if "csrf" in f.fields).fields["csrf"]
        posted = await web.post(
            f"/chat/p/{token}",
            data={
                "csrf": csrf,
                "nonce": new_nonce(),
                "action": "answer",
                "flag": flag,
                "text": text,
            },
        )
    assert posted.status_code in (200, 400, 413), posted.text
    answers = _events(database).count("answer")
    assert answers <= 1
    if flag == real and text.strip() and len(text) <= 4000 and posted.status_code == 200:
        assert answers == 1  # the first such post answered; any later one was refused kindly
    else:
        assert answers == before
