"""A worker's replies to a flag and the client's one answer back, as the flag's events.

The reply is the event `reply` (by a member of staff, the text sealed). On the client's side
(no member of staff): `shown` when their personal page showed it, `answer_wait` when they
pressed "Answer" in Telegram (their next text is the answer), `answer` (the text sealed).
A reply takes one answer: an `answer` after it on the same flag. A worker's `answer_read`
after the answer means someone read it, so the inbox no longer says "new answer".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.repositories import contacts
from storage.tables import Contact, Flag, FlagEvent

REPLY = "reply"
SHOWN = "shown"
WAIT = "answer_wait"
ANSWER = "answer"
READ = "answer_read"
CLIENT_SIDE = (SHOWN, WAIT, ANSWER)


def add(
    session: Session,
    *,
    flag: Flag,
    action: str,
    note_sealed: str | None,
    now: dt.datetime,
    staff_id: int | None = None,
) -> FlagEvent:
    """An event that changes nothing else of the flag."""
    event = FlagEvent(
        flag_id=flag.id,  # type: ignore[arg-type]
        staff_id=staff_id,
        action=action,
        note_sealed=note_sealed,
        at=now,
    )
    session.add(event)
    session.flush()
    return event


def web_links(session: Session, *, client_id: int, channel: str) -> Sequence[Contact]:
    """The client's active personal web links that may get messages (the person agreed)."""
    return session.exec(
        select(Contact).where(
            Contact.client_id == client_id,
            Contact.channel == channel,
            col(Contact.active).is_(True),
            col(Contact.prompts).is_(True),
        )
    ).all()


def reachable(session: Session, *, client_id: int, web_channel: str) -> bool:
    return bool(contacts.reachable_chats(session, client_id=client_id)) or bool(
        web_links(session, client_id=client_id, channel=web_channel)
    )


def _events(session: Session, flag_id: int) -> Sequence[FlagEvent]:
    return session.exec(
        select(FlagEvent).where(FlagEvent.flag_id == flag_id).order_by(col(FlagEvent.id))
    ).all()


def last_reply(session: Session, *, flag: Flag) -> tuple[FlagEvent, bool, bool] | None:
    """The flag's latest reply: (the event, answered, shown), or None when there is none."""
    assert flag.id is not None
    events = _events(session, flag.id)
    replies = [e for e in events if e.action == REPLY]
    if not replies:
        return None
    latest = replies[-1]
    after = [e.action for e in events if (e.id or 0) > (latest.id or 0)]
    return latest, ANSWER in after, SHOWN in after


def client_flag(session: Session, *, client_id: int, public_id: str) -> Flag | None:
    """The client's own flag with this public id (locked on PostgreSQL)."""
    statement = select(Flag).where(Flag.public_id == public_id, Flag.client_id == client_id)
    if session.connection().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Flag)
    return session.exec(statement).first()


def unanswered(session: Session, *, client_id: int) -> list[tuple[Flag, FlagEvent, bool]]:
    """The client's flags whose latest reply has no answer yet: (flag, its reply, shown
    already), the newest first."""
    found = session.exec(
        select(Flag)
        .where(Flag.client_id == client_id)
        .where(
            col(Flag.id).in_(
                sa.select(col(FlagEvent.flag_id)).where(col(FlagEvent.action) == REPLY)
            )
        )
    ).all()
    open_ones: list[tuple[Flag, FlagEvent, bool]] = []
    for flag in found:
        last = last_reply(session, flag=flag)
        if last is not None and not last[1]:
            open_ones.append((flag, last[0], last[2]))
    return sorted(open_ones, key=lambda item: item[1].id or 0, reverse=True)


def waiting(session: Session, *, client_id: int, since: dt.datetime) -> Flag | None:
    """The flag whose reply waits on this client's typed answer: "Answer" was pressed since
    `since`, the latest such press, and no answer came after it."""
    row = session.exec(
        select(FlagEvent, Flag)
        .join(Flag, col(Flag.id) == col(FlagEvent.flag_id))
        .where(Flag.client_id == client_id, FlagEvent.action == WAIT, col(FlagEvent.at) >= since)
        .order_by(col(FlagEvent.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    wait, flag = row
    assert flag.id is not None
    later = [e.action for e in _events(session, flag.id) if (e.id or 0) > (wait.id or 0)]
    return None if ANSWER in later else flag


def with_new_answer(session: Session, *, public_ids: Iterable[str]) -> set[str]:
    """Of these flags (public ids), those whose latest answer nobody of staff has read yet."""
    ids = list(public_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(Flag.public_id, FlagEvent.action)
        .join(Flag, col(Flag.id) == col(FlagEvent.flag_id))
        .where(col(Flag.public_id).in_(ids), col(FlagEvent.action).in_((ANSWER, READ)))
        .order_by(col(FlagEvent.id))
    ).all()
    latest: dict[str, str] = {}
    for public_id, action in rows:
        latest[public_id] = action
    return {public_id for public_id, action in latest.items() if action == ANSWER}
