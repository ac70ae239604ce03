"""Limits shared by every process on one database: a channel's pause after Telegram's 429,
and token buckets (the web chat's rate limits)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.tables import RateBucket, SendPause

_pause: sa.Table = SendPause.__table__  # type: ignore[attr-defined]
_bucket: sa.Table = RateBucket.__table__  # type: ignore[attr-defined]


def pause(session: Session, *, channel: str, until: dt.datetime) -> None:
    """Pause a channel's sending until `until` (a later pause already set is kept)."""
    connection = session.connection()
    sqlite_db = connection.dialect.name == "sqlite"
    insert = (sqlite.insert if sqlite_db else postgresql.insert)(_pause)
    given = sa.literal(until, _pause.c.until.type)
    later = (sa.func.max if sqlite_db else sa.func.greatest)(_pause.c.until, given)
    connection.execute(
        insert.values(channel=channel, until=until).on_conflict_do_update(
            index_elements=[_pause.c.channel], set_={"until": later}
        )
    )


def paused_until(session: Session, *, channel: str) -> dt.datetime | None:
    row = session.get(SendPause, channel)
    return None if row is None else row.until


def take(session: Session, *, key: str, now: float, per_second: float, capacity: float) -> bool:
    """Take one token from the bucket `key` (PostgreSQL); whether there was one.

    One statement: the bucket refills by the time since it was last counted, up to its
    capacity, and gives a token when it holds one; concurrent takers queue on the row.
    """
    refilled = sa.func.least(capacity, _bucket.c.tokens + (now - _bucket.c.at) * per_second)
    statement = (
        postgresql.insert(_bucket)
        .values(key=key, tokens=capacity - 1.0, at=now, allowed=True)
        .on_conflict_do_update(
            index_elements=[_bucket.c.key],
            set_={
                "tokens": sa.case((refilled >= 1.0, refilled - 1.0), else_=refilled),
                "at": now,
                "allowed": refilled >= 1.0,
            },
        )
        .returning(_bucket.c.allowed)
    )
    return bool(session.connection().execute(statement).scalar_one())


def forget_full(session: Session, *, before: float) -> int:
    """Delete buckets not counted since `before`: they have filled up again."""
    result = session.connection().execute(sa.delete(_bucket).where(_bucket.c.at < before))
    return int(result.rowcount)
