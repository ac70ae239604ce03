"""A scheduled prompt on Telegram, end to end: the scheduler queues it, the outbox sender
delivers it to the local fake Bot API, the person presses its button (a webhook update),
and the check-in starts; a chat that answers 403 (blocked the bot) fails."""

from __future__ import annotations

import json

from bot.channels.telegram.sender import TelegramSender
from bot.scheduler import CheckinScheduler
from storage import tables
from storage.db import Database
from tests.bot.helpers import rows
from tests.bot.scheduler.conftest import World, add_schedule
from tests.bot.telegram.conftest import (  # noqa: F401 (fixtures)
    Webhook,
    bot,
    callback,
    drain,
    fake_api,
    sender,
    webhook,
)
from tests.support.clock import Clock
from tests.support.fake_bot_api import FakeBotApi

from .test_scheduler import statuses, to_slot


async def test_a_prompt_reaches_telegram_and_its_button_starts_the_check_in(
    database: Database,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    sender: TelegramSender,  # noqa: F811
    webhook: Webhook,  # noqa: F811
    fake_api: FakeBotApi,  # noqa: F811
) -> None:
    add_schedule(database, clock, world.unit_id)
    fake_api.fail("sendMessage", 403, chat_id="7002", times=5)
    to_slot(clock)
    assert await scheduler.sync() == 5
    await drain(sender)
    await scheduler.upkeep()
    assert statuses(database, world) == {
        "7001": "sent",
        "7002": "failed",
        "7003": "sent",
        "7004": "sent",
        "7005": "sent",
    }
    (prompt,) = [call for call in fake_api.answered if call.params.get("chat_id") == "7001"]
    assert str(prompt.params["text"]).startswith("Hi! It's time for a check-in")
    keyboard = prompt.params["reply_markup"]
    markup = json.loads(keyboard) if isinstance(keyboard, str) else keyboard
    data = markup["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("prompt:")
    pressed = await webhook.post(callback(7001, data, message_id=1000))
    assert pressed.status_code == 200
    await drain(sender)
    assert statuses(database, world)["7001"] == "started"
    after = [c for c in fake_api.answered if c.params.get("chat_id") == "7001"]
    assert any(c.method == "sendMessage" and c is not prompt for c in after)  # the first question
    assert [r.status for r in rows(database, tables.ScheduleRun)] == ["sent"]
    assert fake_api.violations == []
