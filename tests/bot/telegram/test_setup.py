from __future__ import annotations

import asyncio
import contextlib

import pytest
from aiogram import Bot, Dispatcher

from bot.channels.telegram.inbound import create_router
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.setup import ALLOWED_UPDATES, register_commands, register_webhook
from bot.i18n import Translations
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.helpers import rows
from tests.bot.telegram.conftest import drain, message
from tests.support.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.usefixtures("unit_id")


async def test_commands_are_registered_in_every_language(
    bot: Bot, fake_api: FakeBotApi, translations: Translations
) -> None:
    await register_commands(bot, translations)
    calls = fake_api.sent("setMyCommands")
    assert [c.get("language_code") for c in calls] == [None, "fi", "sv", "en"]
    by_language = {c.get("language_code"): c["commands"] for c in calls}
    assert [c["command"] for c in by_language["en"]][:4] == [
        "helpnow",
        "checkin",
        "feedback",
        "info",
    ]
    assert by_language["fi"][0]["description"] != by_language["en"][0]["description"]
    assert by_language[None] == by_language["fi"]  # Finnish is the default
    assert fake_api.violations == []


async def test_the_webhook_is_registered_with_its_secret(bot: Bot, fake_api: FakeBotApi) -> None:
    await register_webhook(bot, public_url="https://kerro.example.fi/", secret="s3cret")
    [call] = fake_api.sent("setWebhook")
    assert call["url"] == "https://kerro.example.fi/telegram/webhook"
    assert call["secret_token"] == "s3cret"
    assert call["allowed_updates"] == ALLOWED_UPDATES


async def test_long_polling_reaches_the_same_service(
    bot: Bot,
    fake_api: FakeBotApi,
    service: ConversationService,
    sender: TelegramSender,
    database: Database,
) -> None:
    dispatcher = Dispatcher()
    dispatcher.include_router(create_router(service))
    fake_api.updates = [message(7001, "/start u1")]
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    try:
        for _ in range(100):
            if rows(database, tables.Conversation):
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
    await drain(sender)
    assert "give feedback" in fake_api.sent()[-1]["text"]


def test_the_command_menu_and_the_parser_know_the_commands_of_bot_commands() -> None:
    from bot.channels.telegram.inbound import COMMANDS, command_payload
    from bot.channels.telegram.setup import COMMAND_DESCRIPTIONS
    from bot.commands import ALIASES, NAMES

    assert set(COMMANDS) == {*NAMES, *ALIASES}
    assert {name for name, _ in COMMAND_DESCRIPTIONS} == set(NAMES) - {"start"}
    assert all(command_payload(f"/{name}") == name for name in COMMANDS)
