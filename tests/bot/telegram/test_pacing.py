"""Telegram's limits, measured where the messages arrive (the fake Bot API's clock): no
second over the overall rate, no chat more than once a second, a 429's retry_after kept by
whichever process sends next. `test_two_processes.py` does the same with two `kerro serve`."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
import sqlalchemy as sa
from aiogram import Bot

from bot.channels.telegram.sender import SENDING_LEADER, SenderSettings, TelegramSender
from bot.messages import Inbound, Kind
from bot.service import ConversationService
from storage.crypto import Keyring
from storage.db import Database
from storage.leader import LeaderLock
from storage.tables import utc_now
from tests.support.fake_bot_api import FakeBotApi
from tests.support.pacing import busiest_second, sends, shortest_chat_gap

pytestmark = pytest.mark.usefixtures("unit_id")


async def say(service: ConversationService, chat: int, key: str, kind: Kind, payload: str) -> None:
    await service.handle(
        Inbound("telegram", str(chat), key, kind, payload, language="en", unit_code="u1")
    )


def paced(
    database: Database, bot: Bot, keyring: Keyring, *, rate: float, leader: LeaderLock | None
) -> TelegramSender:
    return TelegramSender(
        database=database,
        bot=bot,
        keyring=keyring,
        settings=SenderSettings(rate=rate, chat_interval=1.0, idle_poll=0.05, leader_check=0.1),
        clock=utc_now,  # real time: the pauses are waited out
        leader=leader,
    )


async def until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        await asyncio.sleep(0.02)
    return False


@contextlib.asynccontextmanager
async def running(*senders: TelegramSender):  # type: ignore[no-untyped-def]
    tasks = [asyncio.create_task(sender.run_forever()) for sender in senders]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_no_second_over_the_rate_and_no_chat_more_than_once_a_second(
    service: ConversationService,
    database: Database,
    bot: Bot,
    keyring: Keyring,
    fake_api: FakeBotApi,
) -> None:
    chats = range(7001, 7011)
    for chat in chats:  # each chat gets two sends: the opening question, then the next
        await say(service, chat, f"{chat}-s", Kind.COMMAND, "start u1")
        await say(service, chat, f"{chat}-a", Kind.TEXT, "2")
    sender = paced(database, bot, keyring, rate=4, leader=None)
    async with running(sender):
        assert await until(lambda: len(sends(fake_api.answered)) >= 20, 20)
    arrived = sends(fake_api.answered)
    assert len(arrived) == 20
    assert busiest_second(arrived) == 4  # the rate is reached, never passed
    assert shortest_chat_gap(arrived) >= 1.0
    assert fake_api.violations == []


async def test_a_429_stops_every_send_for_its_retry_after(
    service: ConversationService,
    database: Database,
    bot: Bot,
    keyring: Keyring,
    fake_api: FakeBotApi,
) -> None:
    for chat in range(7101, 7104):
        await say(service, chat, f"{chat}-s", Kind.COMMAND, "start u1")
    fake_api.fail("sendMessage", 429, retry_after=3)
    sender = paced(database, bot, keyring, rate=1, leader=None)
    async with running(sender):
        assert await until(lambda: len(sends(fake_api.answered)) >= 3, 20)
    refused = sends(fake_api.calls)[0]
    after = [call.at - refused.at for call in sends(fake_api.answered)]
    assert min(after) >= 3.0  # rate 1 alone would have sent again after one second


async def test_a_new_leader_keeps_the_last_ones_429_pause(
    service: ConversationService,
    database: Database,
    bot: Bot,
    keyring: Keyring,
    fake_api: FakeBotApi,
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite runs one process")
    first_lock = LeaderLock(database.engine, key=SENDING_LEADER)
    elsewhere = Database(sa.create_engine(database.engine.url))  # another process's connections
    second_lock = LeaderLock(elsewhere.engine, key=SENDING_LEADER)
    first = paced(database, bot, keyring, rate=10, leader=first_lock)
    second = paced(database, bot, keyring, rate=10, leader=second_lock)
    try:
        assert await first.leads()
        assert not await second.leads()  # one sender at a time
        await say(service, 7201, "7201-s", Kind.COMMAND, "start u1")
        fake_api.fail("sendMessage", 429, retry_after=3)
        await asyncio.sleep(1.05)  # a new leader first waits out what the last one sent
        assert await first.tick() == 1
        refused = sends(fake_api.calls)[0]
        first_lock.release()  # the leader goes (as if its process died)
        async with running(second):
            assert await until(lambda: len(sends(fake_api.answered)) >= 1, 15)
        assert sends(fake_api.answered)[0].at - refused.at >= 3.0
    finally:
        first_lock.release()
        second_lock.release()
        elsewhere.dispose()
