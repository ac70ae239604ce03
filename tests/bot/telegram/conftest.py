"""Telegram tests run through real HTTP: uvicorn serving the public app with the webhook, and
the local fake Bot API server that the bot sends to."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from aiogram import Bot, Dispatcher

from bot.app import create_public_app
from bot.channels.telegram.inbound import create_router
from bot.channels.telegram.sender import SenderSettings, TelegramSender
from bot.channels.telegram.setup import create_bot
from bot.channels.telegram.webhook import PATH, SECRET_HEADER, webhook_router
from bot.service import ConversationService
from storage.crypto import Keyring
from storage.db import Database
from tests.support.clock import Clock
from tests.support.fake_bot_api import TOKEN, FakeBotApi

SECRET = "webhook-secret-for-tests"
_update_ids = itertools.count(5000)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    created = create_bot(TOKEN, api_base=fake_api.base)
    yield created
    await created.session.close()


@pytest.fixture
def sender(database: Database, bot: Bot, keyring: Keyring, clock: Clock) -> TelegramSender:
    return TelegramSender(
        database=database,
        bot=bot,
        keyring=keyring,
        settings=SenderSettings(rate=1000, chat_interval=0, idle_poll=0.05),
        clock=clock,
    )


async def drain(sender: TelegramSender, rounds: int = 50) -> int:
    """Run the sender until nothing is due; returns how many sends it made."""
    total = 0
    for _ in range(rounds):
        sent = await sender.tick()
        total += sent
        if sent == 0:
            return total
    return total


@dataclass
class Webhook:
    url: str
    client: httpx.AsyncClient

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        return await self.client.post(self.url, json=update, headers=headers)


@pytest.fixture
async def webhook(
    service: ConversationService, bot: Bot, sender: TelegramSender
) -> AsyncIterator[Webhook]:
    dispatcher = Dispatcher()
    dispatcher.include_router(create_router(service))
    router = webhook_router(dispatcher=dispatcher, bot=bot, secret=SECRET, on_processed=sender.wake)
    app = create_public_app(database=service.database, routers=[router])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    server.capture_signals = _no_signals  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for "started"
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(timeout=30) as client:
        yield Webhook(f"http://127.0.0.1:{port}{PATH}", client)
    server.should_exit = True
    await task


def _no_signals() -> Any:
    import contextlib

    return contextlib.nullcontext()


def user(chat_id: int, language: str = "en") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language}


def message(
    chat_id: int, text: str, *, update_id: int | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "update_id": update_id or next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "date": 1767225600,
            "chat": {"id": chat_id, "type": "private"},
            "from": user(chat_id, extra.pop("language", "en")),
            "text": text,
            **extra,
        },
    }


def callback(
    chat_id: int,
    data: str,
    *,
    message_id: int,
    text: str = "Question?",
    update_id: int | None = None,
) -> dict[str, Any]:
    return {
        "update_id": update_id or next(_update_ids),
        "callback_query": {
            "id": f"cq{next(_update_ids)}",
            "from": user(chat_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1767225600,
                "chat": {"id": chat_id, "type": "private"},
                "text": text,
            },
        },
    }
