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

from bot import answers, scheduler_prompts
from bot.commands import CHECKIN_BY_AUDIENCE
from bot.doors import Doors
from bot.messages import WEB
from storage import tables
from storage.repositories import audit, personal_links, prompt_deliveries, units

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class DueCheckin:
    """A scheduled check-in open for the client: its start button posts the prompt's
    choice (`prompt:<public id>`), as the Telegram prompt's button does."""

    public_id: str
    dialog_id: str
    closes: dt.datetime  # UTC

    @property
    def choice(self) -> str:
        return scheduler_prompts.button_data(self.public_id)


@dataclass(frozen=True, slots=True)
class PersonalPage:
    """What a client's own page offers: the check-ins due for them, then their own."""

    unit_name: str
    language: str
    due: tuple[DueCheckin, ...]  # soonest to close first
    checkins: tuple[str, ...]  # dialog ids the page may begin (not those due already)
    replies: tuple[answers.WorkerReply, ...] = ()  # the worker's, not answered yet


def due_checkins(
    session: Session, *, client: tables.Client, now: dt.datetime, known: frozenset[str]
) -> tuple[DueCheckin, ...]:
    """The client's scheduled check-ins that are open now (not completed, not expired),
    soonest to close first; one a dialog, and only dialogs that exist."""
    if client.id is None:
        return ()
    due: dict[str, DueCheckin] = {}
    for item in prompt_deliveries.due_for_client(session, client.id, now):
        if item.dialog_id in known and item.dialog_id not in due:
            due[item.dialog_id] = DueCheckin(item.public_id, item.dialog_id, item.expires_at)
    return tuple(due.values())


def offered_checkins(
    client: tables.Client, *, due: tuple[DueCheckin, ...], known: frozenset[str]
) -> tuple[str, ...]:
    """The client's own check-in for their kind (youth, child, parent), unless it is due
    already (its due one is shown instead); only dialogs that exist."""
    own = CHECKIN_BY_AUDIENCE.get(client.audience, "youth_checkin")
    return () if own not in known or own in {d.dialog_id for d in due} else (own,)


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
        due = due_checkins(session, client=client, now=now, known=known)
        return PersonalPage(
            unit_name=unit.name if unit is not None else "",
            language=client.language,
            due=due,
            checkins=offered_checkins(client, due=due, known=known),
            replies=answers.shown_on_page(session, client=client, keyring=doors.keyring, now=now),
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
