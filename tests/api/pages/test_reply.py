"""A worker's reply on a flag's page reaches the client's Telegram chat (through the outbox,
the real sender and the fake Bot API over HTTP), says that the worker does not read the chat
all the time, and is recorded on the flag; nobody else's flag can be replied to."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from sqlmodel import select

from bot.channels.telegram.sender import SenderSettings, TelegramSender
from bot.channels.telegram.setup import create_bot
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import contacts
from tests.api.conftest import World
from tests.api.pages.conftest import Browser, sign_in
from tests.support.clock import Clock
from tests.support.fake_bot_api import TOKEN, FakeBotApi

CHAT_ID = "424242"


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def telegram(
    bot_api: FakeBotApi, database: Database, keyring: Keyring, clock: Clock
) -> AsyncIterator[TelegramSender]:
    bot: Bot = create_bot(TOKEN, api_base=bot_api.base)
    yield TelegramSender(
        database=database,
        bot=bot,
        keyring=keyring,
        settings=SenderSettings(rate=1000, chat_interval=0, idle_poll=0.05),
        clock=clock,
    )
    await bot.session.close()


def _link(database: Database, keyring: Keyring, world: World, *, agreed: bool) -> None:
    """Client A's Telegram chat, linked; its address stored only if they agreed."""
    with database.transaction() as session:
        contacts.link_contact(
            session,
            chat=ChatKey("telegram", keyring.address_hmac("telegram", CHAT_ID)),
            client_id=world.client_a,
            language="en",
            now=tables.utc_now(),
            address_sealed=(
                keyring.seal(CHAT_ID, purpose=Purpose.CHAT_ADDRESS) if agreed else None
            ),
        )


async def _drain(sender: TelegramSender) -> None:
    for _ in range(20):
        if await sender.tick() == 0:
            return


async def test_a_reply_reaches_the_clients_telegram_chat_and_is_recorded(
    browser: Browser,
    world: World,
    database: Database,
    keyring: Keyring,
    bot_api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    _link(database, keyring, world, agreed=True)
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    page = await client.get(f"/flags/{world.flag_a}")
    assert "Reply to the client" in page.text
    sent = await client.post(
        f"/flags/{world.flag_a}/reply",
        data={"csrf": csrf, "text": "I read your message. I will call you <b>today</b>."},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/flags/{world.flag_a}?done=replied"
    await _drain(telegram)
    [message] = bot_api.sent("sendMessage", chat_id=CHAT_ID)
    text = str(message["text"])
    assert text.startswith("A message from your worker:")
    assert "I will call you &lt;b&gt;today&lt;/b&gt;." in text  # the worker's text, escaped
    assert "does not read this chat all the time" in text
    with database.transaction() as session:
        assert session.exec(select(tables.Outbox)).all() == []  # delivered, so deleted
        [event] = session.exec(select(tables.FlagEvent)).all()
        assert event.action == "reply"
        assert event.note_sealed is not None
        assert "today" not in event.note_sealed  # sealed
        actions = [row.action for row in session.exec(select(tables.AuditEntry)).all()]
    assert actions.count("flag.reply") == 1
    page = await client.get(f"/flags/{world.flag_a}?done=replied")
    assert "Your reply is on its way to the client&#39;s chat." in page.text
    assert "replied to the client" in page.text


async def test_no_reply_without_a_chat_that_agreed_or_without_the_csrf_token(
    browser: Browser, world: World, database: Database, keyring: Keyring
) -> None:
    _link(database, keyring, world, agreed=False)
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    page = await client.get(f"/flags/{world.flag_a}")
    assert "Reply to the client" not in page.text
    refused = await client.post(f"/flags/{world.flag_a}/reply", data={"csrf": csrf, "text": "Hi"})
    assert refused.status_code == 409
    assert "Kerro cannot write to this client" in refused.text
    _link(database, keyring, world, agreed=True)
    replayed = await client.post(f"/flags/{world.flag_a}/reply", data={"text": "Hi"})
    assert replayed.status_code == 403
    other_unit = await client.post(
        f"/flags/{world.flag_b}/reply", data={"csrf": csrf, "text": "Hi"}
    )
    assert other_unit.status_code == 404
    colleague = browser()
    colleague_csrf = await sign_in(colleague, world, "cw_a2")
    not_theirs = await colleague.post(
        f"/flags/{world.flag_a}/reply", data={"csrf": colleague_csrf, "text": "Hi"}
    )
    assert not_theirs.status_code == 404
    empty = await client.post(f"/flags/{world.flag_a}/reply", data={"csrf": csrf, "text": ""})
    assert empty.status_code == 400
    with database.transaction() as session:
        assert session.exec(select(tables.Outbox)).all() == []
        assert session.exec(select(tables.FlagEvent)).all() == []
