"""A turn's one read: the claim, and the chat's contact, client and conversation."""

from __future__ import annotations

import datetime as dt

from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import clients, contacts, conversations, units
from storage.tables import Conversation

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
CHAT = ChatKey("test", "h1")


def _enrol(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        unit = units.add_unit(session, code="u", name="U", now=NOW)
        assert unit.id is not None
        client = clients.add_client(
            session,
            unit_id=unit.id,
            alias="A",
            case_ref="C-1",
            audience="youth",
            language="sv",
            now=NOW,
        )
        assert client.id is not None
        contact = contacts.link_contact(
            session, chat=CHAT, client_id=client.id, language="fi", now=NOW
        )
        assert contact.id is not None
        conversations.insert(
            session,
            Conversation(
                channel=CHAT.channel,
                address_hmac=CHAT.address_hmac,
                contact_id=contact.id,
                unit_id=unit.id,
                dialog_id="youth_checkin",
                language="fi",
                state={},
                updated_at=NOW,
                expires_at=NOW,
            ),
        )
        return client.id, contact.id


def test_an_enrolled_chat_is_read_whole_in_one_call(database: Database) -> None:
    client_id, contact_id = _enrol(database)
    with database.transaction() as session:
        party = conversations.claim_and_load(session, chat=CHAT, update_key="1", now=NOW)
    assert party is not None
    assert party.contact is not None
    assert party.contact.id == contact_id
    assert party.client is not None
    assert party.client.id == client_id
    assert party.client.language == "sv"
    assert party.conversation is not None
    assert party.conversation.contact_id == contact_id
    assert party.client_of_contact(contact_id) == client_id
    assert party.client_of_contact(None) is None


def test_an_inactive_chat_has_its_contact_but_no_client(database: Database) -> None:
    _enrol(database)
    with database.transaction() as session:
        contacts.set_chat_active(session, chat=CHAT, active=False)
        party = conversations.claim_and_load(session, chat=CHAT, update_key="1", now=NOW)
    assert party is not None
    assert party.contact is not None
    assert party.client is None


def test_a_stranger_has_nothing_and_a_repeat_is_not_claimed(database: Database) -> None:
    stranger = ChatKey("test", "nobody")
    with database.transaction() as session:
        party = conversations.claim_and_load(session, chat=stranger, update_key="1", now=NOW)
        assert party == conversations.Party()
    with database.transaction() as session:
        again = conversations.claim_and_load(session, chat=stranger, update_key="1", now=NOW)
        assert again is None
