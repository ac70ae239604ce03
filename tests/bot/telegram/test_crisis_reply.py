"""The crisis reply in Telegram, through the webhook and the fake Bot API: one message with
112 and the audience's line as plain text (Telegram links phone numbers itself), one inline
button "More places to get help", and its press gives the other lines in the chat's language."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram.sender import TelegramSender
from bot.service import ConversationService
from dialogs import helplines
from dialogs.helplines import Audience, Reader
from tests.bot.helpers import Chat
from tests.bot.telegram.conftest import Webhook, callback, drain, message
from tests.bot.test_crisis_reply import enrol_as
from tests.support.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.usefixtures("unit_id")

CRISIS = {"fi": "haluan kuolla", "sv": "jag vill dö", "en": "i want to die"}
MIELI = {"fi": "09 2525 0111", "sv": "09 2525 0112", "en": "09 2525 0111"}


def buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    markup = sent.get("reply_markup")
    return [b for row in markup["inline_keyboard"] for b in row] if markup else []


def texts(sent: list[dict[str, Any]]) -> str:
    return "\n".join(str(p["text"]) for p in sent)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_an_anonymous_crisis_gets_one_message_and_more_places_behind_a_button(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    service: ConversationService,
    language: str,
) -> None:
    chat_id = {"fi": 8101, "sv": 8102, "en": 8103}[language]
    await webhook.post(message(chat_id, "/start u1", language=language))  # open feedback
    await drain(sender)
    before = len(fake_api.sent(chat_id=str(chat_id)))
    await webhook.post(message(chat_id, CRISIS[language], language=language))
    await drain(sender)
    reply = fake_api.sent(chat_id=str(chat_id))[before:]
    translator = service.translations.get(language)
    first = reply[0]
    text = str(first["text"])
    assert text.startswith(translator.gettext(helplines.OPENING_SCREENED))
    assert translator.gettext(helplines.WHO_SEES[Reader.STAFF]) in text
    assert "112" in text
    assert "<a" not in text
    assert "tel:" not in text  # plain numbers: Telegram makes them tappable itself
    [more] = buttons(first)
    assert more == {
        "text": translator.gettext(helplines.MORE_LABEL),
        "callback_data": helplines.more_data(Audience.ANYONE),
    }
    # The other places to get help: a press, and they come in the chat's language.
    before = len(fake_api.sent(chat_id=str(chat_id)))
    await webhook.post(callback(chat_id, more["callback_data"], message_id=2000))
    await drain(sender)
    after = fake_api.sent(chat_id=str(chat_id))[before:]
    shown = texts(after)
    assert translator.gettext(helplines.MORE_TITLE) in shown
    for number in ("112", MIELI[language], "116 006"):
        assert number in shown
    assert translator.gettext(helplines.WHAT_NOW[Audience.YOUTH]) in shown
    edited = fake_api.sent("editMessageText")[-1]
    assert edited["text"].endswith(translator.gettext(helplines.MORE_LABEL))
    assert fake_api.violations == []


async def test_an_enrolled_youths_crisis_says_their_worker_sees_it_on_their_next_working_day(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    service: ConversationService,
) -> None:
    chat_id = 8201
    enrol_as(service, Chat(service, str(chat_id), channel="telegram"), "youth")
    await webhook.post(message(chat_id, "/checkin"))
    await drain(sender)
    before = len(fake_api.sent(chat_id=str(chat_id)))
    await webhook.post(message(chat_id, "I want to kill myself"))
    await drain(sender)
    reply = fake_api.sent(chat_id=str(chat_id))[before:]
    translator = service.translations.get("en")
    first = reply[0]
    assert translator.gettext(helplines.WHO_SEES[Reader.WORKER]) in str(first["text"])
    assert translator.gettext(helplines.TALK[Audience.YOUTH]) in str(first["text"])
    assert [b["callback_data"] for b in buttons(first)] == [helplines.more_data(Audience.YOUTH)]
    # Then the question again, with its own buttons and "I need help now".
    assert buttons(reply[-1])[-1]["callback_data"] == "menu:helpnow"
    assert fake_api.violations == []
