"""The audit log of staff reads of person-linked data (P4). Rows are only ever inserted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.tables import AuditClient, AuditEntry

_clients: sa.Table = AuditClient.__table__  # type: ignore[attr-defined]
_log: sa.Table = AuditEntry.__table__  # type: ignore[attr-defined]
_INSERT = sa.insert(_log).returning(_log.c.id)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    staff_id: int
    at: dt.datetime
    action: str
    target: str
    purpose: str
    client_ids: tuple[int, ...]


def record(
    session: Session,
    *,
    staff_id: int,
    action: str,
    target: str,
    purpose: str,
    client_ids: Iterable[int],
    now: dt.datetime,
) -> int:
    """Write one audit row (and the clients it disclosed) in the caller's transaction."""
    connection = session.connection()
    audit_id = int(
        connection.execute(
            _INSERT,
            {
                "staff_id": staff_id,
                "at": now,
                "action": action,
                "target": target[:300],
                "purpose": purpose[:200],
            },
        ).scalar_one()
    )
    ids = sorted(set(client_ids))
    if ids:
        connection.execute(
            sa.insert(_clients), [{"audit_id": audit_id, "client_id": i} for i in ids]
        )
    return audit_id


def query(
    session: Session,
    *,
    staff_id: int | None,
    client_id: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before_id: int | None,
    limit: int,
) -> list[Entry]:
    """Audit rows, newest first, keyset-paginated by id."""
    statement = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if staff_id is not None:
        statement = statement.where(AuditEntry.staff_id == staff_id)
    if client_id is not None:
        disclosed = sa.select(_clients.c.audit_id).where(_clients.c.client_id == client_id)
        statement = statement.where(col(AuditEntry.id).in_(disclosed))
    if since is not None:
        statement = statement.where(col(AuditEntry.at) >= since)
    if until is not None:
        statement = statement.where(col(AuditEntry.at) < until)
    if before_id is not None:
        statement = statement.where(col(AuditEntry.id) < before_id)
    rows = session.exec(statement).all()
    ids = [row.id for row in rows if row.id is not None]
    disclosed_by: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        pairs = session.connection().execute(
            sa.select(_clients.c.audit_id, _clients.c.client_id)
            .where(_clients.c.audit_id.in_(ids))
            .order_by(_clients.c.client_id)
        )
        for audit_id, disclosed_client in pairs:
            disclosed_by[int(audit_id)].append(int(disclosed_client))
    return [
        Entry(
            id=row.id,
            staff_id=row.staff_id,
            at=row.at,
            action=row.action,
            target=row.target,
            purpose=row.purpose,
            client_ids=tuple(disclosed_by[row.id]),
        )
        for row in rows
        if row.id is not None
    ]


def count(session: Session) -> int:
    return int(
        session.connection()
        .execute(sa.select(sa.func.count()).select_from(AuditEntry))
        .scalar_one()
    )
