"""How a dialog starts for a chat: in which language, and whether anonymously (P1).

Pure decisions on the chat's party and the inbound that starts the dialog.
"""

from __future__ import annotations

from bot.messages import Inbound
from dialogs.model import Dialog, Privacy
from storage import tables
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
