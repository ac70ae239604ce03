"""Contacts: chats linked to a client (enrolment), their consent, language and activity;
and forgetting what a client's chats stored."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.keys import ChatKey
from storage.repositories._rows import first, where
from storage.tables import (
    Alert,
    AlertDelivery,
    Answer,
    Contact,
    Conversation,
    Flag,
    FlagEvent,
    PromptDelivery,
    Response,
)

_CONTACT_BY_ID = where(Contact, "id")
_CONTACT_BY_ADDRESS = where(Contact, "channel", "address_hmac")


def link_contact(
    session: Session,
    *,
    chat: ChatKey,
    client_id: int,
    language: str,
    now: dt.datetime,
    address_sealed: str | None = None,
) -> Contact:
    """Link a chat to a client; an existing link of the same chat is moved to this client."""
    contact = session.exec(
        select(Contact).where(
            Contact.channel == chat.channel, Contact.address_hmac == chat.address_hmac
        )
    ).first()
    if contact is None:
        contact = Contact(
            channel=chat.channel,
            address_hmac=chat.address_hmac,
            client_id=client_id,
            language=language,
            created_at=now,
        )
    contact.client_id = client_id
    contact.language = language
    contact.address_sealed = address_sealed
    contact.active = True
    session.add(contact)
    session.flush()
    return contact


def contact_by_chat(session: Session, *, chat: ChatKey) -> Contact | None:
    values = {"channel": chat.channel, "address_hmac": chat.address_hmac}
    return first(session, Contact, _CONTACT_BY_ADDRESS, values)


def contact_by_id(session: Session, *, contact_id: int) -> Contact | None:
    return first(session, Contact, _CONTACT_BY_ID, {"id": contact_id})


def reachable_chats(session: Session, *, client_id: int) -> list[tuple[ChatKey, str, str]]:
    """A client's chats that Kerro may write to unasked: active, with the address stored (the
    person agreed to messages). Each as (chat, sealed address, language)."""
    found = session.exec(
        select(Contact)
        .where(
            Contact.client_id == client_id,
            col(Contact.active).is_(True),
            col(Contact.address_sealed).is_not(None),
        )
        .order_by(col(Contact.id))
    ).all()
    return [
        (
            ChatKey(contact.channel, contact.address_hmac),
            contact.address_sealed or "",
            contact.language,
        )
        for contact in found
    ]


def set_prompts(session: Session, *, contact_id: int, prompts: bool) -> None:
    session.connection().execute(
        sa.update(Contact).where(col(Contact.id) == contact_id).values(prompts=prompts)
    )


def set_contact_language(session: Session, *, contact_id: int, language: str) -> None:
    session.connection().execute(
        sa.update(Contact).where(col(Contact.id) == contact_id).values(language=language)
    )


def set_consent(
    session: Session, *, contact_id: int, prompts: bool, address_sealed: str | None
) -> None:
    """Prompts wanted (with the sealed address to send them to) or not (and no address)."""
    session.connection().execute(
        sa.update(Contact)
        .where(col(Contact.id) == contact_id)
        .values(prompts=prompts, address_sealed=address_sealed if prompts else None)
    )


def set_chat_active(session: Session, *, chat: ChatKey, active: bool) -> bool:
    """Mark a linked chat (in)active, e.g. when the person blocks the bot; False if unlinked."""
    result = session.connection().execute(
        sa.update(Contact)
        .where(col(Contact.channel) == chat.channel, col(Contact.address_hmac) == chat.address_hmac)
        .values(active=active)
    )
    return bool(result.rowcount)


def forget_client(session: Session, *, client_id: int) -> None:
    """Erase what a client's chats stored (P6): answers, flags, responses, chat links.

    The client record itself (an alias and a case reference, kept by staff) stays.
    """
    connection = session.connection()
    contact_ids = sa.select(col(Contact.id)).where(col(Contact.client_id) == client_id)
    response_ids = sa.select(col(Response.id)).where(col(Response.client_id) == client_id)
    connection.execute(sa.delete(Conversation).where(col(Conversation.contact_id).in_(contact_ids)))
    connection.execute(sa.delete(Answer).where(col(Answer.response_id).in_(response_ids)))
    flag_ids = sa.select(col(Flag.id)).where(col(Flag.response_id).in_(response_ids))
    alert_ids = sa.select(col(Alert.id)).where(col(Alert.flag_id).in_(flag_ids))
    connection.execute(sa.delete(AlertDelivery).where(col(AlertDelivery.alert_id).in_(alert_ids)))
    connection.execute(sa.delete(Alert).where(col(Alert.flag_id).in_(flag_ids)))
    connection.execute(sa.delete(FlagEvent).where(col(FlagEvent.flag_id).in_(flag_ids)))
    connection.execute(sa.delete(Flag).where(col(Flag.response_id).in_(response_ids)))
    connection.execute(sa.delete(Response).where(col(Response.client_id) == client_id))
    connection.execute(sa.delete(PromptDelivery).where(col(PromptDelivery.client_id) == client_id))
    connection.execute(sa.delete(Contact).where(col(Contact.client_id) == client_id))
