"""Staff pages latency on the staff API's large PostgreSQL database (`bench.staff`'s load),
beside the API's own inbox in the same run.

Through the staff app in the same process (httpx on ASGI): a caseworker's flag inbox as JSON
(`GET /api/v1/flags`, bearer token: the baseline), the same inbox as a page (`GET /flags`,
session cookie: the session check, the API's inbox with its audit row, the names shown, the
template), its poll fragment (`GET /flags/live`), a flag's page and a client's page (the
client, their timeline, both audited). Goal: a page within 2x the API's inbox at p95.

    .venv/bin/python -m bench.staff_pages [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import time
from typing import Any

import httpx

from api.app import create_staff_app
from api.context import ApiContext
from bench.common import Rate, postgres_database
from bench.staff import KEYRING, _line, _run_sync, _time, load
from storage.db import Database
from storage.repositories import staff

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
GOAL = 2.0  # a page's p95 at most this many times the API inbox's
FLAG_LINK = re.compile(r'href="/flags/([0-9a-f]{32})"')


async def measure(url: str, requests: int, facts: dict[str, Any]) -> list[Rate]:
    database = Database.from_url(url)
    caseworker, _ = facts["caseworker"]
    tokens = _run_sync(
        database,
        lambda session: {
            caseworker: staff.issue_token(
                session,
                staff_id=caseworker,
                now=dt.datetime.now(dt.UTC),
                lifetime=dt.timedelta(days=1),
            )[0]
        },
    )
    token = tokens[caseworker]
    app = create_staff_app(context=ApiContext(database=database, keyring=KEYRING))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://staff", headers={"Accept-Language": "en"}
    ) as http:
        form = await http.get("/sign-in")
        found = CSRF.search(form.text)
        assert found is not None
        signed = await http.post("/sign-in", data={"csrf": found.group(1), "token": token})
        if signed.status_code != 303:
            raise RuntimeError(f"sign-in: {signed.status_code}")
        inbox_page = await http.get("/flags")
        flags = FLAG_LINK.findall(inbox_page.text)
        if not flags:
            raise RuntimeError("the caseworker's inbox is empty")
        clients = await http.get("/clients")
        client_ids = re.findall(r'href="/clients/(\d+)"', clients.text)

        async def get(path: str, headers: dict[str, str] | None = None) -> None:
            response = await http.get(path, headers=headers or {})
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")

        async def api_inbox(_: int) -> None:
            await get("/api/v1/flags", {"Authorization": f"Bearer {token}"})

        async def page_inbox(_: int) -> None:
            await get("/flags")

        async def live(_: int) -> None:
            await get("/flags/live")

        async def flag_page(index: int) -> None:
            await get(f"/flags/{flags[index % len(flags)]}")

        async def client_page(index: int) -> None:
            await get(f"/clients/{client_ids[index % len(client_ids)]}")

        for warm in (api_inbox, page_inbox, live, flag_page, client_page):
            for index in range(10):
                await warm(index)
        rates = [
            await _time("baseline: flag inbox, API (bearer token)", requests, api_inbox),
            await _time("flag inbox, page (session)", requests, page_inbox),
            await _time("flag inbox, the poll's fragment", requests, live),
            await _time("a flag's page", requests, flag_page),
            await _time("a client's page (client and timeline)", requests, client_page),
        ]
    database.dispose()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with postgres_database() as url:
        started = time.perf_counter()
        facts = load(url)
        print(
            f"loaded {facts['responses']:,} responses, {facts['answers']:,} answers "
            f"in {time.perf_counter() - started:.0f} s"
        )
        rates = asyncio.run(measure(url, args.requests, facts))
        for rate in rates:
            print(_line(rate))
        baseline = rates[0].percentile(0.95)
        for rate in rates[1:]:
            ratio = rate.percentile(0.95) / baseline
            verdict = "goal met" if ratio <= GOAL else "goal NOT met"
            print(f"{rate.name}: p95 {ratio:.2f}x the API inbox's ({verdict}: at most {GOAL:g}x)")


if __name__ == "__main__":
    main()
