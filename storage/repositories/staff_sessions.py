"""The staff pages' sessions and one-time sign-in links.

A session's cookie value and a link's code are 32 random bytes, stored only as their SHA-256.
A session ends when it is idle too long, when it is older than its longest life, or at
sign-out; a link is used once (one conditional UPDATE) and only within its lifetime.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.repositories.staff import Member
from storage.tables import Staff, StaffSession, StaffSignInLink, StaffUnit

_sessions: sa.Table = StaffSession.__table__  # type: ignore[attr-defined]
_links: sa.Table = StaffSignInLink.__table__  # type: ignore[attr-defined]
_staff: sa.Table = Staff.__table__  # type: ignore[attr-defined]
_staff_units: sa.Table = StaffUnit.__table__  # type: ignore[attr-defined]


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: who it is, and the secret its forms' CSRF tokens are made from."""

    member: Member
    csrf_secret: str
    session_id: int


def start(session: Session, *, staff_id: int, now: dt.datetime) -> str:
    """A new session for the member: the cookie's value (shown once, stored hashed)."""
    value = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            session_hash=_hash(value),
            staff_id=staff_id,
            csrf_secret=secrets.token_hex(32),
            created_at=now,
            last_seen=now,
        )
    )
    session.flush()
    return value


def resume(
    session: Session,
    *,
    value: str,
    now: dt.datetime,
    idle: dt.timedelta,
    longest: dt.timedelta,
    touch: bool = True,
) -> SignedIn | None:
    """The session of a cookie, if it is live (its member active, not idle, not too old);
    its last sight becomes now, unless the request was not the member's own doing (`touch`
    False: a page looking for news by itself). A dead session is deleted."""
    rows = (
        session.connection()
        .execute(
            sa.select(
                _sessions.c.id,
                _sessions.c.csrf_secret,
                _sessions.c.created_at,
                _sessions.c.last_seen,
                _staff.c.id,
                _staff.c.name,
                _staff.c.role,
                _staff.c.active,
                _staff_units.c.unit_id,
            )
            .join(_staff, _staff.c.id == _sessions.c.staff_id)
            .outerjoin(_staff_units, _staff_units.c.staff_id == _staff.c.id)
            .where(_sessions.c.session_hash == _hash(value))
        )
        .all()
    )
    if not rows:
        return None
    session_id, csrf, created, last_seen, staff_id, name, role, active, _ = rows[0]
    if not active or now - last_seen > idle or now - created > longest:
        session.connection().execute(sa.delete(_sessions).where(_sessions.c.id == session_id))
        return None
    if touch:
        session.connection().execute(
            sa.update(_sessions).where(_sessions.c.id == session_id).values(last_seen=now)
        )
    units = frozenset(int(row[-1]) for row in rows if row[-1] is not None)
    return SignedIn(Member(int(staff_id), str(name), str(role), units), str(csrf), int(session_id))


def end(session: Session, *, value: str) -> None:
    """Sign out: the session is deleted."""
    session.connection().execute(
        sa.delete(_sessions).where(_sessions.c.session_hash == _hash(value))
    )


def issue_link(session: Session, *, staff_id: int, now: dt.datetime, lifetime: dt.timedelta) -> str:
    """A one-time sign-in code (for a link sent by e-mail); stored only as its SHA-256."""
    code = secrets.token_urlsafe(32)
    session.add(
        StaffSignInLink(
            link_hash=_hash(code), staff_id=staff_id, created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return code


def use_link(session: Session, *, code: str, now: dt.datetime) -> int | None:
    """Use a sign-in code: the member's id, or None for an unknown, used or expired code.
    One conditional UPDATE, so a code signs in once at most."""
    row = (
        session.connection()
        .execute(
            sa.update(_links)
            .where(
                _links.c.link_hash == _hash(code),
                _links.c.used_at.is_(None),
                _links.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(_links.c.staff_id)
        )
        .first()
    )
    if row is None:
        return None
    member = session.get(Staff, int(row[0]))
    return None if member is None or not member.active else int(row[0])


def staff_by_email(session: Session, *, email: str) -> Staff | None:
    """The active member of staff with this e-mail address (compared case-blind)."""
    return session.exec(
        select(Staff).where(
            sa.func.lower(col(Staff.email)) == email.strip().lower(), col(Staff.active).is_(True)
        )
    ).first()
