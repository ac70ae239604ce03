"""The safety net beside the risk screen: every question offers "I need help now". A press
gives the help numbers in the chat's language; an enrolled client's press raises a crisis flag
for their worker; an anonymous press links to nobody; and the dialog goes on."""

from __future__ import annotations

import pytest

from bot.messages import HELP_NOW_DATA, HELP_NOW_LABEL, Kind, Message, render
from bot.screening import HELP_NOW_RULE
from bot.service import ConversationService
from dialogs import engine
from dialogs.helplines import Audience, Reader
from dialogs.model import Dialog, Goal, State
from storage import tables
from storage.db import Database
from storage.repositories import contacts
from tests.bot.helpers import Chat, all_cells, assert_help_reply, rows
from tests.bot.test_service import enrol

pytestmark = pytest.mark.usefixtures("unit_id")

LANGUAGES = ("fi", "sv", "en")
LABEL = {"fi": "Tarvitsen apua nyt", "sv": "Jag behöver hjälp nu", "en": "I need help now"}
FIRST_QUESTION = {
    "fi": "Kuinka paljon elämässäsi on ollut iloa",
    "sv": "Hur mycket glädje",
    "en": "How much joy",
}


def texts(messages: list[Message]) -> str:
    return "\n".join(message.text for message in messages)


def enrol_in(service: ConversationService, chat: Chat, language: str) -> int:
    client_id = enrol(service, chat)
    with service.database.transaction() as session:
        contact = contacts.contact_by_chat(
            session, chat=service.chat_key(chat.channel, chat.address)
        )
        assert contact is not None
        assert contact.id is not None
        contacts.set_contact_language(session, contact_id=contact.id, language=language)
    return client_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_of_every_shipped_dialog_offers_help_now(
    service: ConversationService, dialogs: dict[str, Dialog], language: str
) -> None:
    translator = service.translations.get(language)
    asked = 0
    for dialog in dialogs.values():
        for step in dialog.steps:
            state = State(dialog.id, dialog.version, at=step.id, goals=(Goal(1, "A goal"),))
            for message in render(engine.current_question(dialog, state), translator):
                assert message.buttons[-1].data == HELP_NOW_DATA, (dialog.id, step.id)
                assert message.buttons[-1].label == LABEL[language]
                assert [b.data for b in message.buttons].count(HELP_NOW_DATA) == 1
                asked += 1
    assert asked > 20
    assert translator.gettext(HELP_NOW_LABEL) == LABEL[language]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_enrolled_clients_press_flags_their_worker_and_the_dialog_goes_on(
    service: ConversationService, database: Database, language: str
) -> None:
    woken: list[None] = []
    service.on_flag = lambda: woken.append(None)
    chat = Chat(service, f"70{language}")
    client_id = enrol_in(service, chat, language)
    await chat.begin("youth_checkin")
    assert FIRST_QUESTION[language] in chat.received[-1].text
    before = len(chat.received)
    await chat.send(Kind.CHOICE, HELP_NOW_DATA)
    reply = chat.received[before:]
    translator = service.translations.get(language)

    assert_help_reply(
        reply[0], translator, audience=Audience.YOUTH, reader=Reader.WORKER, pressed=True
    )
    assert ("0800 96 116" if language == "sv" else "116 111") in reply[0].text
    # The open question, asked again, with the button once more.
    assert FIRST_QUESTION[language] in reply[-1].text
    assert reply[-1].buttons[-1].data == HELP_NOW_DATA

    # A crisis flag for the client's worker; the alert sender was woken for it.
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.rule, flag.unit_id, flag.client_id, flag.status) == (
        "crisis",
        HELP_NOW_RULE,
        1,
        client_id,
        "open",
    )
    assert woken == [None]
    [response] = rows(database, tables.Response)
    assert (response.anonymous, response.client_id) == (False, client_id)
    assert rows(database, tables.Answer) == []

    # The dialog goes on: the next answer is the question's.
    await chat.say("3")
    assert [a.measure for a in rows(database, tables.Answer)] == ["joy"]
    assert len(rows(database, tables.Flag)) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_anonymous_press_gives_help_and_links_to_nobody(
    service: ConversationService, database: Database, language: str
) -> None:
    address = f"71{language}"
    chat = Chat(service, address)
    await chat.begin("youth_checkin", language=language)
    before = len(chat.received)
    await chat.send(Kind.CHOICE, HELP_NOW_DATA)
    reply = chat.received[before:]
    translator = service.translations.get(language)
    assert_help_reply(
        reply[0], translator, audience=Audience.YOUTH, reader=Reader.STAFF, pressed=True
    )
    assert FIRST_QUESTION[language] in reply[-1].text

    # As the risk screen's flag on an anonymous response: the unit's, of nobody, dated only.
    flags = rows(database, tables.Flag)
    assert [(f.rule, f.client_id) for f in flags] == [(HELP_NOW_RULE, None)]
    [response] = rows(database, tables.Response)
    assert (response.anonymous, response.client_id, response.contact_id) == (True, None, None)
    secret_forms = {address, service.address_hmac(chat.channel, address)}
    # Only the running conversation knows the chat (until it ends); nothing stored does.
    leaks = [c for c in all_cells(database) if any(s in c[2] for s in secret_forms)]
    assert {table for table, _, _ in leaks} <= {"conversation"}

    await chat.say("3")
    assert [a.measure for a in rows(database, tables.Answer)] == ["joy"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_press_outside_a_dialog_gives_help_and_stores_nothing(
    service: ConversationService, database: Database, language: str
) -> None:
    chat = Chat(service, f"72{language}")
    handled = await chat.send(Kind.COMMAND, "helpnow", language=language)
    assert handled.finished
    translator = service.translations.get(language)
    [reply] = chat.received
    assert_help_reply(
        reply, translator, audience=Audience.ANYONE, reader=Reader.NOBODY, pressed=True
    )
    assert rows(database, tables.Flag) == []
    assert rows(database, tables.Response) == []


@pytest.mark.parametrize(("command", "language"), [("apu", "fi"), ("hjalp", "sv"), ("hjälp", "en")])
async def test_an_enrolled_clients_command_outside_a_dialog_flags_their_worker(
    service: ConversationService, database: Database, command: str, language: str
) -> None:
    chat = Chat(service, f"73{command}")
    client_id = enrol_in(service, chat, language)
    await chat.send(Kind.COMMAND, command)
    translator = service.translations.get(language)
    [reply] = chat.received
    assert_help_reply(
        reply, translator, audience=Audience.YOUTH, reader=Reader.WORKER, pressed=True
    )
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.rule, flag.client_id) == ("crisis", HELP_NOW_RULE, client_id)
    [response] = rows(database, tables.Response)
    assert (response.anonymous, response.client_id, response.completed) == (False, client_id, True)
    [answer] = rows(database, tables.Answer)
    assert (answer.measure, answer.text_sealed) == (HELP_NOW_RULE, None)


async def test_a_replayed_press_raises_one_flag(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "7401")
    enrol_in(service, chat, "en")
    await chat.begin("youth_checkin")
    await chat.say("3")  # the first question is answered; its button is an earlier one
    await chat.send(Kind.CHOICE, HELP_NOW_DATA, key="press-1")
    await chat.send(Kind.CHOICE, HELP_NOW_DATA, key="press-1")  # the same update again
    assert "116 111" in texts(chat.received)
    assert len(rows(database, tables.Flag)) == 1
