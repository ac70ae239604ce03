"""`/checkin` from someone who is not enrolled: the anonymous check-ins of the unit they came
from (its link, `/start <code>`), as the unit's web page offers them, instead of a dead end."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram.sender import TelegramSender
from storage import tables
from storage.db import Database
from tests.bot.helpers import rows
from tests.bot.telegram.conftest import Webhook, callback, drain, message
from tests.support.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.usefixtures("unit_id")


def buttons(sent: dict[str, Any]) -> dict[str, str]:
    rows_ = sent["reply_markup"]["inline_keyboard"]
    return {b["callback_data"]: b["text"] for row in rows_ for b in row}


async def test_checkin_offers_the_units_anonymous_checkins_and_starts_one(
    webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi, database: Database
) -> None:
    chat = 4101
    assert (await webhook.post(message(chat, "/start u1"))).status_code == 200
    assert (await webhook.post(message(chat, "/checkin"))).status_code == 200
    await drain(sender)
    offer = next(s for s in fake_api.sent(chat_id=str(chat)) if "anonymously" in s["text"])
    assert "Which one fits you?" in offer["text"]
    offered = buttons(offer)
    assert {
        "checkin:youth_checkin:u1": "Check-in for young people",
        "checkin:child_checkin:u1": "Check-in for children",
        "checkin:parent_service:u1": "For parents: feedback on the service",
    }.items() <= offered.items()
    assert all(len(data.encode()) <= 64 for data in offered)

    await webhook.post(callback(chat, "checkin:youth_checkin:u1", message_id=1001))
    await drain(sender)
    [conversation] = rows(database, tables.Conversation)
    assert conversation.dialog_id == "youth_checkin"
    assert conversation.contact_id is None  # anonymous: nothing links it to the chat
    assert "joy" in fake_api.sent(chat_id=str(chat))[-1]["text"]
    assert fake_api.violations == []


async def test_the_offer_still_works_after_the_units_conversation_ended(
    webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi, database: Database
) -> None:
    chat = 4102
    await webhook.post(message(chat, "/start u1"))
    await webhook.post(message(chat, "/checkin"))
    await webhook.post(callback(chat, "rating:happy", message_id=1000))
    await webhook.post(message(chat, "Nice staff"))  # the feedback ends; its state is deleted
    assert rows(database, tables.Conversation) == []
    await webhook.post(callback(chat, "checkin:child_checkin:u1", message_id=1001))
    await drain(sender)
    [conversation] = rows(database, tables.Conversation)
    assert conversation.dialog_id == "child_checkin"
    assert conversation.contact_id is None


async def test_checkin_without_a_unit_says_where_to_start_and_stores_nothing(
    webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi, database: Database
) -> None:
    chat = 4103
    await webhook.post(message(chat, "/checkin"))
    await webhook.post(callback(chat, "checkin:youth_checkin:nosuchunit", message_id=1000))
    await drain(sender)
    texts = [s["text"] for s in fake_api.sent(chat_id=str(chat))]
    assert len(texts) == 2
    assert all("open your unit's link again" in text for text in texts)
    assert all("/" not in text for text in texts)  # no command to type
    assert rows(database, tables.Conversation) == []
