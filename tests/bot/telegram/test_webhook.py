from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.channels.telegram.sender import TelegramSender
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from storage.repositories import clients, contacts
from tests.bot.helpers import rows
from tests.bot.telegram.conftest import SECRET, Webhook, callback, drain, message
from tests.support.clock import Clock
from tests.support.fake_bot_api import TOKEN, FakeBotApi

pytestmark = pytest.mark.usefixtures("unit_id")


async def test_a_wrong_or_missing_secret_gets_401_and_touches_nothing(
    webhook: Webhook, database: Database
) -> None:
    for secret in (None, "wrong", SECRET + "x"):
        response = await webhook.post(message(42, "/start u1"), secret=secret)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    assert rows(database, tables.ProcessedUpdate) == []
    assert rows(database, tables.Outbox) == []


async def test_a_whole_checkin_through_the_webhook_with_buttons(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
) -> None:
    chat = 4001
    assert (await webhook.post(message(chat, "/start u1"))).status_code == 200
    await drain(sender)
    first = fake_api.sent()[-1]
    assert "anonymous" in first["text"]  # greeting and first question arrive as one message
    buttons = [b for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons][:4] == [
        "rating:very_unhappy",
        "rating:unhappy",
        "rating:happy",
        "rating:very_happy",
    ]
    question_id = 1000  # the fake API numbers messages from 1000
    response = await webhook.post(callback(chat, "rating:happy", message_id=question_id))
    assert response.status_code == 200
    await webhook.post(message(chat, "The <b>coffee</b> & the staff were nice"))
    await drain(sender)
    [answered] = fake_api.sent("answerCallbackQuery")
    [edited] = fake_api.sent("editMessageText")
    assert edited["text"].endswith("✓ 🙂 Happy")
    assert fake_api.sent()[-1]["text"].startswith("Thank you!")
    assert fake_api.violations == []
    stored = rows(database, tables.Answer)
    assert [(a.measure, a.choice) for a in stored] == [("rating", "happy"), ("comment", None)]
    assert rows(database, tables.Outbox) == []
    assert answered["callback_query_id"].startswith("cq")


async def test_ten_concurrent_deliveries_of_one_update_give_one_answer_and_one_reply(
    webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi, database: Database
) -> None:
    chat = 4002
    await webhook.post(message(chat, "/start u1"))
    await drain(sender)
    before = len(fake_api.sent())
    update = callback(chat, "rating:unhappy", message_id=1000)
    responses = await asyncio.gather(*(webhook.post(update) for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10
    await drain(sender)
    assert len(rows(database, tables.Answer)) == 1
    assert len(fake_api.sent()) == before + 1
    assert len(fake_api.sent("answerCallbackQuery")) == 1


async def test_the_database_away_gives_503_so_that_telegram_retries(
    webhook: Webhook, service: ConversationService, tmp_path: object
) -> None:
    working = service.database
    service.database = Database.from_url("sqlite:////nonexistent-directory/kerro.db")
    try:
        response = await webhook.post(message(4003, "hello"))
    finally:
        service.database.dispose()
        service.database = working
    assert response.status_code == 503
    retried = await webhook.post(message(4003, "hello"))
    assert retried.status_code == 200


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "u",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "text and buttons",
        ),
        (
            {"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]},
            "text and buttons",
        ),
        ({"voice": {"file_id": "v", "file_unique_id": "u", "duration": 1}}, "text and buttons"),
        ({"location": {"latitude": 60.17, "longitude": 24.94}}, "text and buttons"),
        ({"contact": {"phone_number": "+358", "first_name": "A"}}, "text and buttons"),
        ({"document": {"file_id": "d", "file_unique_id": "u"}}, "text and buttons"),
    ],
)
async def test_what_the_bot_cannot_use_gets_a_friendly_reply(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    content: dict[str, Any],
    expected: str,
) -> None:
    update = message(4004, "", **content)
    del update["message"]["text"]
    assert (await webhook.post(update)).status_code == 200
    await drain(sender)
    assert expected in fake_api.sent()[-1]["text"]


async def test_edited_and_forwarded_messages_are_answered(
    webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    edited = message(4005, "changed")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = 1767225700
    await webhook.post(edited)
    forwarded = message(
        4005,
        "someone else",
        forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "X"},
    )
    await webhook.post(forwarded)
    await drain(sender)
    texts = [call["text"] for call in fake_api.sent()]
    assert any("edited a message" in t for t in texts)
    assert any("forwarded" in t for t in texts)


async def test_in_a_group_the_bot_says_once_that_it_talks_in_private(
    webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    for text in ("hi bot", "/help", "anyone?"):
        update = message(-100200, text)
        update["message"]["chat"] = {"id": -100200, "type": "supergroup", "title": "G"}
        assert (await webhook.post(update)).status_code == 200
    channel_post = {
        "update_id": 999001,
        "channel_post": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": -100300, "type": "channel"},
            "text": "news",
        },
    }
    assert (await webhook.post(channel_post)).status_code == 200
    await drain(sender)
    [notice] = fake_api.sent()
    assert "private chats" in notice["text"]


async def test_blocking_the_bot_makes_the_contact_inactive_and_unblocking_active(
    webhook: Webhook, service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = 4006
    with database.transaction() as session:
        client = clients.add_client(
            session,
            unit_id=1,
            alias="A",
            case_ref="C1",
            audience="youth",
            language="en",
            now=clock(),
        )
        assert client.id is not None
        contacts.link_contact(
            session,
            chat=service.chat_key("telegram", str(chat)),
            client_id=client.id,
            language="en",
            now=clock(),
        )

    def member_update(status: str, update_id: int) -> dict[str, object]:
        member: dict[str, Any] = {
            "user": {"id": 123456, "is_bot": True, "first_name": "Kerro"},
            "status": status,
        }
        if status == "kicked":
            member["until_date"] = 0
        return {
            "update_id": update_id,
            "my_chat_member": {
                "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "A"},
                "date": 1,
                "old_chat_member": {"user": member["user"], "status": "member"}
                if status == "kicked"
                else {"user": member["user"], "status": "kicked", "until_date": 0},
                "new_chat_member": member,
            },
        }

    assert (await webhook.post(member_update("kicked", 777001))).status_code == 200
    [contact] = rows(database, tables.Contact)
    assert contact.active is False
    assert (await webhook.post(member_update("member", 777002))).status_code == 200
    [contact] = rows(database, tables.Contact)
    assert contact.active is True


async def test_no_log_line_holds_a_text_a_chat_id_or_the_token(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    chat = 918273645
    secret_text = "my-secret-words-zebra"
    await webhook.post(message(chat, "/start u1"))
    await webhook.post(message(chat, "3"))
    await webhook.post(message(chat, secret_text))
    fake_api.fail("sendMessage", 500, times=1)
    await drain(sender)
    await drain(sender)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # something was logged
    for forbidden in (secret_text, str(chat), TOKEN, TOKEN.split(":")[1]):
        assert forbidden not in logged
