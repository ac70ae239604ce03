"""Staff, the units they work in, and their personal bearer tokens (stored hashed).

A new member's units, a token issued and a token revoked are changes of access: each writes
its audit row here, wherever it is called from (`by`: who did it; None: the command line).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.repositories import audit
from storage.tables import Staff, StaffToken, StaffUnit

ROLES = ("caseworker", "coordinator", "admin")
TOKEN_PREFIX = "kerro_"  # noqa: S105 (a prefix that marks a token, not a secret)


_tokens: sa.Table = StaffToken.__table__  # type: ignore[attr-defined]
_staff: sa.Table = Staff.__table__  # type: ignore[attr-defined]
_staff_units: sa.Table = StaffUnit.__table__  # type: ignore[attr-defined]
# On every staff request: built once. One round trip: a row per unit of the member (one row
# with no unit for a member of none).
_MEMBER_FOR_TOKEN = (
    sa.select(_tokens.c.id, _staff.c.id, _staff.c.name, _staff.c.role, _staff_units.c.unit_id)
    .join(_staff, _staff.c.id == _tokens.c.staff_id)
    .outerjoin(_staff_units, _staff_units.c.staff_id == _staff.c.id)
    .where(
        _tokens.c.token_hash == sa.bindparam("token_hash"),
        _tokens.c.revoked_at.is_(None),
        _tokens.c.expires_at > sa.bindparam("now"),
        _staff.c.active.is_(True),
    )
)


class StaffError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Member:
    """Who a caller is: a member of staff, their role and units."""

    id: int
    name: str
    role: str
    unit_ids: frozenset[int]
    token_id: int | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_staff(
    session: Session, *, name: str, role: str, unit_ids: Sequence[int], now: dt.datetime
) -> Staff:
    if role not in ROLES:
        raise StaffError(f"the role must be one of {', '.join(ROLES)}")
    if session.exec(select(Staff).where(Staff.name == name)).first() is not None:
        raise StaffError(f"a member of staff called {name!r} exists already")
    staff = Staff(name=name, role=role, created_at=now)
    session.add(staff)
    session.flush()
    assert staff.id is not None
    for unit_id in sorted(set(unit_ids)):
        session.add(StaffUnit(staff_id=staff.id, unit_id=unit_id))
    session.flush()
    shown = ",".join(str(unit_id) for unit_id in sorted(set(unit_ids))) or "all"
    audit.access_change(
        session, by=None, what="staff", target=f"staff/{staff.id} {role} units {shown}", now=now
    )
    return staff


def set_contact(
    session: Session, *, staff_id: int, email: str | None, language: str | None
) -> None:
    """Where a member's alerts go, and in which language (None: Finnish)."""
    session.connection().execute(
        sa.update(_staff).where(_staff.c.id == staff_id).values(email=email, language=language)
    )


def issue_telegram_code(
    session: Session, *, staff_id: int, now: dt.datetime, lifetime: dt.timedelta
) -> tuple[str, dt.datetime]:
    """A one-time code that links a staff Telegram chat (`/start <code>`); replaces an
    earlier one. Stored only as its SHA-256."""
    code = secrets.token_urlsafe(18)
    expires = now + lifetime
    session.connection().execute(
        sa.update(_staff)
        .where(_staff.c.id == staff_id)
        .values(telegram_code_hash=token_hash(code), telegram_code_expires=expires)
    )
    return code, expires


def link_telegram(
    session: Session, *, code: str, address_hmac: str, address_sealed: str, now: dt.datetime
) -> bool:
    """Use a link code: the chat becomes the member's alert chat. One conditional UPDATE, so
    a code links one chat at most; False for an unknown or expired code."""
    result = session.connection().execute(
        sa.update(_staff)
        .where(
            _staff.c.telegram_code_hash == token_hash(code),
            _staff.c.telegram_code_expires > now,
            _staff.c.active.is_(True),
        )
        .values(
            telegram_hmac=address_hmac,
            telegram_sealed=address_sealed,
            telegram_code_hash=None,
            telegram_code_expires=None,
        )
    )
    return bool(result.rowcount)


def unlink_telegram(session: Session, *, staff_id: int) -> None:
    session.connection().execute(
        sa.update(_staff)
        .where(_staff.c.id == staff_id)
        .values(
            telegram_hmac=None,
            telegram_sealed=None,
            telegram_code_hash=None,
            telegram_code_expires=None,
        )
    )


def staff_by_id(session: Session, *, staff_id: int) -> Staff | None:
    return session.get(Staff, staff_id)


def staff_by_name(session: Session, *, name: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.name == name)).first()


def unit_ids_of(session: Session, *, staff_id: int) -> frozenset[int]:
    rows = session.exec(select(col(StaffUnit.unit_id)).where(StaffUnit.staff_id == staff_id)).all()
    return frozenset(int(unit_id) for unit_id in rows)


def list_staff(session: Session, *, unit_ids: frozenset[int] | None) -> Sequence[Staff]:
    """All staff (None), or those who work in any of the units."""
    statement = select(Staff).order_by(col(Staff.name))
    if unit_ids is not None:
        members = sa.select(col(StaffUnit.staff_id)).where(col(StaffUnit.unit_id).in_(unit_ids))
        statement = statement.where(col(Staff.id).in_(members))
    return session.exec(statement).all()


def issue_token(
    session: Session,
    *,
    staff_id: int,
    now: dt.datetime,
    lifetime: dt.timedelta,
    by: int | None = None,
) -> tuple[str, StaffToken]:
    """A new token: the plain value (shown once) and its stored row (hash only)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = StaffToken(
        staff_id=staff_id, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()
    audit.access_change(
        session, by=by, what="token.issue", target=f"staff/{staff_id} token/{row.id}", now=now
    )
    return token, row


def revoke_token(
    session: Session, *, token_id: int, now: dt.datetime, by: int | None = None
) -> bool:
    result = session.connection().execute(
        sa.update(StaffToken)
        .where(col(StaffToken.id) == token_id, col(StaffToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    if result.rowcount:
        audit.access_change(
            session, by=by, what="token.revoke", target=f"token/{token_id}", now=now
        )
    return bool(result.rowcount)


def revoke_all(session: Session, *, staff_id: int, now: dt.datetime, by: int | None = None) -> int:
    result = session.connection().execute(
        sa.update(StaffToken)
        .where(col(StaffToken.staff_id) == staff_id, col(StaffToken.revoked_at).is_(None))
        .values(revoked_at=now)
        .returning(_tokens.c.id)
    )
    revoked = sorted(int(token_id) for (token_id,) in result)
    for token_id in revoked:
        audit.access_change(
            session,
            by=by,
            what="token.revoke",
            target=f"staff/{staff_id} token/{token_id}",
            now=now,
        )
    return len(revoked)


def member_for_token(session: Session, *, token: str, now: dt.datetime) -> Member | None:
    """The active member of staff a live token belongs to; None when unknown, expired, revoked."""
    rows = (
        session.connection()
        .execute(_MEMBER_FOR_TOKEN, {"token_hash": token_hash(token), "now": now})
        .all()
    )
    if not rows:
        return None
    token_id, staff_id, name, role, _ = rows[0]
    return Member(
        id=int(staff_id),
        name=str(name),
        role=str(role),
        unit_ids=frozenset(int(row[4]) for row in rows if row[4] is not None),
        token_id=int(token_id),
    )
