"""The Telegram outbox sender against the local fake Bot API: its own capacity with the rate
limit lifted, beside plain aiogram `send_message` calls to the same server in the same run
(the baseline); and, at the default 30 messages a second, the rate achieved as a share of
the limit, measured where the messages arrive (goal: at least 95 %), with the busiest second.

Each message goes to a chat of its own, so that only the overall rate binds.

    .venv/bin/python -m bench.pacing [--messages N] [--limited N] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from bench.common import postgres_database, ratio_line, sqlite_database
from bot.channels.telegram.sender import SenderSettings, TelegramSender
from bot.channels.telegram.setup import create_bot
from bot.messages import TELEGRAM, Message
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import outbox
from storage.tables import utc_now
from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.pacing import busiest_second, sends

TEXT = "How are you this week?"
KEYRING = Keyring(b"bench-secret-key-for-the-pacing-benchmark-0123456789")


def _enqueue(database: Database, first_chat: int, count: int) -> None:
    now = utc_now()
    payload = Message(TEXT).to_payload()
    with database.transaction() as session:
        for chat in range(first_chat, first_chat + count):
            address = str(chat)
            outbox.enqueue(
                session,
                chat=ChatKey(TELEGRAM, KEYRING.address_hmac(TELEGRAM, address)),
                address_sealed=KEYRING.seal(address, purpose=Purpose.CHAT_ADDRESS),
                payloads=[payload],
                now=now,
            )


async def _run_sender(sender: TelegramSender, api: FakeBotApi, until: int) -> float:
    """Seconds from the sender's start until `until` sends were answered."""
    started = time.perf_counter()
    task = asyncio.create_task(sender.run_forever())
    try:
        while len(sends(api.answered)) < until:  # noqa: ASYNC110 - the fake API has no event
            await asyncio.sleep(0.005)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return time.perf_counter() - started


async def measure(database_url: str, messages: int, limited: int) -> None:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    api = FakeBotApi()
    await api.start()
    bot = create_bot(TOKEN, api_base=api.base)
    database = Database.from_url(database_url)
    try:
        # Baseline: the same sends made straight with aiogram, 100 at a time.
        started = time.perf_counter()
        for batch in range(0, messages, 100):
            await asyncio.gather(
                *(
                    bot.send_message(chat_id=chat, text=TEXT)
                    for chat in range(batch, min(messages, batch + 100))
                )
            )
        baseline = messages / (time.perf_counter() - started)
        api.calls.clear()
        api.answered.clear()

        _enqueue(database, 10_000, messages)
        lifted = SenderSettings(rate=1_000_000, chat_interval=0, batch=100, idle_poll=0.01)
        sender = TelegramSender(database=database, bot=bot, keyring=KEYRING, settings=lifted)
        seconds = await _run_sender(sender, api, messages)
        capacity = messages / seconds
        print(f"[{backend}] aiogram straight: {baseline:,.0f} messages/s ({messages})")
        print(f"[{backend}] sender, rate lifted: {capacity:,.0f} messages/s ({messages})")
        print(ratio_line(f"[{backend}] sender capacity", capacity, baseline))
        api.calls.clear()
        api.answered.clear()

        _enqueue(database, 100_000, limited)
        sender = TelegramSender(
            database=database, bot=bot, keyring=KEYRING, settings=SenderSettings()
        )
        await _run_sender(sender, api, limited)
        arrived = sends(api.answered)
        times = sorted(call.at for call in arrived)
        achieved = (len(times) - 1) / (times[-1] - times[0])
        print(
            f"[{backend}] at 30/s: {achieved:.1f} messages/s achieved, "
            f"{achieved / 30:.1%} of the limit; busiest second {busiest_second(arrived)} "
            f"({limited} messages)"
        )
    finally:
        await bot.session.close()
        await api.stop()
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--limited", type=int, default=300)
    parser.add_argument("--skip-postgres", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        asyncio.run(measure(url, arguments.messages, arguments.limited))
    if not arguments.skip_postgres:
        with postgres_database() as url:
            asyncio.run(measure(url, arguments.messages, arguments.limited))


if __name__ == "__main__":
    main()
