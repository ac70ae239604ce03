"""Claims of inbound updates (R2: each update is processed once)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.repositories._prepared import Prepared
from storage.tables import ProcessedUpdate

_table: sa.Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_COLUMNS = ("channel", "update_key", "processed_at")
# Prepared once: a claim is on every update's path.
_CLAIM = {
    "postgresql": Prepared(
        postgresql.insert(_table).on_conflict_do_nothing().returning(_table.c.channel),
        parameters=_COLUMNS,
    ),
    "sqlite": Prepared(
        sqlite.insert(_table).on_conflict_do_nothing().returning(_table.c.channel),
        parameters=_COLUMNS,
    ),
}


def claim(session: Session, *, channel: str, update_key: str, now: dt.datetime) -> bool:
    """Record the update as processed; False when it was claimed before."""
    claim = _CLAIM[session.connection().dialect.name]
    rows = claim.execute(
        session, {"channel": channel, "update_key": update_key, "processed_at": now}
    )
    return bool(rows)


def forget_before(session: Session, *, before: dt.datetime) -> int:
    result = session.connection().execute(sa.delete(_table).where(_table.c.processed_at < before))
    return int(result.rowcount)
