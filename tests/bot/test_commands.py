from __future__ import annotations

import pytest

from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.helpers import Chat, rows
from tests.bot.test_service import enrol

pytestmark = pytest.mark.usefixtures("unit_id")


async def test_start_without_a_code_welcomes_and_shows_the_menu(
    service: ConversationService,
) -> None:
    chat = Chat(service, "2001")
    await chat.send(Kind.COMMAND, "start", language="en")
    welcome, menu = chat.received
    assert "not a person" in welcome.text
    assert "112" in welcome.text
    assert [b.data for b in menu.buttons] == [
        "menu:feedback",
        "menu:info",
        "menu:language",
        "menu:help",
        "menu:helpnow",  # "I need help now", on every question
    ]


async def test_start_with_a_unit_code_opens_that_units_feedback(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2002")
    await chat.send(Kind.COMMAND, "start u1", language="en")
    await chat.say("3", "skip")
    [response] = rows(database, tables.Response)
    assert (response.dialog_id, response.unit_id, response.anonymous) == ("open_feedback", 1, True)


async def test_start_with_an_unknown_code_says_the_link_does_not_work(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2003")
    await chat.send(Kind.COMMAND, "start nosuchcode", language="en")
    assert "link doesn't work" in chat.received[-1].text
    assert rows(database, tables.Conversation) == []


async def test_checkin_starts_the_clients_own_checkin_or_explains(
    service: ConversationService, database: Database
) -> None:
    stranger = Chat(service, "2004")
    await stranger.send(Kind.COMMAND, "checkin", language="en")
    assert "open your unit's link again" in stranger.received[-1].text
    client = Chat(service, "2005")
    enrol(service, client, goals=("School",))
    await client.send(Kind.CHOICE, "menu:checkin", language="en")
    [conversation] = rows(database, tables.Conversation)
    assert conversation.dialog_id == "youth_checkin"
    assert conversation.contact_id is not None


async def test_a_command_in_the_middle_of_a_dialog_goes_on_with_the_question(
    service: ConversationService,
) -> None:
    chat = Chat(service, "2006")
    await chat.begin("youth_checkin", language="en")
    await chat.say("4")
    await chat.send(Kind.COMMAND, "help")
    assert "/forget" in chat.received[-2].text
    assert chat.received[-1].text.startswith("How much have you felt")


async def test_language_can_be_chosen_with_buttons(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2007")
    await chat.begin("youth_checkin", language="en")
    await chat.send(Kind.COMMAND, "language")
    assert [b.label for b in chat.received[-2].buttons] == [
        "Suomi",
        "Svenska",
        "English",
        "I need help now",
    ]
    await chat.send(Kind.CHOICE, "language:sv")
    translator = service.translations.get("sv")
    assert chat.received[-2].text == translator.gettext("Okay, I'll write in English from now on.")
    [conversation] = rows(database, tables.Conversation)
    assert conversation.language == "sv"


async def test_stop_turns_off_prompts_for_a_client(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2008")
    enrol(service, chat)
    await chat.send(Kind.COMMAND, "stop", language="en")
    [contact] = rows(database, tables.Contact)
    assert contact.prompts is False
    anonymous = Chat(service, "2009")
    await anonymous.send(Kind.COMMAND, "stop", language="en")
    assert "isn't linked to you" in anonymous.received[-1].text


async def test_forget_asks_first_then_erases_what_the_client_said(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "2010")
    enrol(service, chat)
    await chat.begin("youth_checkin", language="en")
    await chat.say("1", "1", "1", "1", "yes", "Help me")
    assert rows(database, tables.Flag)
    await chat.send(Kind.COMMAND, "forget")
    assert "your 1 answer and" in chat.received[-1].text  # one answer: the singular
    await chat.send(Kind.CHOICE, "forget:no")
    assert len(rows(database, tables.Response)) == 1
    await chat.send(Kind.CHOICE, "forget:yes")
    assert "erased" in chat.received[-2].text
    assert "worker will still see" in chat.received[-1].text
    for table in (tables.Response, tables.Answer, tables.Contact, tables.Conversation):
        assert rows(database, table) == [], table
    # The open flags stay for the worker, without their response (so without any text).
    kept = rows(database, tables.Flag)
    assert kept
    assert {flag.response_id for flag in kept} == {None}
    assert len(rows(database, tables.Client)) == 1  # the staff's pseudonymous record stays


async def test_a_pressed_button_is_acknowledged_with_its_label(
    service: ConversationService,
) -> None:
    chat = Chat(service, "2011")
    await chat.begin("youth_checkin", language="en")
    reference = {"message_id": 77, "callback_query_id": "cq1"}
    await chat.send(Kind.CHOICE, "joy:4", reference=reference)
    await chat.send(Kind.CHOICE, "joy:2", reference={"message_id": 77, "callback_query_id": "cq2"})
    first, stale = chat.acknowledged
    assert (first.reference, first.label) == (reference, "🙂 4")
    assert stale.label is None  # an old question's button: acknowledged, nothing chosen
