"""A worker's reply in the client's chat, and the client's one answer back.

In Telegram the reply comes with a button "Answer" (`answer:<flag's public id>`); pressing it
makes the chat's next text the answer. On a personal web link the page shows the reply in a
box with a text field, whose post is that press and that text. The answer is screened like
any text (S1): a risk keeps it with its flag, and a crisis gets the help numbers at once. It
is stored sealed as the flag's event `answer`, and the worker's inbox says "new answer". One
answer a reply; a second one is refused kindly. The texts say that the worker reads it when
they are at work (S2): nobody pretends to be there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from bot import screening
from bot.i18n import Translations
from bot.messages import WEB, Button, Handled, Inbound, Kind, Message
from bot.replies import Replies
from dialogs.helplines import Audience, HelpNumbers
from dialogs.model import N_, Output, Say, Text
from dialogs.risk import RiskLevel, RiskScreen
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.repositories import flag_replies, responses
from storage.repositories.conversations import Party

NAMESPACE = "answer"
OUTSIDE_DIALOG = "open_feedback"
WAIT_FOR = dt.timedelta(hours=24)  # after "Answer" was pressed, the next text is the answer

HEADER = N_("A message from your worker:")
FOOTER = N_(
    "Your worker does not read this chat all the time. "
    "You can answer once with the button Answer. Your worker reads it when they are at work."
)
ANSWER_LABEL = N_("Answer")
WRITE_NOW = N_(
    "Write your answer in one message. Your worker reads it when they are at work, not right away."
)
SENT = N_("Thank you. Your answer went to your worker. They read it when they are at work.")
ONCE = N_(
    "You have answered this message already. Your worker reads your answer when they are "
    "at work. If you need help now, press I need help now."
)
GONE = N_("This message can no longer be answered.")


def button_data(flag_public_id: str) -> str:
    return f"{NAMESPACE}:{flag_public_id}"


def telegram_message(translations: Translations, language: str, text: str, flag_id: str) -> Message:
    """The reply as a chat message: who it is from, the text, when the worker reads."""
    translator = translations.get(language)
    return Message(
        text=f"{translator.gettext(HEADER)}\n\n{text}\n\n{translator.gettext(FOOTER)}",
        buttons=(Button(button_data(flag_id), translator.gettext(ANSWER_LABEL)),),
    )


@dataclass(frozen=True, slots=True)
class WorkerReply:
    """A reply shown on a personal page: answer it with the choice `choice` and a text."""

    flag_id: str
    text: str
    on: dt.date

    @property
    def choice(self) -> str:
        return button_data(self.flag_id)


def shown_on_page(
    session: Session, *, client: tables.Client, keyring: Keyring, now: dt.datetime
) -> tuple[WorkerReply, ...]:
    """The client's replies not answered yet, for their page; the first showing of each is
    recorded as its flag's event `shown`."""
    if client.id is None:
        return ()
    shown: list[WorkerReply] = []
    for flag, reply, seen in flag_replies.unanswered(session, client_id=client.id):
        if reply.note_sealed is None:
            continue
        if not seen:
            flag_replies.add(
                session, flag=flag, action=flag_replies.SHOWN, note_sealed=None, now=now
            )
        text = keyring.open(reply.note_sealed, purpose=Purpose.FLAG_NOTE)
        shown.append(WorkerReply(flag.public_id, text, reply.at.date()))
    return tuple(shown)


@dataclass(frozen=True, slots=True)
class Answering:
    """What an answer turn needs besides the turn itself."""

    translations: Translations
    keyring: Keyring
    risk_screen: RiskScreen
    help_numbers: HelpNumbers
    version: str  # the open-feedback dialog's version, for a kept risky answer


def turn(
    session: Session,
    *,
    inbound: Inbound,
    party: Party,
    replies: Replies,
    now: dt.datetime,
    answering: Answering,
) -> Handled | None:
    """The press of "Answer", or the text that answers; None for anything else."""
    contact, client = party.contact, party.client
    pressed = inbound.kind is Kind.CHOICE and inbound.payload.startswith(f"{NAMESPACE}:")
    if not pressed and inbound.kind is not Kind.TEXT:
        return None
    if contact is None or client is None or client.id is None:
        return _say(replies, session, GONE, inbound.language) if pressed else None
    language = contact.language or inbound.language
    if pressed:
        return _pressed(session, inbound, client, contact, replies, now, answering, language)
    if inbound.channel == WEB:  # a page's answer comes with its press; page text is no answer
        return None
    flag = flag_replies.waiting(session, client_id=client.id, since=now - WAIT_FOR)
    if flag is None:
        return None
    return _take(session, inbound, client, contact, replies, now, answering, language, flag)


def _pressed(
    session: Session,
    inbound: Inbound,
    client: tables.Client,
    contact: tables.Contact,
    replies: Replies,
    now: dt.datetime,
    answering: Answering,
    language: str | None,
) -> Handled:
    """ "Answer" (`answer:<flag>`): the next text answers. A page's form sends its text with
    it (`answer:<flag>:<text>`), which answers at once."""
    assert client.id is not None
    _, _, rest = inbound.payload.partition(":")
    flag_id, _, typed = rest.partition(":")
    replies.acknowledge(answering.translations.get(language).gettext(ANSWER_LABEL))
    flag = flag_replies.client_flag(session, client_id=client.id, public_id=flag_id)
    last = None if flag is None else flag_replies.last_reply(session, flag=flag)
    if flag is None or last is None:
        return _say(replies, session, GONE, language)
    if last[1]:
        return _say(replies, session, ONCE, language)
    if typed.strip():
        return _take(
            session, inbound, client, contact, replies, now, answering, language, flag, typed
        )
    flag_replies.add(session, flag=flag, action=flag_replies.WAIT, note_sealed=None, now=now)
    return _say(replies, session, WRITE_NOW, language)


def _take(
    session: Session,
    inbound: Inbound,
    client: tables.Client,
    contact: tables.Contact,
    replies: Replies,
    now: dt.datetime,
    answering: Answering,
    language: str | None,
    flag: tables.Flag,
    typed: str | None = None,
) -> Handled:
    """The answer: screened (S1), kept with a risk's flag, stored sealed on the flag."""
    text = (inbound.payload if typed is None else typed).strip()[: screening.RISK_TEXT_LIMIT]
    screened = answering.risk_screen.screen(text)
    decision = screening.outside_dialog(
        screened,
        text=text,
        enrolled=True,
        audience=Audience.of(client.audience),
        help_numbers=answering.help_numbers,
    )
    if decision.keep is not None:  # a risk: kept with its flag, as any text outside a dialog
        responses.record_kept_text(
            session,
            client=client,
            contact_id=contact.id,
            dialog_id=OUTSIDE_DIALOG,
            dialog_version=answering.version,
            channel=inbound.channel,
            language=answering.translations.get(language).language,
            kept=decision.keep,
            keyring=answering.keyring,
            now=now,
        )
    flag_replies.add(
        session,
        flag=flag,
        action=flag_replies.ANSWER,
        note_sealed=answering.keyring.seal(text, purpose=Purpose.FLAG_NOTE),
        now=now,
    )
    crisis = decision.outputs if screened.level is RiskLevel.CRISIS else []
    outputs: list[Output] = [*crisis, Say(Text(SENT))]
    return replies.send(session, outputs, language, finished=True)


def _say(replies: Replies, session: Session, msgid: str, language: str | None) -> Handled:
    return replies.send(session, [Say(Text(msgid))], language, finished=True)
