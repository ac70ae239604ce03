"""Personal check-in links: a web chat linked to a client whose address is a link's token.

A client enrolled by the web invite gets a link of their own. Its token is the address of
their web chat, so it is stored only as the contact's keyed hash (like every chat address);
the link works while that contact is there and active, and stops when it is revoked.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.keys import ChatKey
from storage.repositories import contacts
from storage.tables import Client, Contact, Conversation


def move_to_link(session: Session, *, chat: ChatKey, link: ChatKey) -> int | None:
    """Move a chat's link to a client over to the link's address; the client's id, or None
    when the chat is linked to nobody.

    No sealed address is kept: the token is stored only as its keyed hash. The consent to
    prompts stays; a web chat's prompts are its due check-ins, shown on the page.
    """
    contact = contacts.contact_by_chat(session, chat=chat)
    if contact is None or contact.id is None or not contact.active:
        return None
    session.connection().execute(
        sa.update(Contact)
        .where(col(Contact.id) == contact.id)
        .values(address_hmac=link.address_hmac, address_sealed=None)
    )
    return contact.client_id


def client_of_link(session: Session, *, link: ChatKey) -> Client | None:
    """The client whose link this is; None for an unknown or revoked link."""
    contact = contacts.contact_by_chat(session, chat=link)
    if contact is None or not contact.active:
        return None
    return session.get(Client, contact.client_id)


def revoke(session: Session, *, link: ChatKey) -> int | None:
    """The link stops working for good, and its unfinished conversation goes (the answers
    given stay, with the client). The client's id, or None when there was no such link."""
    contact = contacts.contact_by_chat(session, chat=link)
    if contact is None:
        return None
    session.connection().execute(
        sa.delete(Conversation).where(
            col(Conversation.channel) == link.channel,
            col(Conversation.address_hmac) == link.address_hmac,
        )
    )
    contacts.set_chat_active(session, chat=link, active=False)
    contacts.set_consent(session, contact_id=contact.id or 0, prompts=False, address_sealed=None)
    return contact.client_id
