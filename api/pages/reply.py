"""A worker's reply to a flag, in the client's own chat: written on the flag's page, put in
the outbox of each Telegram chat of the client that may be written to (active, the person
agreed to messages), with a button to answer once, and recorded as the flag's event `reply`
(the text sealed, as a note); a personal web link shows it from that event
(`bot/answers.py`). One transaction: the outbox rows, the event and the audit row go
together or not at all.

The message says that it is from the worker and that the worker reads an answer when they
are at work (S2): the bot never pretends that someone is there. The client's answer is
the flag's event `answer`; the first look at it by staff is recorded (`answer_read`) and
audited."""

from __future__ import annotations

from sqlmodel import Session

from api import audit
from api.auth import own_clients_only, visible_units
from api.context import ApiContext
from api.problems import Problem, not_found
from bot import answers
from bot.i18n import Translations
from bot.messages import WEB
from storage.crypto import Purpose
from storage.repositories import contacts, flag_replies, flags, outbox
from storage.repositories.staff import Member

ACTION = flag_replies.REPLY


class Unreachable(Problem):
    """The client has no chat that Kerro may write to."""

    def __init__(self) -> None:
        super().__init__(409, "the client has no chat that Kerro may write to")


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
    """Send the reply to the flag's client; how many chats (and personal links) it went to."""
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
    links = flag_replies.web_links(session, client_id=flag.client_id, channel=WEB)
    if not chats and not links:
        raise Unreachable
    now = context.clock()
    for chat, sealed, language in chats:
        body = answers.telegram_message(translations, language, text, flag_id)
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
    return len(chats) + len(links)


def reachable(session: Session, *, client_id: int | None) -> bool:
    return client_id is not None and flag_replies.reachable(
        session, client_id=client_id, web_channel=WEB
    )


def read_answer(session: Session, *, context: ApiContext, member: Member, flag_id: str) -> bool:
    """A member opens a flag whose client's answer nobody has read: the look is recorded as
    the flag's event `answer_read` and audited (`flag.answer.read`). Whether there was one."""
    flag = flags.visible_flag(
        session,
        public_id=flag_id,
        unit_ids=visible_units(member),
        caseworker_id=own_clients_only(member),
        lock=True,
    )
    if flag is None:
        raise not_found("flag")
    if not flag_replies.with_new_answer(session, public_ids=[flag.public_id]):
        return False
    now = context.clock()
    flag_replies.add(
        session, flag=flag, action=flag_replies.READ, note_sealed=None, now=now, staff_id=member.id
    )
    audit.record(
        session,
        member,
        action="flag.answer.read",
        target=f"flag/{flag_id}",
        purpose="reply to the client",
        client_ids=[flag.client_id],
        now=now,
    )
    return True


def new_answers(session: Session, *, flag_ids: list[str]) -> set[str]:
    """Of these flags (public ids the caller may see), those with an answer nobody read."""
    return flag_replies.with_new_answer(session, public_ids=flag_ids)
