"""A staff Telegram chat for alerts: linked with a one-time code (`/start <code>` through the
real webhook), stored only as an HMAC and sealed; a client's crisis then reaches it as a
message that names nobody."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot

from bot.alert_channels import StaffTelegramChannel
from bot.alerts import TELEGRAM
from bot.channels.telegram.sender import TelegramSender
from bot.commands import STAFF_LINKED
from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.repositories import staff
from tests.bot.alerts.fixtures import ALIAS, CASE_REF, Setting, enrol_chat, make_sender
from tests.bot.helpers import Chat, all_cells, rows
from tests.bot.telegram.conftest import Webhook, drain, message
from tests.support.clock import Clock
from tests.support.fake_bot_api import FakeBotApi

STAFF_CHAT = 424242
CLIENT_CHAT = 515151
CRISIS = "i just want to die"


def issue_code(database: Database, *, staff_id: int, now: dt.datetime) -> str:
    """What POST /api/v1/me/telegram-link does."""
    with database.transaction() as session:
        code, _ = staff.issue_telegram_code(
            session, staff_id=staff_id, now=now, lifetime=dt.timedelta(hours=1)
        )
    return code


async def test_a_linked_staff_chat_gets_the_alert_of_a_clients_crisis(
    service: ConversationService,
    database: Database,
    keyring: Keyring,
    setting: Setting,
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    bot: Bot,
    clock: Clock,
) -> None:
    code = issue_code(database, staff_id=setting.caseworker_id, now=clock())
    assert (await webhook.post(message(STAFF_CHAT, f"/start {code}"))).status_code == 200
    await drain(sender)
    [linked] = fake_api.sent(chat_id=str(STAFF_CHAT))
    assert linked["text"] == service.translations.get("en").gettext(STAFF_LINKED)

    [member] = [m for m in rows(database, tables.Staff) if m.id == setting.caseworker_id]
    assert member.telegram_hmac == keyring.address_hmac("telegram", str(STAFF_CHAT))
    assert member.telegram_sealed is not None
    assert keyring.open(member.telegram_sealed, purpose=Purpose.STAFF_CHAT) == str(STAFF_CHAT)
    assert member.telegram_code_hash is None
    assert not [cell for cell in all_cells(database) if str(STAFF_CHAT) in cell[2]]

    # A client of the caseworker writes a crisis in their Telegram chat.
    enrol_chat(service, Chat(service, str(CLIENT_CHAT), channel="telegram"), client_id=1)
    assert (await webhook.post(message(CLIENT_CHAT, "/checkin"))).status_code == 200
    assert (await webhook.post(message(CLIENT_CHAT, CRISIS))).status_code == 200
    await drain(sender)
    assert "116 111" in "\n".join(p["text"] for p in fake_api.sent(chat_id=str(CLIENT_CHAT)))

    alerts = make_sender(service, {TELEGRAM: StaffTelegramChannel(bot)})
    assert await alerts.tick() == 1
    assert await alerts.tick() == 0
    [_, alert] = fake_api.sent(chat_id=str(STAFF_CHAT))
    [flag] = rows(database, tables.Flag)
    text = str(alert["text"])
    assert "Kerro: uusi merkintä (kriisi) yksikössä Nuorisokoti Koti" in text
    assert f"http://127.0.0.1:8001/flags/{flag.public_id}" in text
    for word in (CRISIS, "want to die", ALIAS, CASE_REF, str(CLIENT_CHAT)):
        assert word not in text
    assert fake_api.violations == []


async def test_a_link_code_links_one_chat_once_and_expires(
    service: ConversationService,
    database: Database,
    setting: Setting,
    webhook: Webhook,
    sender: TelegramSender,
    fake_api: FakeBotApi,
    clock: Clock,
) -> None:
    code = issue_code(database, staff_id=setting.caseworker_id, now=clock())
    await webhook.post(message(STAFF_CHAT, f"/start {code}"))
    await webhook.post(message(STAFF_CHAT + 1, f"/start {code}"))
    await drain(sender)
    [refused] = fake_api.sent(chat_id=str(STAFF_CHAT + 1))
    assert refused["text"] != service.translations.get("en").gettext(STAFF_LINKED)

    late = issue_code(database, staff_id=setting.coordinator_id, now=clock())
    clock.advance(hours=1, seconds=1)
    await webhook.post(message(STAFF_CHAT + 2, f"/start {late}"))
    await drain(sender)
    [expired] = fake_api.sent(chat_id=str(STAFF_CHAT + 2))
    assert expired["text"] != service.translations.get("en").gettext(STAFF_LINKED)
    coordinator = [m for m in rows(database, tables.Staff) if m.id == setting.coordinator_id]
    assert coordinator[0].telegram_sealed is None


async def test_a_staff_code_links_nothing_from_another_channel(
    service: ConversationService, database: Database, setting: Setting, clock: Clock
) -> None:
    code = issue_code(database, staff_id=setting.caseworker_id, now=clock())
    chat = Chat(service, "web-session-token", channel="web")
    await chat.send(Kind.COMMAND, f"start {code}", language="en")
    [member] = [m for m in rows(database, tables.Staff) if m.id == setting.caseworker_id]
    assert member.telegram_sealed is None
