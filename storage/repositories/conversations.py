"""Running conversations: one row per chat, locked while an update is processed.

The conversation service's hot path: Core statements, one round trip each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.repositories._dialect import is_postgresql
from storage.repositories._prepared import Prepared
from storage.tables import Conversation

_table: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
# Statements on every update's path are built once and reused (no rebuilding, no re-keying).
_FOR_CHAT = sa.select(_table).where(
    _table.c.channel == sa.bindparam("channel"),
    _table.c.address_hmac == sa.bindparam("address_hmac"),
)
_FOR_CHAT_LOCKED = _FOR_CHAT.with_for_update()
_COLUMNS = tuple(column.name for column in _table.columns if column.name != "id")
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
    _UPDATE.execute(
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
    _DELETE.execute(session, {"conversation_id": conversation_id})


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
