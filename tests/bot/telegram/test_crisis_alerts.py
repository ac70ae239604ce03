"""A crisis through each channel (terminal, Telegram through the webhook, the web chat through
uvicorn) gives the help numbers in the reply and exactly one alert on each configured alert
channel: e-mail (a real SMTP server), the signed webhook (a real receiver), and the
caseworker's linked Telegram chat (the fake Bot API)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiogram import Bot

from bot.alert_channels import StaffTelegramChannel
from bot.alerts import EMAIL, TELEGRAM, WEBHOOK, AlertChannel
from bot.channels.telegram.sender import TelegramSender
from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.crypto import Purpose
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
from tests.bot.telegram.conftest import Webhook, drain, message
from tests.support.alert_servers import Received, SmtpServer, WebhookReceiver
from tests.support.clock import Clock
from tests.support.fake_bot_api import FakeBotApi
from tests.support.web import page_text, question_form, serve, web_app

STAFF_CHAT = 909090
CRISIS = "i just want to die"
HELP = ("112", "116 111")  # 112, and the youth's line (the rest is one press away)


def link_staff_chat(service: ConversationService, *, staff_id: int) -> None:
    with service.database.transaction() as session:
        member = session.get(tables.Staff, staff_id)
        assert member is not None
        member.telegram_hmac = service.keyring.address_hmac("telegram", str(STAFF_CHAT))
        member.telegram_sealed = service.keyring.seal(str(STAFF_CHAT), purpose=Purpose.STAFF_CHAT)
        session.add(member)


async def by_terminal(service: ConversationService, setting: Setting) -> str:
    chat = Chat(service, "tty-1", channel="terminal")
    enrol_chat(service, chat, client_id=setting.client_id)
    await chat.begin("youth_checkin", language="en", unit_code="koti")
    await chat.send(Kind.TEXT, CRISIS)
    return "\n".join(m.text for m in chat.received)


async def by_telegram(
    service: ConversationService,
    setting: Setting,
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
) -> str:
    chat_id = 616161
    enrol_chat(service, Chat(service, str(chat_id), channel="telegram"), client_id=1)
    assert (await webhook.post(message(chat_id, "/checkin"))).status_code == 200
    assert (await webhook.post(message(chat_id, CRISIS))).status_code == 200
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
            page = await client.post(form.action, data=form.data(action="text", text=CRISIS))
            assert page.status_code == 200
            return page_text(page.text)


@pytest.mark.parametrize("channel", ["terminal", "telegram", "web"])
async def test_a_crisis_gives_help_numbers_and_one_alert_per_alert_channel(
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
        reply = await by_terminal(service, setting)
    elif channel == "telegram":
        reply = await by_telegram(service, setting, webhook, sender, fake_api)
    else:
        reply = await by_web(service)
    for number in HELP:
        assert number in reply

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
    assert flag.level == "crisis"

    # The web chat is anonymous: its alert goes to the on-call address, and no staff chat.
    enrolled = channel != "web"
    [mail] = smtp_server.handler.messages
    assert mail.recipients == [CASEWORKER if enrolled else ON_CALL]
    [document] = receiver.accepted
    assert document["flag"] == flag.public_id
    staff_alerts = fake_api.sent(chat_id=str(STAFF_CHAT))
    assert len(staff_alerts) == (1 if enrolled else 0)
    everything = [mail.decoded, receiver.bodies[0].decode()] + [
        str(p["text"]) for p in staff_alerts
    ]
    for text in everything:
        for word in (CRISIS, "want to die", ALIAS, CASE_REF, "616161", "tty-1"):
            assert word not in text


@pytest.mark.parametrize("channel", ["terminal", "telegram", "web"])
async def test_across_a_restart_mid_delivery_each_alert_channel_gets_its_alert(
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
    """The alert sender stops after the SMTP server accepted the e-mail and before it was
    recorded, while the webhook and the staff chat were sent and recorded. After the restart
    and the lease, the e-mail goes once more (the one duplicate we promise, with the same
    Message-ID); the webhook and the staff chat get nothing twice."""
    link_staff_chat(service, staff_id=setting.caseworker_id)
    if channel == "terminal":
        reply = await by_terminal(service, setting)
    elif channel == "telegram":
        reply = await by_telegram(service, setting, webhook, sender, fake_api)
    else:
        reply = await by_web(service)
    assert "116 111" in reply
    enrolled = channel != "web"
    others = 2 if enrolled else 1  # the webhook, and the staff chat of an enrolled client

    channels: dict[str, AlertChannel] = {
        EMAIL: email_channel(smtp_server),
        WEBHOOK: webhook_channel(receiver),
        TELEGRAM: StaffTelegramChannel(bot),
    }
    first = make_sender(service, channels)
    task = asyncio.create_task(first.run_forever())

    async def crash(_: Received) -> None:
        # Wait until the other channels' deliveries are recorded, then stop the sender before
        # it hears that the e-mail was accepted.
        while len(sent(database)) < others:  # noqa: ASYNC110 - the sender offers no event
            await asyncio.sleep(0.01)
        task.cancel()

    smtp_server.handler.on_message = crash
    with pytest.raises(asyncio.CancelledError):
        await task
    smtp_server.handler.on_message = None
    assert len(smtp_server.handler.messages) == 1
    assert {d.channel for d in rows(database, tables.AlertDelivery) if d.sent_at is None} == {EMAIL}

    second = make_sender(service, channels)
    assert await second.tick() == 0  # leased still
    clock.advance(seconds=61)
    assert await second.tick() == 1
    clock.advance(minutes=1)
    assert await second.tick() == 0

    first_copy, second_copy = smtp_server.handler.messages
    assert first_copy.recipients == second_copy.recipients == [CASEWORKER if enrolled else ON_CALL]
    assert first_copy.message["Message-ID"] == second_copy.message["Message-ID"]
    assert len(receiver.accepted) == 1
    assert len(fake_api.sent(chat_id=str(STAFF_CHAT))) == (1 if enrolled else 0)
    assert all(d.sent_at is not None for d in rows(database, tables.AlertDelivery))


def sent(database: Database) -> list[tables.AlertDelivery]:
    return [d for d in rows(database, tables.AlertDelivery) if d.sent_at is not None]
