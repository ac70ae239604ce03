"""Web chat pages per second, p50 and p99, for whole check-ins through HTTP form posts,
beside a bare FastAPI endpoint in the same run, served the same way.

Both apps run on uvicorn in a process of their own, behind real HTTP on loopback; the load
is the same: anonymous youths each doing a whole check-in without JavaScript (load the page,
start, four scale buttons, a typed answer: 7 pages), several at once, each with its own
cookies. Every Kerro page post is one committed transaction of the conversation service and
the delivery of its replies into the page. The bare endpoint answers each request with a
small fixed HTML page.

    .venv/bin/python -m bench.web [--checkins N] [--concurrency C] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from bench.common import Rate, postgres_database, ratio_line, sqlite_database
from bot.channels.web import WebSettings
from bot.i18n import Translations
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.risk import RiskScreen, voikko_lemmatizer
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import units
from tests.support.web import free_port, web_app

KEY = b"bench-secret-bench-secret-bench-secret"
PATH = "/chat/bench"
SCALES = ("4", "3", "2", "5")
PAGES = 2 + len(SCALES) + 1
UNLIMITED = WebSettings(rate_per_session=1e9, rate_per_address=1e9)
BARE_PAGE = "<!doctype html><html lang='en'><title>bare</title><p>ok</p></html>"


def bare_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/bare", response_class=HTMLResponse)
    async def page() -> str:
        return BARE_PAGE

    @app.post("/bare", response_class=HTMLResponse)
    async def post() -> str:
        return BARE_PAGE

    return app


_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
_BUTTON = re.compile(r'<button type="submit" name="choice" value="([^"]+)"')


def _form(html: str) -> tuple[dict[str, str], list[str]]:
    """The last question's hidden fields and button values (a regex: the load generator must
    not spend the machine's time that the server needs)."""
    last = html[html.rindex('<form class="question') :]
    return dict(_HIDDEN.findall(last)), _BUTTON.findall(last)


async def _checkin(client: httpx.AsyncClient, latencies: list[float]) -> None:
    async def timed(coro: object) -> httpx.Response:
        before = time.perf_counter()
        response: httpx.Response = await coro  # type: ignore[misc]
        latencies.append(time.perf_counter() - before)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
        return response

    page = await timed(client.get(PATH))
    fields, _ = _form(page.text)
    page = await timed(client.post(PATH, data={**fields, "dialog": "youth_checkin"}))
    for number in SCALES:
        fields, buttons = _form(page.text)
        [choice] = [b for b in buttons if b.endswith(f":{number}")]
        page = await timed(client.post(PATH, data={**fields, "choice": choice}))
    fields, _ = _form(page.text)
    page = await timed(client.post(PATH, data={**fields, "action": "text", "text": "fine"}))
    if "Kiitos" not in page.text:
        raise RuntimeError("the check-in did not end")


async def _bare(client: httpx.AsyncClient, latencies: list[float]) -> None:
    for index in range(PAGES):
        before = time.perf_counter()
        if index == 0:
            response = await client.get("/bare")
        else:
            response = await client.post("/bare", data={"choice": "joy:4", "nonce": "x" * 24})
        latencies.append(time.perf_counter() - before)
        response.raise_for_status()


async def _load(base: str, checkins: int, concurrency: int, kerro: bool) -> Rate:
    latencies: list[float] = []
    queue = list(range(checkins))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker() -> None:
        # One client a worker (making one costs more than a page); each check-in is a new
        # visitor with no cookies.
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            while queue:
                queue.pop()
                client.cookies.clear()
                await (_checkin if kerro else _bare)(client, latencies)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return Rate(
        "kerro web chat" if kerro else "bare FastAPI page", len(latencies), seconds, latencies
    )


def _serve(kind: str, url: str, port: int) -> None:
    """The server process: the Kerro public app with the web chat, or the bare app."""
    if kind == "bare":
        app = bare_app()
    else:
        service = ConversationService(
            database=Database.from_url(url),
            dialogs=load_directory(),
            keyring=Keyring(KEY),
            translations=Translations.load(),
            risk_screen=RiskScreen.load(lemmatizer=voikko_lemmatizer()),
            help_numbers=HelpNumbers.load(),
        )
        app = web_app(service, UNLIMITED)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def _server(kind: str, url: str) -> Iterator[str]:
    port = free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(kind, url, port), daemon=True
    )
    process.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/healthz" if kind != "bare" else f"{base}/bare", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or not process.is_alive():
                raise RuntimeError(f"the {kind} server did not start") from None
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.join(timeout=20)


def measure(url: str, checkins: int, concurrency: int) -> tuple[Rate, Rate]:
    database = Database.from_url(url)
    with database.transaction() as session:
        units.add_unit(session, code="bench", name="Bench", now=dt.datetime.now(dt.UTC))
    database.dispose()
    kerro_rates, bare_rates = [], []
    with _server("kerro", url) as kerro_url, _server("bare", url) as bare_url:
        asyncio.run(_load(kerro_url, 5, concurrency, True))  # warm up
        asyncio.run(_load(bare_url, 5, concurrency, False))
        for _ in range(3):  # alternate, so that noise hits both alike
            kerro_rates.append(asyncio.run(_load(kerro_url, checkins, concurrency, True)))
            bare_rates.append(asyncio.run(_load(bare_url, checkins, concurrency, False)))
    pick = sorted(range(3), key=lambda i: kerro_rates[i].per_second)[1]
    return kerro_rates[pick], sorted(bare_rates, key=lambda r: r.per_second)[1]


def report(backend: str, kerro: Rate, bare: Rate) -> None:
    print(f"[{backend}] {kerro.line()}")
    print(f"[{backend}]   = {kerro.per_second / PAGES:,.1f} whole check-ins/s")
    print(f"[{backend}] {bare.line()}")
    print(f"[{backend}] {ratio_line('web chat', kerro.per_second, bare.per_second)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkins", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"{args.checkins} check-ins of {PAGES} pages per run, {args.concurrency} at once, "
        "median of 3 alternating runs"
    )
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        report("sqlite", *measure(url, args.checkins, args.concurrency))
    if args.skip_postgres:
        print("[postgresql] skipped (--skip-postgres)", file=sys.stderr)
        return
    with postgres_database() as url:
        report("postgresql", *measure(url, args.checkins, args.concurrency))


if __name__ == "__main__":
    main()
