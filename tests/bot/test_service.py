from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.i18n import Translations, Translator
from bot.messages import Kind
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.model import Dialog, Text
from dialogs.risk import RiskScreen
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.repositories import clients, contacts
from tests.bot.helpers import Chat, all_cells, rows
from tests.support.clock import Clock

pytestmark = pytest.mark.usefixtures("unit_id")


def enrol(service: ConversationService, chat: Chat, *, goals: tuple[str, ...] = ()) -> int:
    with service.database.transaction() as session:
        client = clients.add_client(
            session,
            unit_id=1,
            alias="Youth A",
            case_ref="CASE-1",
            audience="youth",
            language="en",
            now=service.clock(),
        )
        assert client.id is not None
        for title in goals:
            clients.add_goal(session, client_id=client.id, title=title)
        contacts.link_contact(
            session,
            chat=service.chat_key(chat.channel, chat.address),
            client_id=client.id,
            language="en",
            now=service.clock(),
        )
        return client.id


async def test_a_complete_identified_checkin_is_stored(
    service: ConversationService, database: Database, keyring: Keyring
) -> None:
    chat = Chat(service, "1001")
    client_id = enrol(service, chat, goals=("School", "Sleep"))
    await chat.begin("youth_checkin", language="en")
    handled = await chat.say("4", "3", "5", "2", "1", "-1", "My bike was stolen")
    assert handled.finished

    [response] = rows(database, tables.Response)
    assert (response.client_id, response.anonymous, response.completed) == (client_id, False, True)
    answers = rows(database, tables.Answer)
    assert [(a.measure, a.number) for a in answers[:4]] == [
        ("joy", 4.0),
        ("belonging", 3.0),
        ("coping", 5.0),
        ("physical", 2.0),
    ]
    assert [(a.measure, a.number, a.goal_id is not None) for a in answers[4:6]] == [
        ("gas", 1.0, True),
        ("gas", -1.0, True),
    ]
    note = answers[6]
    assert note.text_sealed is not None
    assert keyring.open(note.text_sealed, purpose=Purpose.ANSWER_TEXT) == "My bike was stolen"
    assert {a.dialog_version for a in answers} == {service.dialogs["youth_checkin"].version}
    assert rows(database, tables.Conversation) == []
    assert rows(database, tables.Outbox) == []
    assert chat.received[-1].text.startswith("Thank you!")


async def test_free_text_is_never_stored_in_plain_text(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1002")
    await chat.begin("open_feedback", language="en")
    await chat.say("2", "The waiting room smells of smoke")
    assert not [cell for cell in all_cells(database) if "smoke" in cell[2]]


@pytest.mark.parametrize("dialog_id", ["youth_checkin", "open_feedback", "parent_service"])
async def test_an_anonymous_run_leaves_nothing_that_links_to_the_chat(
    service: ConversationService, database: Database, dialog_id: str
) -> None:
    address = "987654321"
    chat = Chat(service, address)
    await chat.begin(dialog_id, language="fi")
    for _ in range(20):
        handled = await chat.say("1")
        if handled.finished:
            break
    assert handled.finished
    secret_forms = {address, service.address_hmac(chat.channel, address)}
    leaks = [cell for cell in all_cells(database) if any(s in cell[2] for s in secret_forms)]
    assert leaks == []
    [response] = rows(database, tables.Response)
    assert response.anonymous
    assert response.client_id is None
    assert response.contact_id is None
    assert response.started_at.time() == dt.time(0, 0)
    assert all(a.recorded_at.time() == dt.time(0, 0) for a in rows(database, tables.Answer))
    assert all(f.client_id is None for f in rows(database, tables.Flag))


async def test_an_enrolled_parent_who_chooses_anonymity_is_not_linked(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1003")
    enrol(service, chat)
    await chat.begin("parent_service", language="en")
    assert "anonymously" in chat.received[-1].text
    await chat.send(Kind.CHOICE, "anonymity:anonymous")
    await chat.say("9", "skip", "skip", "skip", "skip", "Thanks")
    [response] = rows(database, tables.Response)
    assert response.anonymous
    assert response.client_id is None
    assert response.contact_id is None
    contact_hmac = service.address_hmac(chat.channel, chat.address)
    linking = [
        cell for cell in all_cells(database) if cell[0] != "contact" and contact_hmac in cell[2]
    ]
    assert linking == []


async def test_a_replayed_update_changes_nothing_and_gets_no_second_reply(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1004")
    await chat.begin("youth_checkin", language="en")
    first = await chat.send(Kind.TEXT, "4", key="same")
    received = len(chat.received)
    answers = len(rows(database, tables.Answer))
    again = await chat.send(Kind.TEXT, "4", key="same")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert len(chat.received) == received
    assert len(rows(database, tables.Answer)) == answers == 1


async def test_ten_concurrent_deliveries_of_one_update_store_one_answer(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1005")
    await chat.begin("youth_checkin", language="en")
    before = len(chat.received)
    results = await asyncio.gather(
        *(service.handle(chat.inbound(Kind.TEXT, "5", key="burst")) for _ in range(10))
    )
    await chat.deliver()
    assert sorted(r.duplicate for r in results) == [False] + [True] * 9
    assert len(rows(database, tables.Answer)) == 1
    assert len(chat.received) == before + 1


class _Exploding(Translations):
    """Fails while rendering, after the answers were added to the transaction."""

    def get(self, language: str | None) -> Translator:
        class Broken(Translator):
            def text(self, text: Text) -> str:
                raise RuntimeError("rendering failed")

        return Broken("en", {})


async def test_a_failure_inside_the_transaction_leaves_no_partial_rows(
    service: ConversationService,
    database: Database,
    dialogs: dict[str, Dialog],
    keyring: Keyring,
    clock: Clock,
    risk_screen: RiskScreen,
    help_numbers: HelpNumbers,
) -> None:
    chat = Chat(service, "1006")
    await chat.begin("youth_checkin", language="en")
    broken = ConversationService(
        database=database,
        dialogs=dialogs,
        keyring=keyring,
        translations=_Exploding({}, "en"),
        clock=clock,
        risk_screen=risk_screen,
        help_numbers=help_numbers,
    )
    [conversation_before] = rows(database, tables.Conversation)
    with pytest.raises(RuntimeError, match="rendering failed"):
        await broken.handle(chat.inbound(Kind.TEXT, "1", key="fragile"))
    assert rows(database, tables.Answer) == []
    assert rows(database, tables.Response) == []
    assert rows(database, tables.Flag) == []
    [conversation_after] = rows(database, tables.Conversation)
    assert conversation_after.state == conversation_before.state
    # The update was not claimed, so the channel's retry is processed in full.
    retried = await chat.send(Kind.TEXT, "1", key="fragile")
    assert not retried.duplicate
    assert len(rows(database, tables.Answer)) == 1
    assert len(rows(database, tables.Flag)) == 1


async def test_a_stale_button_re_asks_the_current_question(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1007")
    await chat.begin("youth_checkin", language="en")
    await chat.send(Kind.CHOICE, "joy:4")
    await chat.send(Kind.CHOICE, "joy:1")
    assert "answered already" in chat.received[-2].text
    assert chat.received[-1].text.startswith("How much have you felt")
    assert [a.number for a in rows(database, tables.Answer)] == [4.0]


async def test_typed_labels_work_in_the_chat_language(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1008")
    await chat.begin("info", language="en")
    await chat.say("what is a client plan?")
    assert any("write the client plan together" in m.text for m in chat.received)
    other = Chat(service, "1009")
    await other.begin("youth_checkin", language="fi")
    skip_label = service.translations.get("fi").gettext("Skip")
    await other.say(skip_label)
    topic, joy = rows(database, tables.Answer)
    assert (topic.measure, topic.choice) == ("topic", "plan")
    assert joy.skipped
    assert joy.measure == "joy"


async def test_a_flag_is_stored_with_the_unit_and_the_client(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1010")
    client_id = enrol(service, chat)
    await chat.begin("youth_checkin", language="en")
    await chat.say("1", "2", "2", "2", "yes")
    flags = rows(database, tables.Flag)
    assert [(f.rule, f.level, f.unit_id, f.client_id) for f in flags] == [
        ("very_low_joy_or_coping", "concern", 1, client_id),
        ("wants_contact", "concern", 1, client_id),
    ]


async def test_without_a_conversation_the_bot_says_so(service: ConversationService) -> None:
    chat = Chat(service, "1011")
    handled = await chat.send(Kind.TEXT, "hello?", language="en")
    assert handled.finished
    assert "no question open" in chat.received[-1].text


async def test_an_unknown_unit_or_dialog_gets_a_kind_reply_and_stores_nothing(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1012")
    await chat.begin("youth_checkin", unit_code="nope", language="en")
    await chat.begin("no_such_dialog", language="en")
    assert "link doesn't work" in chat.received[0].text
    assert "can't find that conversation" in chat.received[1].text
    assert rows(database, tables.Conversation) == []


async def test_an_expired_conversation_is_forgotten(
    service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = Chat(service, "1013")
    await chat.begin("youth_checkin", language="en")
    await chat.say("3")
    clock.advance(hours=25)
    await chat.send(Kind.TEXT, "3", language="en")
    assert "no question open" in chat.received[-1].text
    assert rows(database, tables.Conversation) == []
    [response] = rows(database, tables.Response)
    assert not response.completed


async def test_begin_replaces_an_unfinished_conversation(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "1014")
    await chat.begin("youth_checkin", language="en")
    await chat.say("3")
    await chat.begin("info", language="en")
    [conversation] = rows(database, tables.Conversation)
    assert conversation.dialog_id == "info"
    assert chat.received[-1].text.startswith("What would you like to know?")


async def test_an_abandoned_anonymous_conversation_is_swept_away(
    service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = Chat(service, "55501234")
    await chat.begin("open_feedback", language="en")
    await chat.say("2")
    secret_forms = {chat.address, service.address_hmac(chat.channel, chat.address)}
    assert any(s in cell[2] for cell in all_cells(database) for s in secret_forms)
    assert await service.sweep() == 0  # not expired yet
    clock.advance(hours=25)
    assert await service.sweep() == 1
    assert [c for c in all_cells(database) if any(s in c[2] for s in secret_forms)] == []
    [response] = rows(database, tables.Response)
    assert not response.completed


async def test_update_claims_are_forgotten_after_a_week(
    service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = Chat(service, "1015")
    await chat.say("hello")
    assert len(rows(database, tables.ProcessedUpdate)) == 1
    clock.advance(days=8)
    await service.sweep()
    assert rows(database, tables.ProcessedUpdate) == []


async def test_the_language_chosen_with_the_command_wins_over_the_phones_when_a_dialog_starts(
    service: ConversationService, database: Database
) -> None:
    # A Telegram update carries the phone's language; the chat's own choice is stored.
    chat = Chat(service, "1095", channel="telegram")
    enrol(service, chat)
    await chat.send(Kind.COMMAND, "language sv", language="fi")
    await chat.send(Kind.COMMAND, "checkin", language="fi")

    [conversation] = rows(database, tables.Conversation)
    assert conversation.language == "sv"
    question = await service.open_question("telegram", "1095")
    assert question is not None
    assert question.language == "sv"
    assert chat.received[-1] == question.messages[-1]
