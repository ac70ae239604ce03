"""Personal check-in links, for clients without Telegram: the doors the web chat uses.

A client enrolled by the web invite link answers the consent question; then the chat's link
to them moves to a new, unguessable token, which the page shows once (`issue_link`). The
token is the address of their own web chat (`/chat/p/<token>`), stored only as a keyed hash:
there they start their check-ins and resume an unfinished one, in their own name.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlmodel import Session

from bot.commands import CHECKIN_BY_AUDIENCE
from bot.doors import Doors
from bot.messages import WEB
from storage import tables
from storage.repositories import audit, personal_links, units

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class PersonalPage:
    """What a client's own page offers: the check-ins due for them, then their own."""

    unit_name: str
    language: str
    checkins: tuple[str, ...]  # dialog ids, due ones first


def due_checkins(session: Session, *, client: tables.Client, now: dt.datetime) -> list[str]:
    """The dialog ids of the client's check-ins that are due now (scheduled prompts).

    The one place where the scheduler's due-list is read for the personal page:
    `storage.repositories.schedules.due_for_client(session, client_id, now)` belongs here.
    Until it is connected, nothing is due, and the page offers the client's own check-in.
    """
    return []


def offered_checkins(
    session: Session, *, client: tables.Client, now: dt.datetime, known: frozenset[str]
) -> tuple[str, ...]:
    """Due check-ins first, then the client's own check-in for their kind (youth, child,
    parent); only dialogs that exist, each once."""
    own = CHECKIN_BY_AUDIENCE.get(client.audience, "youth_checkin")
    ordered = [*due_checkins(session, client=client, now=now), own]
    return tuple(dict.fromkeys(d for d in ordered if d in known))


async def issue_link(doors: Doors, session_token: str) -> str | None:
    """Move the web chat's link to its client over to a new personal link; its token (shown
    once), or None when this chat is linked to nobody."""
    token = secrets.token_urlsafe(32)
    chat = doors.chat_key(WEB, session_token)
    link = doors.chat_key(WEB, token)
    now = doors.clock()

    def work(session: Session) -> bool:
        client_id = personal_links.move_to_link(session, chat=chat, link=link)
        if client_id is None:
            return False
        audit.access_change(  # the link now answers in the client's name
            session,
            by=None,
            what="personal_link",
            target=f"client/{client_id}",
            client_ids=[client_id],
            now=now,
        )
        return True

    return token if await doors.database.run(work) else None


async def personal_page(doors: Doors, token: str) -> PersonalPage | None:
    """The page of a personal link; None for a link that is unknown or revoked."""
    if not TOKEN.match(token):
        return None
    link = doors.chat_key(WEB, token)
    now = doors.clock()
    known = frozenset(doors.dialogs)

    def work(session: Session) -> PersonalPage | None:
        client = personal_links.client_of_link(session, link=link)
        if client is None:
            return None
        unit = units.unit_by_id(session, unit_id=client.unit_id)
        return PersonalPage(
            unit_name=unit.name if unit is not None else "",
            language=client.language,
            checkins=offered_checkins(session, client=client, now=now, known=known),
        )

    return await doors.database.run(work)


async def revoke_link(doors: Doors, token: str) -> bool:
    """The personal link stops working; whether there was one."""
    if not TOKEN.match(token):
        return False
    link = doors.chat_key(WEB, token)
    now = doors.clock()

    def work(session: Session) -> bool:
        client_id = personal_links.revoke(session, link=link)
        if client_id is None:
            return False
        audit.access_change(
            session,
            by=None,
            what="personal_link_revoked",
            target=f"client/{client_id}",
            client_ids=[client_id],
            now=now,
        )
        return True

    return await doors.database.run(work)
