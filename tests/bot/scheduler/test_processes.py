"""Real `kerro serve` processes on one PostgreSQL, sending to the local fake Bot API: two
processes fire each slot once; a process killed (SIGKILL) in the middle of a firing loses
nothing, and the prompt then reaches every contact exactly once; a chat that blocked the
bot (403) fails and gets no more prompts."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot.messages import TELEGRAM
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import clients, contacts, schedules, units
from tests.bot.helpers import rows
from tests.bot.telegram.conftest import free_port
from tests.conftest import TEST_SECRET, _truncate_postgres
from tests.support.fake_bot_api import TOKEN, FakeBotApi

KERRO = str(Path(sys.executable).parent / "kerro")
CHATS = ("9001", "9002", "9003", "9004")
PROMPT = "Hi! It's time for a check-in"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def database(postgres_url: str) -> Iterator[Database]:
    _truncate_postgres(postgres_url)
    db = Database.from_url(postgres_url)
    yield db
    db.dispose()


def environment(tmp_path: Path, api: FakeBotApi, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERRO_")}
    env.update(
        {
            "KERRO_DATA_DIR": str(tmp_path / "data"),
            "KERRO_DATABASE_URL": url,
            "KERRO_SECRET_KEY": TEST_SECRET.decode(),
            "KERRO_LOG_LEVEL": "WARNING",
            "KERRO_TELEGRAM_TOKEN": TOKEN,
            "KERRO_TELEGRAM_API_BASE": api.base,
            "KERRO_TELEGRAM_LEASE_SECONDS": "2",
            "KERRO_SCHEDULER_SYNC_SECONDS": "0.5",
        }
    )
    env.update(extra)
    return env


async def serve(env: dict[str, str], *, log: bool = False) -> asyncio.subprocess.Process:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(KERRO, "serve", "--public-port", str(port), "--staff-port", str(free_port())),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if log else subprocess.DEVNULL,
    )
    async with httpx.AsyncClient() as client:
        for _ in range(900):  # a loaded machine may take a while
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("kerro serve did not start")


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)


async def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.1)
    return False


def world(database: Database) -> int:
    """A unit with four youths whose Telegram chats are linked and want prompts."""
    keyring = Keyring(TEST_SECRET)
    now = tables.utc_now()
    with database.transaction() as session:
        unit = units.add_unit(session, code="u1", name="Unit one", now=now)
        assert unit.id is not None
        for n, address in enumerate(CHATS):
            client = clients.add_client(
                session,
                unit_id=unit.id,
                alias=f"Youth {n}",
                case_ref=f"Y-{n}",
                audience="youth",
                language="en",
                caseworker_id=None,
                now=now,
            )
            assert client.id is not None
            contacts.link_contact(
                session,
                chat=ChatKey(TELEGRAM, keyring.address_hmac(TELEGRAM, address)),
                client_id=client.id,
                language="en",
                now=now,
                address_sealed=keyring.seal(address, purpose=Purpose.CHAT_ADDRESS),
            )
        return unit.id


def one_off(database: Database, unit_id: int, at: dt.datetime) -> int:
    now = tables.utc_now()
    with database.transaction() as session:
        schedule = schedules.add_schedule(
            session,
            tables.Schedule(
                unit_id=unit_id,
                name="Follow-up",
                dialog_id="youth_checkin",
                audience="youth",
                kind="once",
                once_at=at,
                quiet_start=None,  # the test runs at any hour
                quiet_end=None,
                starts_on=now.date() - dt.timedelta(days=1),
                armed_from=min(now, at),
                created_at=now,
            ),
        )
        assert schedule.id is not None
        return schedule.id


def prompts(api: FakeBotApi) -> Counter[str]:
    """Prompts that Telegram accepted, by chat."""
    return Counter(
        str(call.params["chat_id"])
        for call in api.answered
        if call.method == "sendMessage" and str(call.params["text"]).startswith(PROMPT)
    )


def run_rows(database: Database) -> list[tables.ScheduleRun]:
    return rows(database, tables.ScheduleRun)


def delivery_rows(database: Database) -> list[tables.PromptDelivery]:
    return rows(database, tables.PromptDelivery)


@pytest.mark.postgres
async def test_two_processes_fire_each_slot_once_and_a_blocked_chat_fails(
    tmp_path: Path, fake_api: FakeBotApi, database: Database, postgres_url: str
) -> None:
    unit_id = world(database)
    fake_api.fail("sendMessage", 403, chat_id=CHATS[3], times=100)  # blocked the bot
    env = environment(tmp_path, fake_api, postgres_url)
    first, second = await serve(env), await serve(env)
    try:
        now = tables.utc_now()
        for seconds in (1, 3, 5):
            one_off(database, unit_id, now + dt.timedelta(seconds=seconds))
        expected = {chat: 3 for chat in CHATS[:3]}
        assert await wait_for(lambda: dict(prompts(fake_api)) == expected, 40), prompts(fake_api)
        await asyncio.sleep(2)  # time for a second firing of any slot to show up
        assert dict(prompts(fake_api)) == expected
        assert await wait_for(
            lambda: {d.status for d in delivery_rows(database)} == {"sent", "failed"}, 10
        )
    finally:
        await stop(first)
        await stop(second)
    runs = run_rows(database)
    assert sorted((r.status, r.contacts) for r in runs) == [("sent", 3), ("sent", 3), ("sent", 4)]
    found = Counter((d.status, d.reason) for d in delivery_rows(database))
    assert found == {("sent", None): 9, ("failed", "the person has blocked the bot"): 1}
    assert fake_api.violations == []


@pytest.mark.postgres
async def test_a_kill_mid_firing_and_a_restart_prompt_everyone_exactly_once(
    tmp_path: Path, fake_api: FakeBotApi, database: Database, postgres_url: str
) -> None:
    unit_id = world(database)
    one_off(database, unit_id, tables.utc_now() - dt.timedelta(seconds=5))
    held = environment(
        tmp_path, fake_api, postgres_url, KERRO_SCHEDULER_HOLD_SECONDS="120", KERRO_LOG_LEVEL="INFO"
    )
    first = await serve(held, log=True)
    try:
        assert first.stderr is not None
        seen = b""
        async with asyncio.timeout(30):
            while b"sending the slot" not in seen:
                seen += await first.stderr.readline()
        await asyncio.sleep(1.0)  # the run, deliveries and outbox rows are written, uncommitted
        second = await serve(environment(tmp_path, fake_api, postgres_url))
        await asyncio.sleep(1.0)  # the second process waits on the first one's claim
        assert prompts(fake_api) == Counter()
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    try:
        expected = dict.fromkeys(CHATS, 1)
        assert await wait_for(lambda: dict(prompts(fake_api)) == expected, 30), prompts(fake_api)
        await asyncio.sleep(2.5)
        assert dict(prompts(fake_api)) == expected
    finally:
        await stop(second)
    assert [(r.status, r.contacts) for r in run_rows(database)] == [("sent", 4)]
    assert len(delivery_rows(database)) == 4
