"""Killing the service between commit and send loses no reply; restarting sends it once.

A real `kerro serve` process, a real kill (SIGKILL), the local fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.bot.telegram.conftest import SECRET, free_port, message
from tests.support.fake_bot_api import TOKEN, FakeBotApi

KERRO = str(Path(sys.executable).parent / "kerro")


def _environment(tmp_path: Path, api: FakeBotApi) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERRO_")}
    env.update(
        {
            "KERRO_DATA_DIR": str(tmp_path / "data"),
            "KERRO_LOG_LEVEL": "WARNING",
            "KERRO_TELEGRAM_TOKEN": TOKEN,
            "KERRO_TELEGRAM_API_BASE": api.base,
            "KERRO_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "KERRO_TELEGRAM_LEASE_SECONDS": "2",
        }
    )
    return env


async def _serve(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        *(KERRO, "serve", "--public-port", str(port), "--staff-port", str(free_port())),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("kerro serve did not start")


async def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_kill_between_commit_and_send_loses_nothing_and_sends_once(
    tmp_path: Path, fake_api: FakeBotApi
) -> None:
    env = _environment(tmp_path, fake_api)
    added = await asyncio.create_subprocess_exec(KERRO, "unit", "add", "u1", "Unit one", env=env)
    assert await added.wait() == 0
    port = free_port()
    fake_api.hold = asyncio.Event()  # sendMessage arrives, and is never answered
    first = await _serve(env, port)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/telegram/webhook",
                json=message(6001, "/start u1"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert response.status_code == 200  # committed
        assert await _wait_for(lambda: fake_api.sent(), 10), "the sender never tried"
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    held, fake_api.hold = fake_api.hold, None
    held.set()  # the request of the killed process goes unanswered
    await asyncio.sleep(0.1)
    assert fake_api.answered_texts() == []

    second = await _serve(env, port)
    try:
        assert await _wait_for(lambda: fake_api.answered_texts(), 15), "nothing sent after restart"
        await asyncio.sleep(2.5)  # time for a duplicate to show up, if there were one
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=20) == 0
    greetings = [t for t in fake_api.answered_texts() if "give feedback" in t]
    assert len(greetings) == 1
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    assert fake_api.violations == []
