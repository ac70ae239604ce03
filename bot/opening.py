"""How a dialog starts for a chat: in which language, for which unit, and whether
anonymously (P1).

Decisions on the chat's party and the inbound that starts the dialog; the unit and the
client's goals are read when a dialog starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from bot.messages import Inbound
from dialogs import engine
from dialogs.model import Dialog, Goal, Privacy, Start
from storage import tables
from storage.keys import ChatKey
from storage.repositories import clients, units
from storage.repositories.conversations import Party


def language(inbound: Inbound, party: Party) -> str | None:
    """The language a new dialog is held in.

    What the chat chose wins over what its device says: a linked chat's language (chosen
    with /language, or set when it was linked, from what staff set for the client), then
    the client's, then the language the inbound came with (a Telegram user's phone, a
    web page's), then the running conversation's.
    """
    if party.contact is not None and party.contact.language:
        return party.contact.language
    if party.client is not None and party.client.language:
        return party.client.language
    if inbound.language:
        return inbound.language
    return party.conversation.language if party.conversation is not None else None


def anonymity(
    dialog: Dialog, inbound: Inbound, client: tables.Client | None, unit: tables.Unit | None
) -> bool | None:
    """True, False, or None for 'ask the person' (privacy: optional)."""
    if dialog.privacy is Privacy.ANONYMOUS or inbound.anonymous is True:
        return True
    if client is None or unit is None or client.unit_id != unit.id:
        return True
    if inbound.anonymous is False or dialog.privacy is Privacy.IDENTIFIED:
        return False
    return None


@dataclass(frozen=True, slots=True)
class Opening:
    """A dialog about to start: its conversation (not stored yet) and the engine's Start."""

    conversation: tables.Conversation
    start: Start


def open_dialog(
    session: Session,
    *,
    dialog: Dialog,
    inbound: Inbound,
    party: Party,
    chat: ChatKey,
    language: str,
    unit_id: int | None,
    unit_code: str | None,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> Opening | None:
    """The unit a dialog is given to, its anonymity and the client's goals; None when a
    unit was asked for (or the dialog needs one) and none is known."""
    client = party.client
    unit: tables.Unit | None = None
    code = unit_code or inbound.unit_code
    if code is not None:
        unit = units.unit_by_code(session, code=code)
    elif unit_id is not None:
        unit = units.unit_by_id(session, unit_id=unit_id)
    elif client is not None:
        unit = units.unit_by_id(session, unit_id=client.unit_id)
    if (unit is None and (dialog.needs_unit or code is not None)) or (
        unit is not None and unit.id is None
    ):
        return None
    anonymous = anonymity(dialog, inbound, client, unit)
    goals: tuple[Goal, ...] = ()
    if client is not None and client.id is not None and anonymous is not True:
        goals = tuple(
            Goal(goal.id, goal.title, goal.weight)
            for goal in clients.active_goals(session, client_id=client.id)
            if goal.id is not None
        )
    contact = party.contact
    conversation = tables.Conversation(
        channel=chat.channel,
        address_hmac=chat.address_hmac,
        contact_id=contact.id if contact is not None and anonymous is not True else None,
        unit_id=None if unit is None else unit.id,
        dialog_id=dialog.id,
        language=language,
        state=engine.start(dialog).to_json(),
        updated_at=now,
        expires_at=expires_at,
    )
    return Opening(conversation, Start(goals=goals, anonymous=anonymous))
