"""From a crisis message to the on-call e-mail: latency through the conversation service and
the alert sender, beside the same e-mail sent straight with aiosmtplib, in the same run.

A local aiosmtpd server (STARTTLS, a self-signed certificate) takes the mail. The alert sender
runs as in `kerro serve`: its own task, woken by the service after an update that raised a
flag, and polling every half second besides. Each message is a new
anonymous chat's crisis sentence (its dialog begun first, untimed), after a random pause of up
to `--pause` seconds, so that messages find the sender at any point of its polling (back to
back, each would find it still busy with the one before, and never waiting). The time runs
from handing the message to the service until the SMTP server has the e-mail. Goal: p95
under 2 s.

    .venv/bin/python -m bench.alerts [--messages N] [--pause SECONDS] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bench.common import postgres_database, sqlite_database
from bot.alert_channels import EmailChannel, SmtpSettings
from bot.alerts import EMAIL, AlertSender, AlertSettings, Notice
from bot.i18n import Translations
from bot.messages import Inbound, Kind
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.risk import RiskScreen, voikko_lemmatizer
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import units
from tests.support.alert_servers import Received, SmtpServer, start_smtp

CRISIS = "en jaksa enää elää, haluun kuolla"
ON_CALL = "paivystys@bench.example"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def line(name: str, values: list[float]) -> str:
    return (
        f"{name}: p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
        f"max {max(values) * 1000:.1f} ms ({len(values)} e-mails)"
    )


async def arrival(server: SmtpServer, count: int) -> float:
    await server.handler.wait_for(count)
    return time.perf_counter()


async def through_kerro(url: str, server: SmtpServer, messages: int, pause: float) -> list[float]:
    database = Database.from_url(url)
    keyring = Keyring(b"bench-secret-key-that-is-long-enough-0123456789")
    translations = Translations.load()
    channel = EmailChannel(
        SmtpSettings.from_url(server.url, sender="kerro@bench.example", ca_file=str(server.ca_file))
    )
    sender = AlertSender(
        database=database,
        keyring=keyring,
        translations=translations,
        channels={EMAIL: channel},
        settings=AlertSettings(),
    )
    service = ConversationService(  # as kerro.runtime builds it: the sender first
        database=database,
        dialogs=load_directory(),
        keyring=keyring,
        translations=translations,
        risk_screen=RiskScreen.load(lemmatizer=voikko_lemmatizer()),
        help_numbers=HelpNumbers.load(),
        on_flag=sender.wake,
    )
    with database.transaction() as session:
        unit = units.add_unit(session, code="bench", name="Bench unit", now=service.clock())
        assert unit.id is not None
        units.set_on_call(session, unit_id=unit.id, email=ON_CALL)
    task = asyncio.create_task(sender.run_forever())
    latencies: list[float] = []
    pauses = random.Random(6)
    try:
        for index in range(messages):
            address = f"bench-{index}"

            def inbound(kind: Kind, payload: str, key: str, address: str = address) -> Inbound:
                return Inbound(
                    channel="bench",
                    address=address,
                    update_key=key,
                    kind=kind,
                    payload=payload,
                    unit_code="bench",
                    language="fi",
                )

            await service.handle(inbound(Kind.BEGIN, "youth_checkin", f"{address}-begin"))
            await asyncio.sleep(pauses.uniform(0, pause))
            before = time.perf_counter()
            await service.handle(inbound(Kind.TEXT, CRISIS, f"{address}-crisis"))
            latencies.append(await arrival(server, index + 1) - before)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        database.dispose()
    return latencies


async def straight(server: SmtpServer, messages: int) -> list[float]:
    """The same e-mail, built and sent by the e-mail channel itself, with no database."""
    channel = EmailChannel(
        SmtpSettings.from_url(server.url, sender="kerro@bench.example", ca_file=str(server.ca_file))
    )
    translator = Translations.load().get("fi")
    latencies: list[float] = []
    start = len(server.handler.messages)
    for index in range(messages):
        notice = Notice(
            alert_id=f"{index:032x}",
            delivery_key=f"{index:032x}.email.unit-1",
            flag_id=f"{index:032x}",
            level="crisis",
            unit_code="bench",
            unit_name="Bench unit",
            raised_at=dt.datetime.now(dt.UTC),
            anonymous=False,
            link=f"http://127.0.0.1:8001/api/v1/flags/{index:032x}",
            escalation=False,
            escalate_minutes=15,
        )
        before = time.perf_counter()
        await channel.send(address=ON_CALL, notice=notice, translator=translator)
        latencies.append(await arrival(server, start + index + 1) - before)
    return latencies


async def measure(url: str, messages: int, pause: float) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as directory:
        server = await start_smtp(Path(directory))
        try:
            baseline = await straight(server, messages)
            server.handler.messages.clear()
            kerro = await through_kerro(url, server, messages, pause)
            received: list[Received] = server.handler.messages
            assert all(mail.recipients == [ON_CALL] for mail in received)
            assert all(CRISIS not in mail.raw for mail in received)
        finally:
            await server.close()
    return kerro, baseline


def report(name: str, kerro: list[float], baseline: list[float]) -> None:
    print(f"[{name}]")
    print("  " + line("crisis message -> e-mail accepted (Kerro)", kerro))
    print("  " + line("baseline: the same e-mail straight with aiosmtplib", baseline))
    verdict = "goal met" if percentile(kerro, 0.95) < 2000 else "goal NOT met"
    print(f"  p95 under 2 s: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.6)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        report("sqlite", *asyncio.run(measure(url, args.messages, args.pause)))
    if args.skip_postgres:
        return
    with postgres_database() as url:
        report("postgresql", *asyncio.run(measure(url, args.messages, args.pause)))


if __name__ == "__main__":
    main()
