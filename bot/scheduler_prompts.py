"""A scheduled check-in's messages, and what its button does in a chat.

The prompt (and its one reminder) carries a button `prompt:<delivery's public id>`; pressing
it starts the schedule's dialog and marks the delivery started. The prompt's texts are the
person's, in their chat's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from bot.i18n import Translator
from bot.messages import HELP_NOW_DATA, HELP_NOW_LABEL, Button, Inbound, Kind, Message
from dialogs.model import N_, Say, Text
from storage import tables
from storage.repositories import prompt_deliveries

NAMESPACE = "prompt"
PROMPT = N_("Hi! It's time for a check-in. It takes a few minutes. Do you want to start now?")
REMINDER = N_("A reminder: your check-in is still waiting. You can start it when it suits you.")
START = N_("Start the check-in")
CLOSED = N_("This check-in has closed. You can start a new one with /checkin.")


def button_data(public_id: str) -> str:
    return f"{NAMESPACE}:{public_id}"


def prompt(translator: Translator, public_id: str, *, reminder: bool = False) -> dict[str, Any]:
    """The outbox payload of a prompt (or its reminder) to one person."""
    text = translator.gettext(REMINDER if reminder else PROMPT)
    buttons = (
        Button(button_data(public_id), translator.gettext(START)),
        Button(HELP_NOW_DATA, translator.text(Text(HELP_NOW_LABEL))),
    )
    return Message(text, buttons).to_payload()


def public_id_of(inbound: Inbound) -> str | None:
    """The delivery a pressed prompt button names; None for any other update."""
    if inbound.kind is not Kind.CHOICE:
        return None
    namespace, _, key = inbound.payload.partition(":")
    return key if namespace == NAMESPACE else None


def opened(
    session: Session, *, public_id: str, contact: tables.Contact | None, now: dt.datetime
) -> prompt_deliveries.Opened | Say:
    """Start a pressed prompt's delivery: the dialog to open, or why it cannot be."""
    if contact is None or contact.id is None:
        return Say(Text(CLOSED))
    found = prompt_deliveries.start(session, public_id=public_id, contact_id=contact.id, now=now)
    return Say(Text(CLOSED)) if found is None else found
