"""Running conversations: one row per chat, locked while an update is processed.

The conversation service's hot path: Core statements, one round trip each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from storage.keys import ChatKey
from storage.repositories import updates
from storage.repositories._dialect import is_postgresql
from storage.repositories._prepared import Prepared
from storage.tables import Client, Contact, Conversation, ProcessedUpdate

_table: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
_claims: sa.Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_contacts: sa.Table = Contact.__table__  # type: ignore[attr-defined]
_clients: sa.Table = Client.__table__  # type: ignore[attr-defined]
# Statements on every update's path are built once and reused (no rebuilding, no re-keying).
_FOR_CHAT = sa.select(_table).where(
    _table.c.channel == sa.bindparam("channel"),
    _table.c.address_hmac == sa.bindparam("address_hmac"),
)
_FOR_CHAT_LOCKED = _FOR_CHAT.with_for_update()
_COLUMNS = tuple(column.name for column in _table.columns if column.name != "id")
_FIELDS = tuple(column.name for column in _table.columns)
_CONTACT_FIELDS = tuple(column.name for column in _contacts.columns)
_CLIENT_FIELDS = tuple(column.name for column in _clients.columns)


@dataclass(frozen=True, slots=True)
class Party:
    """Who is on the other end of a chat, as one turn of the conversation reads it.

    The contact when the chat is linked to a client (also while it is inactive), that
    client while the chat is active, and the chat's running conversation (locked for the
    transaction; it may have expired).
    """

    contact: Contact | None = None
    client: Client | None = None
    conversation: Conversation | None = None

    def client_of_contact(self, contact_id: int | None) -> int | None:
        """The client linked to the chat's contact with this id (a conversation's)."""
        contact = self.contact
        if contact_id is None or contact is None or contact.id != contact_id:
            return None
        return contact.client_id


def _party_subquery() -> sa.Subquery:
    """The chat's contact and, when the chat is active, its client: one row or none."""
    return (
        sa.select(
            *(_contacts.c[name].label(f"contact__{name}") for name in _CONTACT_FIELDS),
            *(_clients.c[name].label(f"client__{name}") for name in _CLIENT_FIELDS),
        )
        .select_from(
            _contacts.outerjoin(
                _clients,
                sa.and_(_clients.c.id == _contacts.c.client_id, _contacts.c.active),
            )
        )
        .where(
            _contacts.c.channel == sa.bindparam("channel"),
            _contacts.c.address_hmac == sa.bindparam("address_hmac"),
        )
        .subquery("party")
    )


def _load_statement(*, postgresql_claim: bool) -> sa.Select[Any]:
    """The chat's conversation (locked on PostgreSQL), contact and client in one statement.

    On PostgreSQL the update is claimed in the same statement: the claim is a
    data-modifying CTE, run once and to completion whatever the query reads, and the
    conversation comes through a lateral subquery with FOR UPDATE. Everything is
    outer-joined to one row, so that the answer arrives also when the chat has nothing.
    SQLite (local, serialised by BEGIN IMMEDIATE) claims with a statement of its own.
    """
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    chat = _FOR_CHAT_LOCKED.lateral("chat") if postgresql_claim else _FOR_CHAT.subquery("chat")
    party = _party_subquery()
    if postgresql_claim:
        party = party.lateral("party")  # type: ignore[assignment]
    joined = one.outerjoin(chat, sa.true()).outerjoin(party, sa.true())
    columns: list[Any] = [*chat.c, *party.c]
    if postgresql_claim:
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
        claimed = sa.select(sa.func.count()).select_from(claim).scalar_subquery()
        columns.insert(0, claimed.label("claimed"))
    return sa.select(*columns).select_from(joined)


_CLAIM_AND_LOAD = _load_statement(postgresql_claim=True)
_LOAD = _load_statement(postgresql_claim=False)
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


def for_chat(session: Session, *, chat: ChatKey) -> Conversation | None:
    """The chat's conversation, locked for the rest of the transaction on PostgreSQL.

    SQLite transactions begin IMMEDIATE, which serialises writers already.
    """
    connection = session.connection()
    statement = _FOR_CHAT_LOCKED if connection.dialect.name == "postgresql" else _FOR_CHAT
    parameters = {"channel": chat.channel, "address_hmac": chat.address_hmac}
    row = connection.execute(statement, parameters).mappings().first()
    return None if row is None else Conversation.model_construct(**row)


def claim_and_load(
    session: Session, *, chat: ChatKey, update_key: str, now: dt.datetime
) -> Party | None:
    """Claim the update (R2) and load the chat's party: one read for the whole turn.

    None when the update was claimed before. On PostgreSQL one round trip does both;
    SQLite runs the claim and the load as two statements.
    """
    connection = session.connection()
    values: dict[str, Any] = {"channel": chat.channel, "address_hmac": chat.address_hmac}
    if connection.dialect.name != "postgresql":
        if not updates.claim(session, channel=chat.channel, update_key=update_key, now=now):
            return None
        row = connection.execute(_LOAD, values).mappings().one()
    else:
        values.update(update_key=update_key, processed_at=now)
        row = connection.execute(_CLAIM_AND_LOAD, values).mappings().one()
        if not row["claimed"]:
            return None
    conversation = (
        None
        if row["id"] is None
        else Conversation.model_construct(**{name: row[name] for name in _FIELDS})
    )
    contact = (
        None
        if row["contact__id"] is None
        else Contact.model_construct(**{n: row[f"contact__{n}"] for n in _CONTACT_FIELDS})
    )
    client = (
        None
        if row["client__id"] is None
        else Client.model_construct(**{n: row[f"client__{n}"] for n in _CLIENT_FIELDS})
    )
    return Party(contact, client, conversation)


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
