"""Channel-neutral commands: start, help, menu, check-in, feedback, info, language, stop, forget,
and help now (the service runs that one itself: it raises a flag, like the risk screen).

`start <code>` takes an enrolment invite's code (it links the chat to the client and asks
whether prompts are wanted) or a unit's code (its open feedback).

A channel maps its own commands (Telegram's /help, a web page's links) to these names. A
command either answers with texts and buttons, or starts a dialog; the conversation service
runs it inside the update's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from bot.i18n import LANGUAGES
from bot.messages import HELP_NOW, TELEGRAM, WEB
from dialogs.model import N_, NP_, Ask, Choice, Output, Say, StepKind, Text
from storage import tables
from storage.keys import ChatKey
from storage.repositories import audit, clients, contacts, flags, invites, units
from storage.repositories import staff as staff_members

NAMES = (
    "start",
    "help",
    "menu",
    "checkin",
    "feedback",
    "info",
    "language",
    "stop",
    "forget",
    HELP_NOW,
)
# Other names of a command, in the chat's own words: /apu (Finnish), /hjalp and /hjälp
# (Swedish) are "I need help now". (/help is the bot's own help.)
ALIASES = {"apu": HELP_NOW, "hjalp": HELP_NOW, "hjälp": HELP_NOW}
# Button namespaces: a button "menu:info" runs the command "info".
MENU, LANGUAGE, FORGET, CONSENT = "menu", "language", "forget", "consent"
CHECKIN = "checkin"  # a button "checkin:<dialog>:<unit code>" starts that check-in
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
CHECKIN_BY_AUDIENCE = {
    "youth": "youth_checkin",
    "child": "child_checkin",
    "parent": "parent_service",
}

WELCOME = N_(
    "Hi! I'm Kerro, the feedback chat of your social and family services. I'm a chat bot, not "
    "a person. Nobody reads this chat right away. If you need help now, call {emergency}."
)
HELP = N_(
    "I ask how you are and what you think of the service. You can answer with the buttons or "
    "by writing. You can skip any question.\n\n"
    "/checkin: a check-in from your worker\n"
    "/feedback: give feedback, anonymously\n"
    "/info: what is happening to me?\n"
    "/language: suomi, svenska, English\n"
    "/stop: no more check-in reminders\n"
    "/forget: erase what is stored about you\n\n"
    "Nobody reads this chat right away. If you need help now, call {emergency}."
)
MENU_QUESTION = N_("What would you like to do?")
MENU_CHECKIN = N_("Check-in")
MENU_FEEDBACK = N_("Give feedback")
MENU_INFO = N_("What is happening to me?")
MENU_LANGUAGE = N_("Language")
MENU_HELP = N_("Help")
NOT_ENROLLED = N_(
    "A check-in starts from a link that your worker sends you. Ask your worker for one. "
    "You can give feedback at any time."
)
CHECKIN_NEEDS_UNIT = N_(
    "To answer a check-in, open your unit's link again. The link is on the unit's posters. "
    "Your worker can also send you a link of your own."
)
ANONYMOUS_CHECKIN_QUESTION = N_(
    "You can answer a check-in anonymously. We don't ask your name. Which one fits you?"
)
START_YOUTH = N_("Check-in for young people")
START_CHILD = N_("Check-in for children")
START_PARENT = N_("For parents: feedback on the service")
# What a unit offers someone it does not know, as its web page does: each answered anonymously.
ANONYMOUS_CHECKINS = {
    "youth_checkin": START_YOUTH,
    "child_checkin": START_CHILD,
    "parent_service": START_PARENT,
}
CALLBACK_BYTES = 64  # Telegram's limit on a button's data
FEEDBACK_NEEDS_UNIT = N_(
    "To give feedback, open the feedback link of your unit. The link is on the unit's "
    "posters. You can also ask your worker for it."
)
LANGUAGE_QUESTION = N_("Which language do you want me to use?")
LANGUAGE_SET = N_("Okay, I'll write in English from now on.")
STOPPED = N_(
    "Okay, you won't get check-in reminders any more. You can still write here at any time. "
    "If you want reminders again, tell your worker."
)
NO_PROMPTS = N_(
    "I don't send you reminders, because this chat isn't linked to you. You can write here "
    "whenever you want."
)
FORGET_QUESTION = NP_(
    "Do you want me to erase what is stored about you? I would erase your {count} answer "
    "and the link between this chat and you. This can't be undone.",
    "Do you want me to erase what is stored about you? I would erase your {count} answers "
    "and the link between this chat and you. This can't be undone.",
)
FORGET_YES = N_("Yes, erase")
FORGET_NO = N_("No, keep")
FORGOTTEN = N_("Done. What was stored about you is erased. This chat is no longer linked to you.")
FLAG_KEPT = N_(
    "Your worker will still see that you sent a worrying message, so that they can check on "
    "you. What you wrote is erased."
)
NOT_FORGOTTEN = N_("Okay, nothing was erased.")
ENROLLED = N_(
    "Hi! I'm Kerro, the feedback chat of your social and family services. I'm a chat bot, not "
    "a person. This chat is now linked to you. Your worker sees the check-ins you answer "
    "here. Nobody reads this chat right away. If you need help now, call {emergency}."
)
CONSENT_QUESTION = N_("May I send you a check-in reminder here now and then?")
CONSENT_YES = N_("Yes, send reminders")
CONSENT_NO = N_("No reminders")
CONSENTED = N_(
    "Thanks! I'll send you check-ins now and then. If you don't want them any more, write /stop."
)
DECLINED = N_(
    "Okay, no reminders. You can still write here whenever you want. You can start a "
    "check-in with /checkin."
)
# The web chat has no commands to type: it says where the person's check-ins are instead.
CONSENTED_WEB = N_(
    "Thanks! When your worker sends you a check-in, you find it on your own check-in page."
)
DECLINED_WEB = N_("Okay, no reminders. You can still answer check-ins on your own page.")
INVITE_USED = N_(
    "This link has been used already, or it is too old. Please ask your worker for a new one."
)
NOTHING_LINKED = N_(
    "Nothing stored here is linked to you: your answers were anonymous. If a conversation was "
    "going on, it is now erased too."
)


@dataclass(frozen=True, slots=True)
class StartDialog:
    dialog_id: str
    unit_id: int | None
    unit_code: str | None = None


@dataclass(frozen=True, slots=True)
class Chat:
    """The chat a command came from, for what links it to a client."""

    key: ChatKey
    language: str | None
    seal_address: Callable[[], str]  # the address, sealed for sending prompts to it
    seal_staff_chat: Callable[[], str] | None = None  # sealed for staff alerts (Telegram)


@dataclass(frozen=True, slots=True)
class Reply:
    outputs: list[Output]
    ends_conversation: bool = False
    language: str | None = None


def _choices(items: list[tuple[str, Text]]) -> tuple[Choice, ...]:
    return tuple(Choice(key, label) for key, label in items)


def menu(client: tables.Client | None) -> Ask:
    items = [
        *([("checkin", Text(MENU_CHECKIN))] if client is not None else []),
        ("feedback", Text(MENU_FEEDBACK)),
        ("info", Text(MENU_INFO)),
        ("language", Text(MENU_LANGUAGE)),
        ("help", Text(MENU_HELP)),
    ]
    return Ask(MENU, StepKind.CHOICE, Text(MENU_QUESTION), _choices(items))


def run(
    session: Session,
    *,
    name: str,
    argument: str,
    contact: tables.Contact | None,
    client: tables.Client | None,
    conversation: tables.Conversation | None,
    now: dt.datetime,
    chat: Chat | None = None,
) -> Reply | StartDialog:
    """Run one command; `argument` is what follows it (a deep-link code, a chosen button)."""
    if name == "start":
        if argument and chat is not None:
            enrolled = _enrol(session, argument, chat, now)
            if enrolled is not None:
                return enrolled
            if chat.seal_staff_chat is not None and staff_members.link_telegram(
                session,
                code=argument,
                address_hmac=chat.key.address_hmac,
                address_sealed=chat.seal_staff_chat(),
                now=now,
            ):
                return Reply([Say(Text(STAFF_LINKED))])
        if argument:
            unit = units.unit_by_code(session, code=argument)
            if unit is not None:
                return StartDialog("open_feedback", unit.id, unit.code)
            return Reply([Say(Text(UNKNOWN_LINK))])
        return Reply([Say(Text(WELCOME)), menu(client)])
    if name == "help":
        return Reply([Say(Text(HELP))])
    if name == "menu":
        return Reply([menu(client)])
    if name == "checkin":
        if client is None:
            return _anonymous_checkin(session, argument, conversation)
        return StartDialog(
            CHECKIN_BY_AUDIENCE.get(client.audience, "youth_checkin"), client.unit_id
        )
    if name == "feedback":
        unit_id = client.unit_id if client else conversation.unit_id if conversation else None
        if unit_id is None:
            return Reply([Say(Text(FEEDBACK_NEEDS_UNIT))])
        return StartDialog("open_feedback", unit_id)
    if name == "info":
        unit_id = client.unit_id if client else conversation.unit_id if conversation else None
        return StartDialog("info", unit_id)
    if name == "language":
        return _language(session, argument, contact, conversation)
    if name == "stop":
        if contact is None:
            return Reply([Say(Text(NO_PROMPTS))])
        # No prompts, so no address kept to send them to.
        contacts.set_consent(session, contact_id=_id(contact), prompts=False, address_sealed=None)
        return Reply([Say(Text(STOPPED))])
    if name == "forget":
        return _forget(session, argument, contact, client, now)
    if name == CONSENT:
        return _consent(session, argument, contact, chat)
    if name in _CANNOT_USE:
        return Reply([Say(Text(_CANNOT_USE[name]))])
    return Reply([menu(client)])


UNSUPPORTED = N_(
    "Sorry, I can only read text and buttons. Please write your answer, or use the buttons."
)
EDITED = N_(
    "I saw that you edited a message. I can't change an answer that was already sent. You "
    "can go on from here."
)
FORWARDED = N_("I can't use forwarded messages. Please write to me yourself.")
GROUP = N_("Hi! I only talk in private chats. Please write to me directly.")
_CANNOT_USE = {"unsupported": UNSUPPORTED, "edited": EDITED, "forwarded": FORWARDED}

STAFF_LINKED = N_(
    "This chat now gets Kerro's alerts for your staff account. An alert tells only how serious "
    "a flag is, the unit and the time; open the flag in the staff API."
)
STAFF_CHANNEL = TELEGRAM  # the channel whose chats can take staff alerts
UNKNOWN_LINK = N_("Sorry, this link doesn't work. Please ask your worker for a new one.")


def _id(row: tables.Contact | tables.Client) -> int:
    assert row.id is not None
    return row.id


def _language(
    session: Session,
    argument: str,
    contact: tables.Contact | None,
    conversation: tables.Conversation | None,
) -> Reply:
    if argument not in LANGUAGES:
        choices = tuple(Choice(code, Text(name)) for code, name in LANGUAGE_NAMES.items())
        return Reply([Ask(LANGUAGE, StepKind.CHOICE, Text(LANGUAGE_QUESTION), choices)])
    if contact is not None:
        contacts.set_contact_language(session, contact_id=_id(contact), language=argument)
    return Reply([Say(Text(LANGUAGE_SET))], language=argument)


def _forget(
    session: Session,
    argument: str,
    contact: tables.Contact | None,
    client: tables.Client | None,
    now: dt.datetime,
) -> Reply:
    if contact is None or client is None:
        return Reply([Say(Text(NOTHING_LINKED))], ends_conversation=True)
    if argument == "yes":
        client_id = _id(client)
        # A flag not yet resolved stays, without text, with the note that the client erased
        # their data: an alerted crisis must not vanish from the worker's inbox.
        kept = flags.keep_unresolved_on_erasure(session, client_id=client_id, now=now)
        contacts.forget_client(session, client_id=client_id)
        audit.access_change(  # the chat's link to the client is gone
            session,
            by=None,
            what="erasure",
            target=f"client/{client_id}",
            client_ids=[client_id],
            now=now,
        )
        said: list[Output] = [Say(Text(FORGOTTEN)), *([Say(Text(FLAG_KEPT))] if kept else [])]
        return Reply(said, ends_conversation=True)
    if argument == "no":
        return Reply([Say(Text(NOT_FORGOTTEN))])
    count = clients.count_responses(session, client_id=_id(client))
    question = FORGET_QUESTION.text(count)
    choices = _choices([("yes", Text(FORGET_YES)), ("no", Text(FORGET_NO))])
    return Reply([Ask(FORGET, StepKind.CHOICE, question, choices)])


def _anonymous_checkin(
    session: Session, argument: str, conversation: tables.Conversation | None
) -> Reply | StartDialog:
    """A check-in for someone not enrolled: the anonymous ones of the unit they came from.

    The unit is the running conversation's (a unit's link, `/start <code>`, began it), or the
    one a button names; nothing about the chat is stored for it (P1).
    """
    dialog_id, _, code = argument.partition(":")
    unit: tables.Unit | None = None
    if code:
        unit = units.unit_by_code(session, code=code)
    elif conversation is not None and conversation.unit_id is not None:
        unit = units.unit_by_id(session, unit_id=conversation.unit_id)
    if unit is None or unit.id is None:
        return Reply([Say(Text(CHECKIN_NEEDS_UNIT))])
    if dialog_id in ANONYMOUS_CHECKINS:
        return StartDialog(dialog_id, unit.id, unit.code)
    choices = []
    for offered, label in ANONYMOUS_CHECKINS.items():
        key = f"{offered}:{unit.code}"
        fits = len(f"{CHECKIN}:{key}".encode()) <= CALLBACK_BYTES
        choices.append(Choice(key if fits else offered, Text(label)))
    return Reply([Ask(CHECKIN, StepKind.CHOICE, Text(ANONYMOUS_CHECKIN_QUESTION), tuple(choices))])


def consent_question() -> Ask:
    choices = _choices([("yes", Text(CONSENT_YES)), ("no", Text(CONSENT_NO))])
    return Ask(CONSENT, StepKind.CHOICE, Text(CONSENT_QUESTION), choices)


def _enrol(session: Session, code: str, chat: Chat, now: dt.datetime) -> Reply | None:
    """Use an invite's code: link the chat to its client and ask about prompts.

    None when the code is no invite's (it may be a unit's code).
    """
    invite = invites.find(session, code=code)
    if invite is None:
        return None
    client_id = invites.use(session, code=code, now=now)
    if client_id is None:
        return Reply([Say(Text(INVITE_USED))])
    client = clients.client_for_update(session, client_id=client_id)
    assert client is not None
    language = chat.language if chat.language in LANGUAGES else client.language
    contact = contacts.link_contact(
        session,
        chat=chat.key,
        client_id=client_id,
        language=language,
        now=now,
    )
    # No prompts until the person says yes.
    contacts.set_consent(session, contact_id=_id(contact), prompts=False, address_sealed=None)
    audit.access_change(  # the chat now answers in the client's name
        session,
        by=None,
        what="enrolment",
        target=f"client/{client_id}",
        client_ids=[client_id],
        now=now,
    )
    return Reply([Say(Text(ENROLLED)), consent_question()], language=language)


def _consent(
    session: Session, argument: str, contact: tables.Contact | None, chat: Chat | None
) -> Reply:
    if contact is None or chat is None:
        return Reply([Say(Text(NO_PROMPTS))])
    web = chat.key.channel == WEB
    if argument == "yes":
        contacts.set_consent(
            session, contact_id=_id(contact), prompts=True, address_sealed=chat.seal_address()
        )
        return Reply([Say(Text(CONSENTED_WEB if web else CONSENTED))])
    if argument == "no":
        contacts.set_consent(session, contact_id=_id(contact), prompts=False, address_sealed=None)
        return Reply([Say(Text(DECLINED_WEB if web else DECLINED))])
    return Reply([consent_question()])
