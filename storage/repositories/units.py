"""Units and their clients, goals and contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from storage.tables import (
    Alert,
    AlertDelivery,
    Answer,
    Client,
    Contact,
    Conversation,
    Flag,
    FlagEvent,
    Goal,
    Response,
    Unit,
)

Row = TypeVar("Row", bound=SQLModel)


def _table(model: type[SQLModel]) -> sa.Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def _where(model: type[SQLModel], *columns: str) -> sa.Select[Any]:
    """A select of a whole row by columns, with a bind parameter of each column's name."""
    table = _table(model)
    return sa.select(table).where(*(table.c[name] == sa.bindparam(name) for name in columns))


# Reads on every conversation's path: Core statements built once, rows as plain (detached)
# models, without the ORM's identity map and loading machinery. What they return is for
# reading; changes go through the update functions below.
_UNIT_BY_CODE = _where(Unit, "code")
_UNIT_BY_ID = _where(Unit, "id")
_CLIENT_BY_ID = _where(Client, "id")
_CONTACT_BY_ID = _where(Contact, "id")
_CONTACT_BY_ADDRESS = _where(Contact, "channel", "address_hmac")


def _first(
    session: Session, model: type[Row], statement: sa.Select[Any], values: Mapping[str, Any]
) -> Row | None:
    row = session.connection().execute(statement, values).mappings().first()
    return None if row is None else model.model_construct(**row)  # type: ignore[return-value]


class DuplicateError(ValueError):
    pass


def add_unit(session: Session, *, code: str, name: str, now: dt.datetime) -> Unit:
    if unit_by_code(session, code=code) is not None:
        raise DuplicateError(f"a unit with the code {code!r} exists already")
    unit = Unit(code=code, name=name, created_at=now)
    session.add(unit)
    session.flush()
    return unit


def unit_by_code(session: Session, *, code: str) -> Unit | None:
    return _first(session, Unit, _UNIT_BY_CODE, {"code": code})


def unit_by_id(session: Session, *, unit_id: int) -> Unit | None:
    return _first(session, Unit, _UNIT_BY_ID, {"id": unit_id})


def list_units(session: Session) -> Sequence[Unit]:
    result = session.exec(select(Unit).order_by(col(Unit.code)))
    return result.all()


def add_client(
    session: Session,
    *,
    unit_id: int,
    alias: str,
    case_ref: str,
    audience: str,
    language: str,
    now: dt.datetime,
    caseworker_id: int | None = None,
) -> Client:
    if client_by_ref(session, unit_id=unit_id, case_ref=case_ref) is not None:
        raise DuplicateError(f"the unit has a client with the reference {case_ref!r} already")
    client = Client(
        unit_id=unit_id,
        alias=alias,
        case_ref=case_ref,
        audience=audience,
        language=language,
        created_at=now,
        caseworker_id=caseworker_id,
    )
    session.add(client)
    session.flush()
    return client


def client_by_ref(session: Session, *, unit_id: int, case_ref: str) -> Client | None:
    result = session.exec(
        select(Client).where(Client.unit_id == unit_id, Client.case_ref == case_ref)
    )
    return result.first()


def client_by_id(session: Session, *, client_id: int) -> Client | None:
    """The client as an ORM row, which `update_client` can change."""
    return session.get(Client, client_id)


def read_client(session: Session, *, client_id: int) -> Client | None:
    """The client as a plain row for reading, without the ORM (a conversation's path)."""
    return _first(session, Client, _CLIENT_BY_ID, {"id": client_id})


def add_goal(
    session: Session,
    *,
    client_id: int,
    title: str,
    weight: float = 1.0,
    levels: dict[str, str] | None = None,
) -> Goal:
    count = session.scalar(
        sa.select(sa.func.count()).select_from(Goal).where(col(Goal.client_id) == client_id)
    )
    goal = Goal(
        client_id=client_id, title=title, weight=weight, position=int(count or 0), levels=levels
    )
    session.add(goal)
    session.flush()
    return goal


def active_goals(session: Session, *, client_id: int) -> Sequence[Goal]:
    result = session.exec(
        select(Goal)
        .where(Goal.client_id == client_id, col(Goal.active).is_(True))
        .order_by(col(Goal.position), col(Goal.id))
    )
    return result.all()


def link_contact(
    session: Session,
    *,
    channel: str,
    address_hmac: str,
    client_id: int,
    language: str,
    now: dt.datetime,
    address_sealed: str | None = None,
) -> Contact:
    """Link a chat to a client; an existing link of the same chat is moved to this client."""
    contact = session.exec(
        select(Contact).where(Contact.channel == channel, Contact.address_hmac == address_hmac)
    ).first()
    if contact is None:
        contact = Contact(
            channel=channel,
            address_hmac=address_hmac,
            client_id=client_id,
            language=language,
            created_at=now,
        )
    contact.client_id = client_id
    contact.language = language
    contact.address_sealed = address_sealed
    contact.active = True
    session.add(contact)
    session.flush()
    return contact


def contact_by_address(session: Session, *, channel: str, address_hmac: str) -> Contact | None:
    values = {"channel": channel, "address_hmac": address_hmac}
    return _first(session, Contact, _CONTACT_BY_ADDRESS, values)


def contact_by_id(session: Session, *, contact_id: int) -> Contact | None:
    return _first(session, Contact, _CONTACT_BY_ID, {"id": contact_id})


def set_prompts(session: Session, *, contact_id: int, prompts: bool) -> None:
    session.connection().execute(
        sa.update(Contact).where(col(Contact.id) == contact_id).values(prompts=prompts)
    )


def set_contact_language(session: Session, *, contact_id: int, language: str) -> None:
    session.connection().execute(
        sa.update(Contact).where(col(Contact.id) == contact_id).values(language=language)
    )


def set_chat_active(session: Session, *, channel: str, address_hmac: str, active: bool) -> bool:
    """Mark a linked chat (in)active, e.g. when the person blocks the bot; False if unlinked."""
    result = session.connection().execute(
        sa.update(Contact)
        .where(col(Contact.channel) == channel, col(Contact.address_hmac) == address_hmac)
        .values(active=active)
    )
    return bool(result.rowcount)


def count_responses(session: Session, *, client_id: int) -> int:
    statement = (
        sa.select(sa.func.count()).select_from(Response).where(col(Response.client_id) == client_id)
    )
    return int(session.connection().execute(statement).scalar_one())


def forget_client(session: Session, *, client_id: int) -> None:
    """Erase what a client's chats stored (P6): answers, flags, responses, chat links.

    The client record itself (an alias and a case reference, kept by staff) stays.
    """
    connection = session.connection()
    contact_ids = sa.select(col(Contact.id)).where(col(Contact.client_id) == client_id)
    response_ids = sa.select(col(Response.id)).where(col(Response.client_id) == client_id)
    connection.execute(sa.delete(Conversation).where(col(Conversation.contact_id).in_(contact_ids)))
    connection.execute(sa.delete(Answer).where(col(Answer.response_id).in_(response_ids)))
    flag_ids = sa.select(col(Flag.id)).where(col(Flag.response_id).in_(response_ids))
    alert_ids = sa.select(col(Alert.id)).where(col(Alert.flag_id).in_(flag_ids))
    connection.execute(sa.delete(AlertDelivery).where(col(AlertDelivery.alert_id).in_(alert_ids)))
    connection.execute(sa.delete(Alert).where(col(Alert.flag_id).in_(flag_ids)))
    connection.execute(sa.delete(FlagEvent).where(col(FlagEvent.flag_id).in_(flag_ids)))
    connection.execute(sa.delete(Flag).where(col(Flag.response_id).in_(response_ids)))
    connection.execute(sa.delete(Response).where(col(Response.client_id) == client_id))
    connection.execute(sa.delete(Contact).where(col(Contact.client_id) == client_id))


def units_by_ids(session: Session, *, unit_ids: frozenset[int] | None) -> Sequence[Unit]:
    """The units with these ids (None: every unit), by code."""
    statement = select(Unit).order_by(col(Unit.code))
    if unit_ids is not None:
        statement = statement.where(col(Unit.id).in_(unit_ids))
    return session.exec(statement).all()


def rename_unit(session: Session, *, unit_id: int, name: str) -> None:
    session.connection().execute(sa.update(Unit).where(col(Unit.id) == unit_id).values(name=name))


def set_on_call(session: Session, *, unit_id: int, email: str | None) -> None:
    """The address that gets the unit's anonymous and unassigned alerts (None: none)."""
    session.connection().execute(
        sa.update(Unit).where(col(Unit.id) == unit_id).values(on_call_email=email)
    )


def list_clients(
    session: Session,
    *,
    unit_ids: frozenset[int] | None,
    caseworker_id: int | None,
    unit_id: int | None,
    after_id: int | None,
    limit: int,
) -> Sequence[Client]:
    """Clients in the units (None: all), of one caseworker if given, by id (keyset)."""
    statement = select(Client).order_by(col(Client.id)).limit(limit)
    if unit_ids is not None:
        statement = statement.where(col(Client.unit_id).in_(unit_ids))
    if caseworker_id is not None:
        statement = statement.where(Client.caseworker_id == caseworker_id)
    if unit_id is not None:
        statement = statement.where(Client.unit_id == unit_id)
    if after_id is not None:
        statement = statement.where(col(Client.id) > after_id)
    return session.exec(statement).all()


def update_client(
    session: Session,
    *,
    client: Client,
    alias: str | None = None,
    language: str | None = None,
    audience: str | None = None,
    caseworker_id: int | None = None,
    clear_caseworker: bool = False,
) -> Client:
    if alias is not None:
        client.alias = alias
    if language is not None:
        client.language = language
    if audience is not None:
        client.audience = audience
    if caseworker_id is not None:
        client.caseworker_id = caseworker_id
    elif clear_caseworker:
        client.caseworker_id = None
    session.add(client)
    session.flush()
    return client


def goals_of(session: Session, *, client_id: int) -> Sequence[Goal]:
    result = session.exec(
        select(Goal).where(Goal.client_id == client_id).order_by(col(Goal.position), col(Goal.id))
    )
    return result.all()


def goal_by_id(session: Session, *, goal_id: int) -> Goal | None:
    return session.get(Goal, goal_id)


def save_goal(session: Session, *, goal: Goal) -> Goal:
    session.add(goal)
    session.flush()
    return goal


def set_consent(
    session: Session, *, contact_id: int, prompts: bool, address_sealed: str | None
) -> None:
    """Prompts wanted (with the sealed address to send them to) or not (and no address)."""
    session.connection().execute(
        sa.update(Contact)
        .where(col(Contact.id) == contact_id)
        .values(prompts=prompts, address_sealed=address_sealed if prompts else None)
    )
