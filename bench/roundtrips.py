"""Round trips of one mid-dialog answer on PostgreSQL, counted from libpq's trace.

A round trip is a run of messages the client sends followed by the server's answer. The
pool's ping, BEGIN, claim-and-load and the pipelined writes with COMMIT are four; the
pipeline's closing sync follows in its own send.

    .venv/bin/python -m bench.roundtrips
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import postgres_database
from bot.i18n import Translations
from bot.messages import Inbound, Kind
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.risk import RiskScreen
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import units

_LINE = re.compile(r"^\d{4}-\d\d-\d\d \S+\t([FB])\t\d+\t(\S+)")


def _inbound(index: int, kind: Kind, payload: str) -> Inbound:
    return Inbound(
        channel="bench",
        address="roundtrips",
        update_key=f"k{index}",
        kind=kind,
        payload=payload,
        unit_code="bench",
        language="fi",
    )


def count(trace: str) -> tuple[int, list[list[str]]]:
    """The round trips in a libpq trace, and the kinds of message sent in each."""
    trips: list[list[str]] = []
    last = ""
    for line in trace.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        side, kind = match.groups()
        if side == "F":
            if last != "F":
                trips.append([])
            trips[-1].append(kind)
        last = side
    return len(trips), trips


async def measure(url: str) -> str:
    database = Database.from_url(url, workers=1)
    connections: list[Any] = []
    sa.event.listen(database.engine, "connect", lambda dbapi, _: connections.append(dbapi))
    with database.transaction() as session:
        units.add_unit(session, code="bench", name="Bench", now=dt.datetime.now(dt.UTC))
    service = ConversationService(
        database=database,
        dialogs=load_directory(),
        keyring=Keyring(b"bench-secret-bench-secret-bench-secret"),
        translations=Translations.load(),
        risk_screen=RiskScreen.load(lemmatizer=None),
        help_numbers=HelpNumbers.load(),
    )
    await service.handle(_inbound(0, Kind.BEGIN, "youth_checkin"))
    await service.handle(_inbound(1, Kind.TEXT, "4"))  # warm: statements compiled
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "trace"
        with path.open("w") as sink:
            for connection in connections:
                connection.pgconn.trace(sink.fileno())
            await service.handle(_inbound(2, Kind.TEXT, "3"))
            for connection in connections:
                connection.pgconn.untrace()
        trace = path.read_text()
    database.dispose()
    return trace


def main() -> None:
    with postgres_database() as url:
        trace = asyncio.run(measure(url))
    trips, sent = count(trace)
    print(
        f"[postgresql] a mid-dialog answer: {trips} sends (the last: the pipeline's closing sync)"
    )
    for number, kinds in enumerate(sent, 1):
        print(f"  {number}. {' '.join(kinds)}")


if __name__ == "__main__":
    main()
