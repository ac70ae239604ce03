"""Clients of a unit, and their goals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.repositories._rows import first, where
from storage.repositories.units import DuplicateError
from storage.tables import Client, Goal, Response

_CLIENT_BY_ID = where(Client, "id")


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


def client_for_update(session: Session, *, client_id: int) -> Client | None:
    """The client as an ORM row, which `update_client` can change."""
    return session.get(Client, client_id)


def client_by_id(session: Session, *, client_id: int) -> Client | None:
    """The client as a plain row for reading, without the ORM (a conversation's path)."""
    return first(session, Client, _CLIENT_BY_ID, {"id": client_id})


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


def count_responses(session: Session, *, client_id: int) -> int:
    statement = (
        sa.select(sa.func.count()).select_from(Response).where(col(Response.client_id) == client_id)
    )
    return int(session.connection().execute(statement).scalar_one())


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
