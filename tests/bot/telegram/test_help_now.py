""" "I need help now" through each channel: the terminal, Telegram through the webhook and the
fake Bot API, and the web chat through uvicorn. A press gives the help numbers in the chat's
language and asks the question again; an enrolled client's press reaches their worker as a
crisis alert, an anonymous one the unit's on-call address and no staff chat."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from aiogram import Bot

from bot.alert_channels import StaffTelegramChannel
from bot.alerts import EMAIL, TELEGRAM, WEBHOOK
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.setup import register_commands
from bot.messages import HELP_NOW_DATA, Kind
from bot.screening import HELP_NOW_RULE
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.alerts.fixtures import (
    ALIAS,
    CASE_REF,
    CASEWORKER,
    ON_CALL,
    Setting,
    email_channel,
    enrol_chat,
    make_sender,
    webhook_channel,
)
from tests.bot.helpers import Chat, rows
from tests.bot.telegram.conftest import Webhook, callback, drain, message
from tests.bot.telegram.test_crisis_alerts import STAFF_CHAT, link_staff_chat
from tests.support.alert_servers import SmtpServer, WebhookReceiver
from tests.support.clock import Clock
from tests.support.fake_bot_api import FakeBotApi
from tests.support.web import page_text, question_form, serve, web_app

HELP = ("112", "116 111")  # 112, and the youth's line
MLL = {"fi": "116 111", "sv": "0800 96 116", "en": "116 111"}
LABEL = {"fi": "Tarvitsen apua nyt", "sv": "Jag behöver hjälp nu", "en": "I need help now"}
FIRST = {"fi": "Kuinka paljon elämässäsi", "sv": "Hur mycket glädje", "en": "How much joy"}
INTRO = {"fi": "Et ole yksin", "sv": "Du är inte ensam", "en": "You are not alone"}


def buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]


async def by_terminal(service: ConversationService) -> str:
    chat = Chat(service, "tty-2", channel="terminal")
    enrol_chat(service, chat, client_id=1)
    await chat.begin("youth_checkin", language="en", unit_code="koti")
    assert chat.received[-1].buttons[-1].data == HELP_NOW_DATA
    await chat.send(Kind.CHOICE, HELP_NOW_DATA)
    return "\n".join(m.text for m in chat.received)


async def by_telegram(
    service: ConversationService, webhook: Webhook, sender: TelegramSender, fake_api: FakeBotApi
) -> str:
    chat_id = 626262
    enrol_chat(service, Chat(service, str(chat_id), channel="telegram"), client_id=1)
    assert (await webhook.post(message(chat_id, "/checkin"))).status_code == 200
    await drain(sender)
    question = fake_api.sent(chat_id=str(chat_id))[-1]
    pressed = buttons(question)[-1]
    assert (pressed["text"], pressed["callback_data"]) == (LABEL["en"], HELP_NOW_DATA)
    update = callback(chat_id, HELP_NOW_DATA, message_id=1000)
    assert (await webhook.post(update)).status_code == 200
    await drain(sender)
    return "\n".join(str(p["text"]) for p in fake_api.sent(chat_id=str(chat_id)))


async def by_web(service: ConversationService) -> str:
    with serve(web_app(service)) as url:
        async with httpx.AsyncClient(
            base_url=url, timeout=30, headers={"Accept-Language": "en"}
        ) as client:
            page = await client.get("/chat/koti")
            form = question_form(page.text)
            page = await client.post(form.action, data=form.data(dialog="youth_checkin"))
            form = question_form(page.text)
            name, value = form.button(LABEL["en"])
            page = await client.post(form.action, data=form.data(**{name: value}))
            assert page.status_code == 200
            # The question is asked again, with its buttons.
            assert question_form(page.text).button(LABEL["en"])
            assert question_form(page.text).button("3")
            return page_text(page.text)


@pytest.mark.parametrize("channel", ["terminal", "telegram", "web"])
async def test_help_now_gives_help_numbers_and_one_alert_per_alert_channel(
    channel: str,
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    bot: Bot,
    clock: Clock,
) -> None:
    link_staff_chat(service, staff_id=setting.caseworker_id)
    if channel == "terminal":
        reply = await by_terminal(service)
    elif channel == "telegram":
        reply = await by_telegram(service, webhook, sender, fake_api)
    else:
        reply = await by_web(service)
    for number in HELP:
        assert number in reply
    assert reply.rindex(FIRST["en"]) > reply.index("116 111")  # the question comes again

    alerts = make_sender(
        service,
        {
            EMAIL: email_channel(smtp_server),
            WEBHOOK: webhook_channel(receiver),
            TELEGRAM: StaffTelegramChannel(bot),
        },
    )
    await alerts.tick()
    clock.advance(minutes=1)
    assert await alerts.tick() == 0
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.rule) == ("crisis", HELP_NOW_RULE)

    # The web chat is anonymous: its alert goes to the on-call address, and no staff chat.
    enrolled = channel != "web"
    assert (flag.client_id is not None) == enrolled
    [mail] = smtp_server.handler.messages
    assert mail.recipients == [CASEWORKER if enrolled else ON_CALL]
    [document] = receiver.accepted
    assert document["flag"] == flag.public_id
    staff_alerts = fake_api.sent(chat_id=str(STAFF_CHAT))
    assert len(staff_alerts) == (1 if enrolled else 0)
    for text in [mail.decoded, receiver.bodies[0].decode()] + [
        str(p["text"]) for p in staff_alerts
    ]:
        for word in (ALIAS, CASE_REF, "626262", "tty-2"):
            assert word not in text


@pytest.mark.usefixtures("unit_id")
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_an_anonymous_telegram_chat_presses_help_now_in_its_language(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    language: str,
) -> None:
    chat_id = {"fi": 6301, "sv": 6302, "en": 6303}[language]
    await webhook.post(message(chat_id, "/start u1", language=language))
    await drain(sender)
    question = fake_api.sent(chat_id=str(chat_id))[-1]
    pressed = buttons(question)[-1]
    assert (pressed["text"], pressed["callback_data"]) == (LABEL[language], HELP_NOW_DATA)
    before = len(fake_api.sent(chat_id=str(chat_id)))
    await webhook.post(callback(chat_id, HELP_NOW_DATA, message_id=1000))
    await drain(sender)
    reply = fake_api.sent(chat_id=str(chat_id))[before:]
    assert INTRO[language] in str(reply[0]["text"])
    assert MLL[language] in "\n".join(str(p["text"]) for p in reply)
    # The open question comes again, with its buttons.
    assert buttons(reply[-1])[-1]["callback_data"] == HELP_NOW_DATA
    assert buttons(reply[-1])[0]["callback_data"] == buttons(question)[0]["callback_data"]
    [edited] = fake_api.sent("editMessageText")
    assert edited["text"].endswith(LABEL[language])
    # An anonymous response's flag: the unit's, of nobody.
    [flag] = rows(database, tables.Flag)
    assert (flag.rule, flag.client_id) == (HELP_NOW_RULE, None)
    assert fake_api.violations == []


@pytest.mark.usefixtures("unit_id")
@pytest.mark.parametrize(
    ("command", "language"),
    [("/apu", "fi"), ("/hjalp", "sv"), ("/hjälp", "sv"), ("/helpnow", "en")],
)
async def test_the_help_now_commands_give_the_help_numbers(
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    database: Database,
    command: str,
    language: str,
) -> None:
    chat_id = {"/apu": 6401, "/hjalp": 6402, "/hjälp": 6403, "/helpnow": 6404}[command]
    await webhook.post(message(chat_id, command, language=language))
    await drain(sender)
    sent = "\n".join(str(p["text"]) for p in fake_api.sent(chat_id=str(chat_id)))
    assert INTRO[language] in sent
    assert MLL[language] in sent
    # Outside a dialog, and nobody known: nothing is stored.
    assert rows(database, tables.Flag) == []
    assert rows(database, tables.Response) == []


async def test_help_now_is_first_in_the_command_menu_under_each_languages_name(
    bot: Bot, fake_api: FakeBotApi, service: ConversationService
) -> None:
    await register_commands(bot, service.translations)
    menus = {c.get("language_code"): c["commands"] for c in fake_api.sent("setMyCommands")}
    assert menus["fi"][0] == {"command": "apu", "description": LABEL["fi"]}
    assert menus["sv"][0] == {"command": "hjalp", "description": LABEL["sv"]}
    assert menus["en"][0] == {"command": "helpnow", "description": LABEL["en"]}
    assert "help" in [c["command"] for c in menus["en"]]  # /help keeps its own meaning
    assert fake_api.violations == []
