"""Enrolment invites: single-use, expiring codes that link a chat to a client.

A code is stored only as its SHA-256; using it is one conditional UPDATE, so a code links at
most one chat, also when two chats race for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.tables import Invite


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """16 URL-safe characters: fits a Telegram deep link (1-64 of A-Za-z0-9_-)."""
    return secrets.token_urlsafe(12)


def create(
    session: Session,
    *,
    client_id: int,
    created_by: int,
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> tuple[str, Invite]:
    code = new_code()
    invite = Invite(
        client_id=client_id,
        code_hash=code_hash(code),
        created_by=created_by,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(invite)
    session.flush()
    return code, invite


def find(session: Session, *, code: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.code_hash == code_hash(code))).first()


def use(session: Session, *, code: str, now: dt.datetime) -> int | None:
    """Use a code once: the client's id, or None when it is unknown, used or expired."""
    result = session.connection().execute(
        sa.update(Invite)
        .where(
            col(Invite.code_hash) == code_hash(code),
            col(Invite.used_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(Invite.client_id))
    )
    row = result.first()
    return None if row is None else int(row[0])
