"""S1 in the conversation service: every free text is screened; a crisis gets the help numbers
at once, in the chat's language, and exactly one crisis flag; the conversation goes on."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import pytest

from bot.messages import Kind, Message
from bot.screening import RISK_MEASURE, RISK_RULE
from bot.service import ConversationService
from dialogs import engine, helplines
from dialogs.helplines import Audience, Reader
from dialogs.risk import RiskScreen
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from tests.bot.helpers import Chat, all_cells, assert_help_reply, rows
from tests.bot.test_service import enrol

pytestmark = pytest.mark.usefixtures("unit_id")

CRISIS = {
    "fi": "en jaksa enää elää, haluun kuolla",
    "sv": "jag vill inte leva längre",
    "en": "i just want to die",
}
# The MLL line in the chat's language: its Swedish number for Swedish.
MLL = {"fi": "116 111", "sv": "0800 96 116", "en": "116 111"}
FIRST_QUESTION = {
    "fi": "Kuinka paljon elämässäsi on ollut iloa",
    "sv": "Hur mycket glädje",
    "en": "How much joy",
}


def texts(messages: list[Message]) -> str:
    return "\n".join(message.text for message in messages)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_crisis_at_a_question_gets_the_help_numbers_first_and_one_flag(
    service: ConversationService, database: Database, keyring: Keyring, language: str
) -> None:
    chat = Chat(service, f"20{language}")
    await chat.begin("youth_checkin", language=language)
    assert FIRST_QUESTION[language] in chat.received[-1].text
    before = len(chat.received)
    await chat.say(CRISIS[language])
    reply = chat.received[before:]
    translator = service.translations.get(language)

    # The help numbers come first, in one message in the chat's language: anonymous in a unit,
    # so its staff may read it later; then the question again, gently.
    assert_help_reply(
        reply[0], translator, audience=Audience.YOUTH, reader=Reader.STAFF, pressed=False
    )
    assert MLL[language] in reply[0].text
    shown = texts(reply)
    assert translator.gettext(helplines.GO_ON_GENTLY) in shown
    assert translator.gettext(engine.HINT_PICK) not in shown
    assert FIRST_QUESTION[language] in reply[-1].text
    assert reply[-1].buttons

    # Exactly one crisis flag, anonymous, in the unit; the text is kept only sealed.
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.rule, flag.unit_id, flag.client_id) == ("crisis", RISK_RULE, 1, None)
    [response] = rows(database, tables.Response)
    assert (response.anonymous, response.client_id, response.contact_id) == (True, None, None)
    assert flag.response_id == response.id
    [kept] = rows(database, tables.Answer)
    assert kept.measure == RISK_MEASURE
    assert kept.text_sealed is not None
    assert keyring.open(kept.text_sealed, purpose=Purpose.ANSWER_TEXT) == CRISIS[language]
    assert not [cell for cell in all_cells(database) if CRISIS[language] in cell[2]]

    # The conversation goes on: the next answer is taken, and no second flag appears.
    await chat.say("3")
    assert [a.measure for a in rows(database, tables.Answer)] == [RISK_MEASURE, "joy"]
    assert len(rows(database, tables.Flag)) == 1


async def test_a_crisis_in_a_text_answer_flags_the_answer_and_the_dialog_ends_kindly(
    service: ConversationService, database: Database, keyring: Keyring
) -> None:
    chat = Chat(service, "2101")
    await chat.begin("open_feedback", language="sv")
    await chat.say("2")
    before = len(chat.received)
    handled = await chat.say("jag vill dö")
    assert handled.finished
    reply = chat.received[before:]
    translator = service.translations.get("sv")
    assert_help_reply(
        reply[0], translator, audience=Audience.ANYONE, reader=Reader.STAFF, pressed=False
    )
    # The dialog ended: its own closing words come, not an offer to go on.
    assert translator.gettext(helplines.GO_ON_GENTLY) not in texts(reply)
    assert reply[-1].buttons == ()
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.client_id) == ("crisis", None)
    comment = [a for a in rows(database, tables.Answer) if a.measure == "comment"]
    assert [keyring.open(a.text_sealed, purpose=Purpose.ANSWER_TEXT) for a in comment] == [
        "jag vill dö"
    ]
    assert RISK_MEASURE not in {a.measure for a in rows(database, tables.Answer)}


async def test_an_enrolled_client_is_told_their_worker_will_see_it(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2102")
    client_id = enrol(service, chat)
    await chat.begin("youth_checkin", language="en")
    await chat.say("I want to kill myself")
    [reply] = [message for message in chat.received if message.help]
    assert_help_reply(
        reply,
        service.translations.get("en"),
        audience=Audience.YOUTH,
        reader=Reader.WORKER,
        pressed=False,
    )
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.client_id) == ("crisis", client_id)


async def test_a_concern_raises_a_flag_without_an_alarming_reply(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2103")
    await chat.begin("youth_checkin", language="fi")
    before = len(chat.received)
    await chat.say("mua kiusataan koulussa")  # bullying: a concern
    reply = texts(chat.received[before:])
    assert "116 111" not in reply
    assert service.translations.get("fi").gettext(engine.HINT_PICK) in reply
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.rule) == ("concern", RISK_RULE)


async def test_harmless_text_and_choices_raise_nothing(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2104")
    await chat.begin("youth_checkin", language="fi")
    await chat.say("tapan aikaa", "3", "Ohita")
    await chat.send(Kind.CHOICE, "coping:1")
    assert [flag for flag in rows(database, tables.Flag) if flag.rule == RISK_RULE] == []
    assert "116 111" not in texts(chat.received)


async def test_a_replayed_crisis_update_raises_no_second_flag(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2105")
    await chat.begin("youth_checkin", language="en")
    first = await chat.send(Kind.TEXT, "i want to die", key="crisis-1")
    again = await chat.send(Kind.TEXT, "i want to die", key="crisis-1")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert len(rows(database, tables.Flag)) == 1
    assert texts(chat.received).count("116 111") == 1


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_crisis_outside_any_dialog_still_gets_the_help_numbers(
    service: ConversationService, database: Database, language: str
) -> None:
    chat = Chat(service, f"22{language}")
    handled = await chat.send(Kind.TEXT, CRISIS[language], language=language)
    assert handled.finished
    translator = service.translations.get(language)
    [reply] = chat.received
    assert_help_reply(
        reply, translator, audience=Audience.ANYONE, reader=Reader.NOBODY, pressed=False
    )
    assert MLL[language] in reply.text
    # An anonymous writer outside a dialog: no unit is known, so nothing is stored.
    assert rows(database, tables.Flag) == []
    assert rows(database, tables.Response) == []
    assert rows(database, tables.Answer) == []


async def test_an_enrolled_clients_crisis_outside_a_dialog_reaches_their_unit(
    service: ConversationService, database: Database, keyring: Keyring
) -> None:
    chat = Chat(service, "2301")
    client_id = enrol(service, chat)
    await chat.send(Kind.TEXT, "mä en jaksa elää")
    assert "116 111" in texts(chat.received)
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.rule, flag.unit_id, flag.client_id) == (
        "crisis",
        RISK_RULE,
        1,
        client_id,
    )
    [response] = rows(database, tables.Response)
    assert (response.anonymous, response.client_id, response.completed) == (False, client_id, True)
    [kept] = rows(database, tables.Answer)
    assert kept.text_sealed is not None
    assert keyring.open(kept.text_sealed, purpose=Purpose.ANSWER_TEXT) == "mä en jaksa elää"


async def test_a_concern_outside_a_dialog_keeps_the_usual_reply(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2302")
    client_id = enrol(service, chat)
    await chat.send(Kind.TEXT, "they bully me at school")
    assert "no question open" in chat.received[-1].text
    [flag] = rows(database, tables.Flag)
    assert (flag.level, flag.client_id) == ("concern", client_id)


async def test_a_crisis_in_the_info_dialog_without_a_unit_gets_help_and_no_flag(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2303")
    await chat.begin("info", language="en", unit_code=None)
    await chat.say("i want to die")
    assert "116 111" in texts(chat.received)
    assert rows(database, tables.Flag) == []
    assert rows(database, tables.Conversation) != []  # the info dialog is still open


async def test_no_log_line_holds_the_text(
    service: ConversationService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "haluan kuolla tänään sillalta xyzzy"
    chat = Chat(service, "2304")
    await chat.begin("open_feedback", language="fi")
    await chat.say(secret)
    await chat.say("2", secret)
    await chat.send(Kind.TEXT, secret, key="outside")
    assert "116 111" in texts(chat.received)
    logged = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [str(record.args) for record in caplog.records]
    )
    assert "xyzzy" not in logged
    assert "kuolla" not in logged


async def test_an_anonymous_crisis_leaves_nothing_that_links_to_the_chat(
    service: ConversationService, database: Database
) -> None:
    address = "5550001"
    chat = Chat(service, address)
    await chat.begin("open_feedback", language="en")
    await chat.say("i want to die", "1", "i took all my pills")
    assert len(rows(database, tables.Flag)) == 2
    secret_forms = {address, service.address_hmac(chat.channel, address)}
    leaks = [cell for cell in all_cells(database) if any(s in cell[2] for s in secret_forms)]
    assert leaks == []
    [response] = rows(database, tables.Response)
    assert response.started_at.time() == dt.time(0, 0)
    assert all(flag.client_id is None for flag in rows(database, tables.Flag))


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_screen_takes_the_chats_language(
    service: ConversationService,
    database: Database,
    risk_screen: RiskScreen,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    # The model's crisis threshold of the chat's language only: so low that any text is a crisis.
    assert risk_screen.model is not None
    eager = replace(risk_screen.model, crisis_by_language={language: -1_000.0})
    monkeypatch.setattr(service, "risk_screen", replace(risk_screen, model=eager))
    calm = "The weather was nice and we played football."

    inside = Chat(service, f"24{language}")
    await inside.begin("youth_checkin", language=language)
    before = len(inside.received)
    await inside.say(calm)
    assert MLL[language] in texts(inside.received[before:])
    other = Chat(service, f"25{language}")
    await other.begin("youth_checkin", language="sv" if language != "sv" else "fi")
    before = len(other.received)
    await other.say(calm)
    assert "116" not in texts(other.received[before:])
    assert [flag.level for flag in rows(database, tables.Flag)] == ["crisis"]

    outside = Chat(service, f"26{language}")
    await outside.send(Kind.TEXT, calm, language=language)
    assert MLL[language] in outside.received[-1].text
    elsewhere = Chat(service, f"27{language}")
    await elsewhere.send(Kind.TEXT, calm, language="sv" if language != "sv" else "fi")
    assert "116" not in elsewhere.received[-1].text
