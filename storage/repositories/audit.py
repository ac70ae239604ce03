"""The audit log (P4): staff reads of person-linked data, and every change of who may see it
(actions starting with `access.`). Rows are only ever inserted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from storage.repositories._prepared import Prepared
from storage.tables import AuditClient, AuditEntry

_clients: sa.Table = AuditClient.__table__  # type: ignore[attr-defined]
_log: sa.Table = AuditEntry.__table__  # type: ignore[attr-defined]
_INSERT = sa.insert(_log).returning(_log.c.id)
_ENTRY = sa.insert(_log).values(
    staff_id=sa.bindparam("staff_id"),
    at=sa.bindparam("at"),
    action=sa.bindparam("action"),
    target=sa.bindparam("target"),
    purpose=sa.bindparam("purpose"),
)
# PostgreSQL: the row and the clients it concerns in one statement, which needs no answer and
# so can wait for the commit's round trip.
_NEW_ENTRY = _ENTRY.returning(_log.c.id).cte("entry")
_RECORD_WITH_CLIENTS = Prepared(
    sa.insert(_clients).from_select(
        ["audit_id", "client_id"],
        sa.select(
            _NEW_ENTRY.c.id,
            sa.func.unnest(sa.bindparam("client_ids", type_=postgresql.ARRAY(sa.Integer())))
            .table_valued("client_id")
            .column,
        ).select_from(_NEW_ENTRY),
    ),
    parameters=("staff_id", "at", "action", "target", "purpose", "client_ids"),
)
ACCESS = "access."  # the prefix of a change of access: caseworker, units, enrolment, tokens


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    staff_id: int | None
    at: dt.datetime
    action: str
    target: str
    purpose: str
    client_ids: tuple[int, ...]


def record(
    session: Session,
    *,
    staff_id: int | None,
    action: str,
    target: str,
    purpose: str,
    client_ids: Iterable[int],
    now: dt.datetime,
) -> int:
    """Write one audit row (and the clients it concerns) in the caller's transaction.

    `staff_id` is who acted; None when it was not a member of staff (the command line, or
    the client themself)."""
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


def record_later(
    session: Session,
    *,
    staff_id: int | None,
    action: str,
    target: str,
    purpose: str,
    client_ids: Iterable[int],
    now: dt.datetime,
) -> None:
    """As `record`, for a caller that needs no id back: on PostgreSQL the row is written just
    before the transaction's next statement or with its commit, in the same round trip (a
    failed write still fails the transaction, so no read goes out without its row)."""
    if session.connection().dialect.name != "postgresql":
        record(
            session,
            staff_id=staff_id,
            action=action,
            target=target,
            purpose=purpose,
            client_ids=client_ids,
            now=now,
        )
        return
    _RECORD_WITH_CLIENTS.defer(
        session,
        {
            "staff_id": staff_id,
            "at": now,
            "action": action,
            "target": target[:300],
            "purpose": purpose[:200],
            "client_ids": sorted(set(client_ids)),
        },
    )


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


def access_change(
    session: Session,
    *,
    by: int | None,
    what: str,
    target: str,
    client_ids: Iterable[int] = (),
    now: dt.datetime,
) -> int:
    """Record a change of who may see person-linked data (`access.<what>`)."""
    return record(
        session,
        staff_id=by,
        action=f"{ACCESS}{what}",
        target=target,
        purpose="change of access",
        client_ids=client_ids,
        now=now,
    )


def count(session: Session, *, reads_only: bool = False) -> int:
    """Audit rows; with `reads_only`, without the changes of access."""
    statement = sa.select(sa.func.count()).select_from(AuditEntry)
    if reads_only:
        statement = statement.where(~col(AuditEntry.action).startswith(ACCESS))
    return int(session.connection().execute(statement).scalar_one())


def actions_after(session: Session, *, after_id: int) -> list[str]:
    """The actions of the rows written after `after_id`, in order."""
    rows = session.connection().execute(
        sa.select(_log.c.action).where(_log.c.id > after_id).order_by(_log.c.id)
    )
    return [str(action) for (action,) in rows]


def last_id(session: Session) -> int:
    return int(session.connection().execute(sa.select(sa.func.max(_log.c.id))).scalar() or 0)
