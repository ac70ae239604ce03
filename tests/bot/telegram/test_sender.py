from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.channels.telegram.sender import SenderSettings, TelegramSender
from bot.messages import Inbound, Kind
from bot.service import ConversationService
from storage import tables
from storage.crypto import Purpose
from storage.db import Database
from storage.repositories import clients, contacts
from tests.bot.helpers import rows
from tests.bot.telegram.conftest import drain
from tests.support.clock import Clock
from tests.support.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.usefixtures("unit_id")


async def say(service: ConversationService, chat: int, key: str, kind: Kind, payload: str) -> None:
    await service.handle(
        Inbound("telegram", str(chat), key, kind, payload, language="en", unit_code="u1")
    )


async def start_feedback(service: ConversationService, chat: int) -> None:
    await say(service, chat, f"{chat}-start", Kind.COMMAND, "start u1")


def with_settings(sender: TelegramSender, **changes: object) -> TelegramSender:
    settings = dataclasses.replace(sender.settings, **changes)  # type: ignore[arg-type]
    return TelegramSender(
        database=sender.database,
        bot=sender.bot,
        keyring=sender.keyring,
        settings=settings,
        clock=sender.clock,
    )


async def test_each_chat_gets_its_messages_in_order(
    service: ConversationService, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    chats = [5001, 5002, 5003]
    for chat in chats:
        await start_feedback(service, chat)
        await say(service, chat, f"{chat}-a", Kind.TEXT, "2")
        await say(service, chat, f"{chat}-b", Kind.TEXT, "Fine")
    await drain(sender)
    for chat in chats:
        texts = [call["text"] for call in fake_api.sent(chat_id=str(chat))]
        assert texts[0].startswith("Hi! Here you can give feedback")
        assert texts[1].startswith("Tell us more")
        assert texts[2].startswith("Thank you!")
    assert fake_api.violations == []


async def test_a_chat_is_sent_to_at_most_once_an_interval(
    service: ConversationService, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    slow = with_settings(sender, chat_interval=3600.0)
    await start_feedback(service, 5010)
    await say(service, 5010, "5010-a", Kind.TEXT, "2")
    assert await slow.tick() == 1
    assert await slow.tick() == 0  # the chat's next message waits for its interval
    assert len(fake_api.sent()) == 1


async def test_the_overall_rate_bounds_a_round(
    service: ConversationService, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    limited = with_settings(sender, rate=2.0)
    for chat in range(5020, 5025):
        await start_feedback(service, chat)
    assert await limited.tick() == 2
    assert len(fake_api.sent()) == 2


async def test_429_waits_for_retry_after_then_sends(
    service: ConversationService,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    clock: Clock,
) -> None:
    await start_feedback(service, 5030)
    fake_api.fail("sendMessage", 429, retry_after=7)
    assert await sender.tick() == 1
    waiting = rows(database, tables.Outbox)
    assert {row.not_before for row in waiting} == {clock() + dt.timedelta(seconds=7)}
    sender.pacer._paused_until = 0.0  # the pause is in real time; the test does not wait it out
    assert await sender.tick() == 0  # not due before retry_after
    clock.advance(seconds=7)
    await drain(sender)
    assert rows(database, tables.Outbox) == []
    assert len(fake_api.sent()) == 2  # the refused try and the one that went through


async def test_403_marks_the_contact_inactive_and_drops_its_messages(
    service: ConversationService,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    clock: Clock,
) -> None:
    with database.transaction() as session:
        client = clients.add_client(
            session,
            unit_id=1,
            alias="A",
            case_ref="C",
            audience="parent",
            language="en",
            now=clock(),
        )
        assert client.id is not None
        contacts.link_contact(
            session,
            chat=service.chat_key("telegram", "5040"),
            client_id=client.id,
            language="en",
            now=clock(),
        )
    await start_feedback(service, 5040)
    await say(service, 5040, "5040-a", Kind.COMMAND, "help")
    fake_api.fail("sendMessage", 403, chat_id="5040")
    await drain(sender)
    assert rows(database, tables.Outbox) == []
    [contact] = rows(database, tables.Contact)
    assert contact.active is False


async def test_other_errors_back_off_and_end_as_dead_letters(
    service: ConversationService,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    clock: Clock,
) -> None:
    patient = with_settings(sender, max_attempts=3)
    await start_feedback(service, 5050)
    fake_api.fail("sendMessage", 500, times=3)
    delays = []
    for _ in range(3):
        assert await patient.tick() == 1
        head = rows(database, tables.Outbox)[0]
        delays.append(head.not_before - clock())
        clock.advance(seconds=600)
    dead = rows(database, tables.Outbox)
    assert all(row.dead_reason is not None and "3 attempts" in row.dead_reason for row in dead)
    assert delays[0] < delays[1]  # exponential backoff
    # A dead letter does not hold back the chat's later messages.
    await say(service, 5050, "5050-b", Kind.COMMAND, "help")
    await drain(patient)
    assert "I ask how you are" in fake_api.sent()[-1]["text"]


async def test_a_leased_message_is_sent_again_after_a_crash(
    service: ConversationService,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    clock: Clock,
) -> None:
    await start_feedback(service, 5060)
    # A sender leases the message and dies before sending it.
    jobs = await database.run(lambda session: sender._lease(session, 10))
    assert len(jobs) == 1
    restarted = with_settings(sender)
    assert await restarted.tick() == 0  # leased: nobody else takes it
    clock.advance(seconds=31)  # the lease ends
    await drain(restarted)
    assert len(fake_api.sent()) == 1
    assert rows(database, tables.Outbox) == []


async def test_long_texts_are_split_and_all_text_is_escaped(
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    keyring: object,
    service: ConversationService,
) -> None:
    from bot.messages import Button, Message

    long_text = ("Sää <b>& 'kylmä' " * 400).strip()
    message = Message(long_text, (Button("q:1", "<1>"),))
    with database.transaction() as session:
        from storage.repositories import outbox

        outbox.enqueue(
            session,
            chat=service.chat_key("telegram", "5070"),
            address_sealed=service.keyring.seal("5070", purpose=Purpose.CHAT_ADDRESS),
            payloads=[message.to_payload()],
            now=sender.clock(),
        )
    await drain(sender)
    sent = fake_api.sent()
    assert len(sent) >= 2
    assert fake_api.violations == []
    assert "reply_markup" in sent[-1]
    assert "reply_markup" not in sent[0]
    assert "&lt;b&gt;&amp;" in sent[0]["text"]


def test_settings_default_to_telegrams_limits() -> None:
    settings = SenderSettings()
    assert (settings.rate, settings.chat_interval) == (30.0, 1.0)
