"""Running conversations: one row per chat, locked while an update is processed.

The conversation service's hot path: Core statements, one round trip each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from storage.repositories import updates
from storage.repositories._dialect import is_postgresql
from storage.repositories._prepared import Prepared
from storage.tables import Conversation, ProcessedUpdate

_table: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
_claims: sa.Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
# Statements on every update's path are built once and reused (no rebuilding, no re-keying).
_FOR_CHAT = sa.select(_table).where(
    _table.c.channel == sa.bindparam("channel"),
    _table.c.address_hmac == sa.bindparam("address_hmac"),
)
_FOR_CHAT_LOCKED = _FOR_CHAT.with_for_update()
_COLUMNS = tuple(column.name for column in _table.columns if column.name != "id")


def _claim_and_load_statement() -> sa.Select[Any]:
    """PostgreSQL: claim the update and read the chat's conversation, locked, in one statement.

    The claim is a data-modifying CTE, run once and to completion whatever the query reads;
    the conversation comes through a lateral subquery with FOR UPDATE, outer-joined so that
    the claim's answer arrives also when the chat has no conversation.
    """
    claim = (
        postgresql.insert(_claims)
        .values(
            channel=sa.bindparam("channel"),
            update_key=sa.bindparam("update_key"),
            processed_at=sa.bindparam("processed_at"),
        )
        .on_conflict_do_nothing()
        .returning(_claims.c.channel)
        .cte("claim")
    )
    chat = _FOR_CHAT_LOCKED.lateral("chat")
    claimed = sa.select(sa.func.count()).select_from(claim).scalar_subquery().label("claimed")
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    return sa.select(claimed, *chat.c).select_from(one.outerjoin(chat, sa.true()))


_CLAIM_AND_LOAD = _claim_and_load_statement()
_FIELDS = tuple(column.name for column in _table.columns)
_INSERT = Prepared(sa.insert(_table).returning(_table.c.id), parameters=_COLUMNS)
_UPDATE = Prepared(
    sa.update(_table)
    .where(_table.c.id == sa.bindparam("conversation_id"))
    .values(
        state=sa.bindparam("state"),
        contact_id=sa.bindparam("contact_id"),
        response_id=sa.bindparam("response_id"),
        updated_at=sa.bindparam("updated_at"),
        expires_at=sa.bindparam("expires_at"),
    ),
    parameters=(),
)
_DELETE = Prepared(
    sa.delete(_table).where(_table.c.id == sa.bindparam("conversation_id")), parameters=()
)


def for_chat(session: Session, *, channel: str, address_hmac: str) -> Conversation | None:
    """The chat's conversation, locked for the rest of the transaction on PostgreSQL.

    SQLite transactions begin IMMEDIATE, which serialises writers already.
    """
    connection = session.connection()
    statement = _FOR_CHAT_LOCKED if connection.dialect.name == "postgresql" else _FOR_CHAT
    parameters = {"channel": channel, "address_hmac": address_hmac}
    row = connection.execute(statement, parameters).mappings().first()
    return None if row is None else Conversation.model_construct(**row)


def claim_and_load(
    session: Session, *, channel: str, update_key: str, address_hmac: str, now: dt.datetime
) -> tuple[bool, Conversation | None]:
    """Claim the update (R2) and load the chat's conversation, locked for the transaction.

    (False, None) when the update was claimed before. On PostgreSQL one round trip does both;
    SQLite, local and serialised by BEGIN IMMEDIATE, runs the two statements.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        if not updates.claim(session, channel=channel, update_key=update_key, now=now):
            return False, None
        return True, for_chat(session, channel=channel, address_hmac=address_hmac)
    values = {
        "channel": channel,
        "update_key": update_key,
        "processed_at": now,
        "address_hmac": address_hmac,
    }
    row = connection.execute(_CLAIM_AND_LOAD, values).mappings().one()
    if not row["claimed"]:
        return False, None
    if row["id"] is None:
        return True, None
    return True, Conversation.model_construct(**{name: row[name] for name in _FIELDS})


def insert(session: Session, conversation: Conversation) -> int:
    values = conversation.model_dump(exclude={"id"})
    [(conversation_id,)] = _INSERT.execute(session, values)
    conversation.id = int(conversation_id)
    return conversation.id


def update(
    session: Session,
    *,
    conversation_id: int,
    state: dict[str, Any],
    contact_id: int | None,
    response_id: int | None,
    updated_at: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    _UPDATE.defer(
        session,
        {
            "conversation_id": conversation_id,
            "state": state,
            "contact_id": contact_id,
            "response_id": response_id,
            "updated_at": updated_at,
            "expires_at": expires_at,
        },
    )


def delete(session: Session, *, conversation_id: int) -> None:
    _DELETE.defer(session, {"conversation_id": conversation_id})


def delete_expired(session: Session, *, now: dt.datetime, limit: int) -> int:
    """Delete up to `limit` conversations that expired; returns how many."""
    ids = sa.select(_table.c.id).where(_table.c.expires_at <= now).limit(limit)
    if is_postgresql(session):
        ids = ids.with_for_update(skip_locked=True)
    result = session.connection().execute(sa.delete(_table).where(_table.c.id.in_(ids)))
    return int(result.rowcount)


def set_language(session: Session, *, conversation_id: int, language: str) -> None:
    session.connection().execute(
        sa.update(_table).where(_table.c.id == conversation_id).values(language=language)
    )
