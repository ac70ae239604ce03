"""Webhook updates per second, p50 and p99, for full check-ins through Telegram's webhook,
beside a bare aiogram echo bot that replies through the same fake Bot API server.

Both run in this process on uvicorn, behind real HTTP, with the same load: enrolled youths
each doing a whole check-in (/checkin, four scales, two goals, a free text) with buttons,
several chats at once. Kerro commits every update before it answers 200 and delivers the
replies from the outbox (its sender runs meanwhile, at Telegram's limits); the echo bot
answers each update with a Bot API call from inside the webhook. Goal: at least 0.8 of the
echo bot's rate.

    .venv/bin/python -m bench.telegram [--chats N] [--concurrency C] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import CallbackQuery, Message, Update
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.common import Rate, median_rate, postgres_database, ratio_line, sqlite_database
from bot.app import create_public_app
from bot.channels.telegram.inbound import create_router
from bot.channels.telegram.sender import SenderSettings, TelegramSender
from bot.channels.telegram.setup import create_bot
from bot.channels.telegram.webhook import PATH, SECRET_HEADER, webhook_router
from bot.i18n import Translations
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.risk import RiskScreen, voikko_lemmatizer
from kerro.server import settle_heap
from storage.crypto import Keyring
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import clients, contacts, units
from tests.support.fake_bot_api import TOKEN, FakeBotApi

SECRET = "bench-secret"  # noqa: S105 - a benchmark's own webhook secret
KEY = b"bench-secret-bench-secret-bench-secret"
STEPS = [("joy", "4"), ("belonging", "3"), ("coping", "2"), ("physical", "5"), ("goal", "1")]
_ids = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _updates(chat_id: int) -> list[dict[str, Any]]:
    """A whole check-in of one enrolled youth with two goals, as Telegram would send it."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Y", "language_code": "fi"}
    chat = {"id": chat_id, "type": "private"}

    def message(text: str) -> dict[str, Any]:
        return {
            "update_id": next(_ids),
            "message": {
                "message_id": next(_ids),
                "date": 1767225600,
                "chat": chat,
                "from": user,
                "text": text,
            },
        }

    def button(data: str) -> dict[str, Any]:
        return {
            "update_id": next(_ids),
            "callback_query": {
                "id": str(next(_ids)),
                "from": user,
                "chat_instance": "c",
                "data": data,
                "message": {
                    "message_id": next(_ids),
                    "date": 1767225600,
                    "chat": chat,
                    "text": "Kysymys?",
                },
            },
        }

    answers = [button(f"{step}:{value}") for step, value in STEPS] + [button("goal:0")]
    return [message("/checkin"), *answers, message("Ei muuta, kiitos")]


def _serve(app: FastAPI, port: int) -> None:
    # As `kerro serve` runs: uvloop and httptools (uvicorn picks them), the start-up heap
    # frozen. The echo bot gets the same.
    settle_heap()
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


def serve_kerro(database_url: str, port: int, api_base: str) -> None:
    """The server under test, in a process of its own, as `kerro serve` would run it."""
    database = Database.from_url(database_url)
    keyring = Keyring(KEY)
    service = ConversationService(
        database=database,
        dialogs=load_directory(),
        keyring=keyring,
        translations=Translations.load(),
        risk_screen=RiskScreen.load(lemmatizer=voikko_lemmatizer()),
        help_numbers=HelpNumbers.load(),
    )
    bot = create_bot(TOKEN, api_base=api_base)
    sender = TelegramSender(database=database, bot=bot, keyring=keyring, settings=SenderSettings())
    dispatcher = Dispatcher()
    dispatcher.include_router(create_router(service))
    router = webhook_router(dispatcher=dispatcher, bot=bot, secret=SECRET, on_processed=sender.wake)
    app = create_public_app(database=database, routers=[router])

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(sender.run_forever())
        yield
        task.cancel()

    app.router.lifespan_context = lifespan
    _serve(app, port)


def serve_echo(port: int, api_base: str) -> None:
    _serve(_echo_app(create_bot(TOKEN, api_base=api_base)), port)


@asynccontextmanager
async def _process(*arguments: str, port: int) -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.telegram", *arguments, "--port", str(port)
    )
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                try:
                    await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}{PATH}"
    finally:
        process.terminate()
        await process.wait()


async def _load(url: str, chats: list[int], concurrency: int) -> Rate:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for chat in chats:
        queue.put_nowait(chat)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            chat = queue.get_nowait()
            for update in _updates(chat):
                before = time.perf_counter()
                response = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
                latencies.append(time.perf_counter() - before)
                assert response.status_code == 200, response.text

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return Rate("", len(latencies), time.perf_counter() - started, latencies)


def _echo_app(bot: Bot) -> FastAPI:
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        assert message.text is not None
        await message.answer(message.text)

    @router.callback_query()
    async def echo_button(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(query.data or "?")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = FastAPI()

    @app.post(PATH)
    async def webhook(request: Request) -> JSONResponse:
        update = Update.model_validate(await request.json(), context={"bot": bot})
        await dispatcher.feed_update(bot, update)
        return JSONResponse({})

    return app


def _seed(database_url: str, chats: list[int]) -> None:
    database = Database.from_url(database_url)
    keyring = Keyring(KEY)
    now = dt.datetime.now(dt.UTC)
    with database.transaction() as session:
        unit = units.add_unit(session, code="bench", name="Bench", now=now)
        assert unit.id is not None
        for chat in chats:
            client = clients.add_client(
                session,
                unit_id=unit.id,
                alias=f"Y{chat}",
                case_ref=str(chat),
                audience="youth",
                language="fi",
                now=now,
            )
            assert client.id is not None
            for title in ("Koulu", "Uni"):
                clients.add_goal(session, client_id=client.id, title=title)
            contacts.link_contact(
                session,
                chat=ChatKey("telegram", keyring.address_hmac("telegram", str(chat))),
                client_id=client.id,
                language="fi",
                now=now,
            )
    database.dispose()


ROUNDS = 5


async def measure(database_url: str, chats: int, concurrency: int) -> tuple[Rate, Rate, float, int]:
    ids = list(range(10_000, 10_000 + chats))
    _seed(database_url, ids)
    api, echo_api = FakeBotApi(), FakeBotApi()
    await api.start()
    await echo_api.start()
    rates: dict[str, list[Rate]] = {"kerro": [], "echo": []}
    kerro = _process(
        "--serve", "kerro", "--database", database_url, "--api", api.base, port=_free_port()
    )
    echo = _process("--serve", "echo", "--api", echo_api.base, port=_free_port())
    async with kerro as kerro_url, echo as echo_url:
        for round_ in range(ROUNDS):  # alternate, so that noise hits both alike
            # Each round is a new check-in of the same youths: the update ids are new.
            rates["kerro"].append(await _load(kerro_url, ids, concurrency))
            rates["echo"].append(await _load(echo_url, ids, concurrency))
            log_round(round_, rates["kerro"][-1], rates["echo"][-1])
        await asyncio.sleep(1.0)
    delivered = len(api.answered_texts())
    await api.stop()
    await echo_api.stop()

    # Each round's pair ran seconds apart: the median of their ratios is steadier on a shared
    # machine than a ratio of two figures taken over the whole run.
    ratios = [
        k.per_second / e.per_second for k, e in zip(rates["kerro"], rates["echo"], strict=True)
    ]
    return (
        median_rate(rates["kerro"]),
        median_rate(rates["echo"]),
        statistics.median(ratios),
        delivered,
    )


def log_round(round_: int, kerro: Rate, echo: Rate) -> None:
    print(
        f"  round {round_ + 1}: kerro {kerro.per_second:,.0f}/s, echo {echo.per_second:,.0f}/s,"
        f" {kerro.per_second / echo.per_second:.0%}",
        file=sys.stderr,
    )


def report(backend: str, kerro: Rate, echo: Rate, ratio: float, delivered: float) -> None:
    def line(name: str, rate: Rate) -> str:
        return (
            f"[{backend}] {name}: {rate.per_second:,.0f} updates/s,"
            f" p50 {rate.percentile(0.5):.1f} ms, p99 {rate.percentile(0.99):.1f} ms"
            f" ({rate.count} updates)"
        )

    print(line("kerro webhook (commit per update)", kerro))
    print(line("bare aiogram echo bot", echo))
    print(f"[{backend}] {ratio_line('kerro (median of the rounds)', ratio, 1.0, 0.8)}")
    print(
        f"[{backend}] kerro's sender delivered {delivered:.0f} replies meanwhile"
        " (Telegram's limits: 30/s overall, 1/s per chat)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--serve", choices=["kerro", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "kerro":
        serve_kerro(args.database, args.port, args.api)
        return
    if args.serve == "echo":
        serve_echo(args.port, args.api)
        return
    print(
        f"{args.chats} chats x {len(_updates(0))} updates, {args.concurrency} at once, "
        f"each server in a process of its own; medians of {ROUNDS} alternating rounds"
    )
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        report("sqlite", *asyncio.run(measure(url, args.chats, args.concurrency)))
    if not args.skip_postgres:
        with postgres_database() as url:
            report("postgresql", *asyncio.run(measure(url, args.chats, args.concurrency)))


if __name__ == "__main__":
    main()
