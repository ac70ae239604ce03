"""A worker's reply to a flag, in the client's own chat: written on the flag's page, put in
the outbox of each chat of the client that may be written to (active, the person agreed to
messages), and recorded as the flag's event `reply` (the text sealed, as a note). One
transaction: the outbox rows, the event and the audit row go together or not at all.

The message says that it is from the worker and that the worker does not read the chat all
the time (S2): the bot never pretends that someone is there."""

from __future__ import annotations

from sqlmodel import Session

from api import audit
from api.auth import own_clients_only, visible_units
from api.context import ApiContext
from api.problems import Problem, not_found
from bot.i18n import Translations
from bot.messages import Message
from dialogs.model import N_
from storage.crypto import Purpose
from storage.repositories import contacts, flags, outbox
from storage.repositories.staff import Member

ACTION = "reply"
HEADER = N_("A message from your worker:")
FOOTER = N_(
    "Your worker does not read this chat all the time. "
    "If you want to answer, contact your worker as you usually do."
)


class Unreachable(Problem):
    """The client has no chat that Kerro may write to."""

    def __init__(self) -> None:
        super().__init__(409, "the client has no chat that Kerro may write to")


def message_text(translations: Translations, language: str, text: str) -> str:
    translator = translations.get(language)
    return f"{translator.gettext(HEADER)}\n\n{text}\n\n{translator.gettext(FOOTER)}"


def reply(
    session: Session,
    *,
    context: ApiContext,
    translations: Translations,
    member: Member,
    flag_id: str,
    text: str,
    why: str,
) -> int:
    """Send the reply to the flag's client; how many chats it went to."""
    flag = flags.visible_flag(
        session,
        public_id=flag_id,
        unit_ids=visible_units(member),
        caseworker_id=own_clients_only(member),
        lock=True,
    )
    if flag is None:
        raise not_found("flag")
    if flag.client_id is None or flag.response_id is None:
        raise Unreachable  # anonymous, or erased: nobody to write to
    chats = contacts.reachable_chats(session, client_id=flag.client_id)
    if not chats:
        raise Unreachable
    now = context.clock()
    for chat, sealed, language in chats:
        body = Message(text=message_text(translations, language, text), buttons=())
        outbox.enqueue(
            session, chat=chat, address_sealed=sealed, payloads=[body.to_payload()], now=now
        )
    flags.change(
        session,
        flag=flag,
        staff_id=member.id,
        action=ACTION,
        status=flag.status,
        assignee_id=flag.assignee_id,
        note_sealed=context.keyring.seal(text, purpose=Purpose.FLAG_NOTE),
        now=now,
    )
    audit.record(
        session,
        member,
        action="flag.reply",
        target=f"flag/{flag_id}",
        purpose=why,
        client_ids=[flag.client_id],
        now=now,
    )
    return len(chats)


def reachable(session: Session, *, client_id: int | None) -> bool:
    return client_id is not None and bool(contacts.reachable_chats(session, client_id=client_id))
