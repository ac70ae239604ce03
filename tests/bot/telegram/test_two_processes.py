"""Two `kerro serve` processes on one PostgreSQL, as docs/DEPLOYMENT.md runs them: both
answer /readyz, and they share Telegram's limits (the rate, one message a second per chat, a
429's retry_after) and the web chat's rate limit.

Real processes, the local fake Bot API server; the arrivals are timed where they arrive."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.bot.telegram.conftest import SECRET, free_port, message
from tests.conftest import _truncate_postgres
from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.pacing import busiest_second, sends, shortest_chat_gap

KERRO = str(Path(sys.executable).parent / "kerro")
RATE = 4
WEB_RATE = 10  # page requests a minute, per address


def _environment(tmp_path: Path, api: FakeBotApi, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERRO_")}
    env.update(
        {
            "KERRO_DATA_DIR": str(tmp_path / "data"),
            "KERRO_DATABASE_URL": database_url,
            "KERRO_SECRET_KEY": "a-secret-key-that-both-processes-share-0123456789",
            "KERRO_LOG_LEVEL": "WARNING",
            "KERRO_TELEGRAM_TOKEN": TOKEN,
            "KERRO_TELEGRAM_API_BASE": api.base,
            "KERRO_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "KERRO_TELEGRAM_RATE": str(RATE),
            "KERRO_WEB_RATE_PER_ADDRESS": str(WEB_RATE),
        }
    )
    return env


@asynccontextmanager
async def serving(env: dict[str, str], port: int, log: Path) -> AsyncIterator[None]:
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *(KERRO, "serve", "--public-port", str(port), "--staff-port", str(free_port())),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )
    try:
        yield
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def ready(client: httpx.AsyncClient, port: int) -> bool:
    for _ in range(900):  # a loaded machine may take a while to import and start
        try:
            if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    return False


async def until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_two_processes_share_telegrams_limits_and_the_web_chats(
    tmp_path: Path, fake_api: FakeBotApi, postgres_url: str
) -> None:
    _truncate_postgres(postgres_url)
    env = _environment(tmp_path, fake_api, postgres_url)
    added = await asyncio.create_subprocess_exec(KERRO, "unit", "add", "u1", "Unit one", env=env)
    assert await added.wait() == 0
    ports = [free_port(), free_port()]
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    async with (
        serving(env, ports[0], logs[0]),
        serving(env, ports[1], logs[1]),
        httpx.AsyncClient() as client,
    ):
        started = [await ready(client, port) for port in ports]
        assert started == [True, True], [log.read_text()[-2000:] for log in logs]
        fake_api.fail("sendMessage", 429, retry_after=2)  # the first send is refused
        chats = list(range(8001, 8011))
        for text in ("/start u1", "2"):  # two sends to each chat
            for index, chat in enumerate(chats):  # the updates arrive at both processes
                response = await client.post(
                    f"http://127.0.0.1:{ports[index % 2]}/telegram/webhook",
                    json=message(chat, text),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert response.status_code == 200
        assert await until(lambda: len(sends(fake_api.answered)) >= 2 * len(chats), 30)

        pages = [
            (await client.get(f"http://127.0.0.1:{ports[index % 2]}/chat/u1")).status_code
            for index in range(WEB_RATE + 4)
        ]
    arrived = sends(fake_api.answered)
    assert len(arrived) == 2 * len(chats)
    refused = sends(fake_api.calls)[0]
    assert refused not in arrived
    # retry_after holds every send: only those already on their way when the 429 came arrive
    # in its two seconds (the rate alone would allow the next ones after one second).
    assert [c for c in arrived if refused.at + 0.5 < c.at < refused.at + 2.0] == []
    assert busiest_second(arrived) <= RATE
    assert shortest_chat_gap(arrived) >= 1.0
    assert fake_api.violations == []
    # One bucket for both processes: the eleventh page is refused, whichever process serves it.
    assert pages == [200] * WEB_RATE + [429] * 4
