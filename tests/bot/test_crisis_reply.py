"""The crisis reply per audience and anonymity: one short message first (automatic, 112, the
audience's line, who will see it and when), the other lines behind "More places to get help";
and the help lines for a named child or youth with very low scores who declines contact."""

from __future__ import annotations

import pytest

from bot.messages import Kind, Message
from bot.service import ConversationService
from dialogs import helplines
from dialogs.helplines import Audience, Reader
from storage.db import Database
from storage.repositories import clients, contacts
from tests.bot.helpers import Chat, assert_help_reply

pytestmark = pytest.mark.usefixtures("unit_id")

CRISIS = "i just want to die"
MIELI = "09 2525 0111"
MLL = "116 111"
VICTIM = "116 006"
SEKASIN = "Sekasin"


def enrol_as(service: ConversationService, chat: Chat, audience: str) -> int:
    with service.database.transaction() as session:
        client = clients.add_client(
            session,
            unit_id=1,
            alias=f"Client {chat.address}",
            case_ref=f"CASE-{chat.address}",
            audience=audience,
            language="en",
            now=service.clock(),
        )
        assert client.id is not None
        contacts.link_contact(
            session,
            chat=service.chat_key(chat.channel, chat.address),
            client_id=client.id,
            language="en",
            now=service.clock(),
        )
        return client.id


def help_messages(messages: list[Message]) -> list[Message]:
    return [message for message in messages if message.help]


@pytest.mark.parametrize(
    ("dialog", "audience"),
    [
        ("child_checkin", Audience.CHILD),
        ("youth_checkin", Audience.YOUTH),
        ("parent_service", Audience.PARENT),
        ("open_feedback", Audience.ANYONE),
    ],
)
async def test_an_anonymous_writer_gets_their_audiences_line_and_is_told_staff_may_read_it(
    service: ConversationService, dialog: str, audience: Audience
) -> None:
    chat = Chat(service, f"90{dialog}")
    await chat.begin(dialog, language="en")
    before = len(chat.received)
    await chat.say(CRISIS)
    reply = chat.received[before:]
    translator = service.translations.get("en")
    # One message with the help first, then (when the dialog goes on) its question again.
    assert help_messages(reply) == [reply[0]]
    assert_help_reply(reply[0], translator, audience=audience, reader=Reader.STAFF, pressed=False)
    assert len(reply[0].text.split()) < 80


@pytest.mark.parametrize(
    ("dialog", "client_audience", "audience"),
    [
        ("child_checkin", "child", Audience.CHILD),
        ("youth_checkin", "youth", Audience.YOUTH),
    ],
)
async def test_an_enrolled_client_is_told_their_worker_sees_it_on_their_next_working_day(
    service: ConversationService, dialog: str, client_audience: str, audience: Audience
) -> None:
    chat = Chat(service, f"91{dialog}")
    enrol_as(service, chat, client_audience)
    await chat.begin(dialog)
    before = len(chat.received)
    await chat.say(CRISIS)
    [reply] = help_messages(chat.received[before:])
    translator = service.translations.get("en")
    assert_help_reply(reply, translator, audience=audience, reader=Reader.WORKER, pressed=False)


async def test_a_parents_open_feedback_speaks_to_a_parent_from_the_clients_kind(
    service: ConversationService,
) -> None:
    """Open feedback is for anyone; an enrolled parent's chat knows the client is a parent.
    The feedback is anonymous, so the staff cannot contact them."""
    chat = Chat(service, "9201")
    enrol_as(service, chat, "parent")
    await chat.begin("open_feedback")
    await chat.say("2")
    before = len(chat.received)
    await chat.say("my son says he wants to die")
    [reply] = help_messages(chat.received[before:])
    translator = service.translations.get("en")
    assert_help_reply(
        reply, translator, audience=Audience.PARENT, reader=Reader.STAFF, pressed=False
    )
    assert MIELI in reply.text


@pytest.mark.parametrize(("audience", "reader"), [("parent", Reader.WORKER), (None, Reader.NOBODY)])
async def test_outside_a_dialog_the_reply_fits_the_client_or_anyone(
    service: ConversationService, audience: str | None, reader: Reader
) -> None:
    chat = Chat(service, f"93{audience}")
    if audience is not None:
        enrol_as(service, chat, audience)
    await chat.send(Kind.TEXT, CRISIS, language="en")
    [reply] = chat.received
    expected = Audience.of(audience)
    translator = service.translations.get("en")
    assert_help_reply(reply, translator, audience=expected, reader=reader, pressed=False)


@pytest.mark.parametrize(
    ("audience", "shown", "not_shown"),
    [
        (Audience.CHILD, ("112", MLL), (MIELI, VICTIM, SEKASIN)),
        (Audience.YOUTH, ("112", MLL, SEKASIN, MIELI, VICTIM), ()),
        (Audience.PARENT, ("112", MIELI, VICTIM), (MLL, SEKASIN)),
        (Audience.ANYONE, ("112", MLL, SEKASIN, MIELI, VICTIM), ()),
    ],
)
async def test_more_places_to_get_help_shows_the_audiences_other_lines_and_what_to_do_now(
    service: ConversationService,
    audience: Audience,
    shown: tuple[str, ...],
    not_shown: tuple[str, ...],
) -> None:
    chat = Chat(service, f"94{audience}")
    await chat.begin("youth_checkin", language="en")
    question = chat.received[-1].text
    await chat.send(Kind.CHOICE, helplines.more_data(audience), reference={"message": 1})
    [more] = help_messages(chat.received)
    translator = service.translations.get("en")
    assert more.text.startswith(translator.gettext(helplines.MORE_TITLE))
    assert more.buttons == ()
    for text in shown:
        assert text in more.text, text
    for text in not_shown:
        assert text not in more.text, text
    now = helplines.WHAT_NOW.get(audience, helplines.WHAT_NOW[Audience.YOUTH])
    assert translator.gettext(now) in more.text
    # The pressed button shows what was pressed; the open question comes again.
    assert chat.acknowledged[-1].label == translator.gettext(helplines.MORE_LABEL)
    assert chat.received[-1].text == question


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_whole_path_a_crisis_then_more_places_in_the_chats_language(
    service: ConversationService, language: str
) -> None:
    chat = Chat(service, f"95{language}")
    await chat.send(Kind.TEXT, "haluan kuolla" if language == "fi" else CRISIS, language=language)
    [first] = chat.received
    [button] = first.buttons
    await chat.send(Kind.CHOICE, button.data, language=language)
    more = chat.received[-1]
    translator = service.translations.get(language)
    assert more.help
    assert more.text.startswith(translator.gettext(helplines.MORE_TITLE))
    assert translator.gettext(helplines.LINE_TEXTS["emergency"]) in more.text
    # Nothing is open: the reply ends there.
    assert len(chat.received) == 2


async def test_the_help_now_press_opens_differently_from_a_screened_text(
    service: ConversationService,
) -> None:
    chat = Chat(service, "9601")
    await chat.send(Kind.COMMAND, "helpnow", language="en")
    [pressed] = chat.received
    assert "What you wrote" not in pressed.text
    assert pressed.text.startswith("This is an automatic reply.")


# A named child or youth with very low scores who declines contact -----------------------


async def checkin_with_low_joy(
    service: ConversationService, chat: Chat, dialog: str, contact: str | None
) -> list[Message]:
    await chat.begin(dialog)
    await chat.say("1", "3", "1", "3")  # joy, belonging, coping, physical
    before = len(chat.received)
    if contact is None:
        await chat.say("skip")
    else:
        await chat.send(Kind.CHOICE, f"contact:{contact}")
    return chat.received[before:]


HELP_LINES = {
    "youth_checkin": (
        "Okay. If you want to talk to someone now, call the MLL Helpline for Children and Young "
        "People: {mll}. Or write in the Sekasin chat. If you are in danger, call {emergency}."
    ),
    "child_checkin": (
        "Okay. If you want to talk to someone, tell an adult you trust. Or call the MLL "
        "Helpline for Children and Young People: {mll}. If you are in danger, call {emergency}."
    ),
}


@pytest.mark.parametrize("dialog", ["youth_checkin", "child_checkin"])
@pytest.mark.parametrize("contact", ["no", "not_now", None])
async def test_a_named_child_or_youth_who_declines_contact_still_gets_the_help_lines(
    service: ConversationService, database: Database, dialog: str, contact: str | None
) -> None:
    chat = Chat(service, f"97{dialog}{contact}")
    enrol_as(service, chat, dialog.removesuffix("_checkin"))
    after = await checkin_with_low_joy(service, chat, dialog, contact)
    shown = "\n".join(message.text for message in after)
    expected = service.translations.get("en").gettext(HELP_LINES[dialog])
    assert expected in shown
    assert MLL in shown
    assert "112" in shown
    assert "{" not in shown


@pytest.mark.parametrize("dialog", ["youth_checkin", "child_checkin"])
async def test_who_wants_contact_gets_no_extra_lines(
    service: ConversationService, dialog: str
) -> None:
    chat = Chat(service, f"98{dialog}")
    enrol_as(service, chat, dialog.removesuffix("_checkin"))
    after = await checkin_with_low_joy(service, chat, dialog, "yes")
    assert MLL not in "\n".join(message.text for message in after)


@pytest.mark.parametrize("language", ["fi", "sv"])
async def test_the_help_lines_step_is_translated_with_the_numbers_filled(
    service: ConversationService, language: str
) -> None:
    chat = Chat(service, f"99{language}")
    enrol_as(service, chat, "youth")
    with service.database.transaction() as session:
        contact = contacts.contact_by_chat(
            session, chat=service.chat_key(chat.channel, chat.address)
        )
        assert contact is not None
        assert contact.id is not None
        contacts.set_contact_language(session, contact_id=contact.id, language=language)
    after = await checkin_with_low_joy(service, chat, "youth_checkin", "no")
    shown = "\n".join(message.text for message in after)
    translated = service.translations.get(language).gettext(HELP_LINES["youth_checkin"])
    assert translated in shown
    assert translated != HELP_LINES["youth_checkin"]
    assert ("0800 96 116" if language == "sv" else MLL) in shown
