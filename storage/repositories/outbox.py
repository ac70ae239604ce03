"""The outbox: messages to deliver, in order per chat (R3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.keys import ChatKey
from storage.repositories._dialect import is_postgresql
from storage.repositories._prepared import Prepared
from storage.tables import Outbox

_table: sa.Table = Outbox.__table__  # type: ignore[attr-defined]
_INSERT = Prepared(
    sa.insert(_table), parameters=[c.name for c in _table.columns if c.name not in ("id",)]
)


def enqueue(
    session: Session,
    *,
    chat: ChatKey,
    address_sealed: str,
    payloads: Sequence[dict[str, Any]],
    now: dt.datetime,
) -> None:
    """Queue outgoing messages (their payloads) to a chat, in order, due at once; deferred,
    sent with the transaction's other writes before it commits."""
    _INSERT.defer_many(
        session,
        [
            {
                "channel": chat.channel,
                "address_hmac": chat.address_hmac,
                "address_sealed": address_sealed,
                "payload": payload,
                "attempts": 0,
                "not_before": now,
                "created_at": now,
            }
            for payload in payloads
        ],
    )


def pending_for_chat(session: Session, *, chat: ChatKey) -> Sequence[Outbox]:
    result = session.exec(
        select(Outbox)
        .where(
            Outbox.channel == chat.channel,
            Outbox.address_hmac == chat.address_hmac,
            col(Outbox.dead_reason).is_(None),
        )
        .order_by(col(Outbox.id))
    )
    return result.all()


def due_heads(session: Session, *, channel: str, now: dt.datetime, limit: int) -> Sequence[Outbox]:
    """The oldest live message of each chat, where it is due: what may be sent next.

    A chat's later messages wait behind its oldest, also while that one waits for a retry or
    is being sent (its `not_before` is then in the future), which keeps each chat in order.
    """
    heads = (
        sa.select(sa.func.min(_table.c.id))
        .where(_table.c.channel == channel, _table.c.dead_reason.is_(None))
        .group_by(_table.c.address_hmac)
    )
    statement = (
        select(Outbox)
        .where(col(Outbox.id).in_(heads), col(Outbox.not_before) <= now)
        .order_by(col(Outbox.id))
        .limit(limit)
    )
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    return session.exec(statement).all()


def followers(session: Session, *, chat: ChatKey, after_id: int, limit: int) -> Sequence[Outbox]:
    """A chat's live messages after `after_id`, in order."""
    return session.exec(
        select(Outbox)
        .where(
            Outbox.channel == chat.channel,
            Outbox.address_hmac == chat.address_hmac,
            col(Outbox.dead_reason).is_(None),
            col(Outbox.id) > after_id,
        )
        .order_by(col(Outbox.id))
        .limit(limit)
    ).all()


def lease(session: Session, *, ids: Sequence[int], until: dt.datetime) -> None:
    """Hold messages while they are sent: nobody else takes them before `until`."""
    session.connection().execute(
        sa.update(_table)
        .where(_table.c.id.in_(ids))
        .values(not_before=until, attempts=_table.c.attempts + 1)
    )


def retry_later(session: Session, *, ids: Sequence[int], at: dt.datetime) -> None:
    session.connection().execute(
        sa.update(_table).where(_table.c.id.in_(ids)).values(not_before=at)
    )


def dead_letter(session: Session, *, ids: Sequence[int], reason: str) -> None:
    """Give up on messages: they stay, with the reason, for an operator to look at."""
    session.connection().execute(
        sa.update(_table).where(_table.c.id.in_(ids)).values(dead_reason=reason[:200])
    )


def drop_chat(session: Session, *, chat: ChatKey) -> int:
    """Delete every message still waiting for a chat (it blocked the bot)."""
    result = session.connection().execute(
        sa.delete(_table).where(
            _table.c.channel == chat.channel, _table.c.address_hmac == chat.address_hmac
        )
    )
    return int(result.rowcount)


def count_live(session: Session, *, channel: str) -> int:
    return int(
        session.connection()
        .execute(
            sa.select(sa.func.count())
            .select_from(_table)
            .where(_table.c.channel == channel, _table.c.dead_reason.is_(None))
        )
        .scalar_one()
    )


def delivered(session: Session, *, ids: Sequence[int]) -> None:
    """Delivered messages are deleted: their address and text are not kept."""
    if ids:
        session.connection().execute(sa.delete(_table).where(_table.c.id.in_(ids)))
