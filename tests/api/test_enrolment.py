from __future__ import annotations

import httpx

from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from tests.api.conftest import World, bearer
from tests.bot.helpers import Chat, rows
from tests.support.clock import Clock


async def _invite(http: httpx.AsyncClient, world: World) -> dict[str, str]:
    response = await http.post(
        f"/api/v1/clients/{world.client_a}/invites", headers=bearer(world, "cw_a")
    )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


async def test_an_invite_links_the_chat_once_and_asks_before_storing_the_address(
    http: httpx.AsyncClient,
    world: World,
    service: ConversationService,
    database: Database,
    keyring: Keyring,
) -> None:
    invite = await _invite(http, world)
    code = invite["code"]
    assert invite["telegram_link"] == f"https://t.me/kerro_test_bot?start={code}"
    assert invite["web_link"] == f"https://kerro.example/chat/i/{code}"
    assert all(code not in str(row.code_hash) for row in rows(database, tables.Invite))

    chat = Chat(service, "5001")
    await chat.send(Kind.COMMAND, f"start {code}", language="en")
    welcome, question = chat.received
    assert "linked to you" in welcome.text
    assert "not a person" in welcome.text
    assert [b.data for b in question.buttons] == ["consent:yes", "consent:no", "menu:helpnow"]
    [contact] = rows(database, tables.Contact)
    assert (contact.client_id, contact.prompts, contact.address_sealed) == (
        world.client_a,
        False,
        None,
    )

    await chat.send(Kind.CHOICE, "consent:yes", language="en")
    assert "write /stop" in chat.received[-1].text
    [contact] = rows(database, tables.Contact)
    assert contact.prompts is True
    assert contact.address_sealed is not None
    assert keyring.open(contact.address_sealed, purpose=Purpose.CHAT_ADDRESS) == "5001"

    # Single use: another chat cannot use the code again.
    other = Chat(service, "5002")
    await other.send(Kind.COMMAND, f"start {code}", language="en")
    assert "used already" in other.received[-1].text
    assert len(rows(database, tables.Contact)) == 1

    # Both changes of access are in the audit log: the invite made, and the chat enrolled.
    changes = [
        (entry.action, entry.staff_id, entry.target)
        for entry in rows(database, tables.AuditEntry)
        if entry.action in ("access.invite", "access.enrolment")
    ]
    assert [(action, by) for action, by, _ in changes] == [
        ("access.invite", world.staff_ids["cw_a"]),
        ("access.enrolment", None),  # by the client themself
    ]
    assert all(target.startswith(f"client/{world.client_a}") for _, _, target in changes)

    # The linked chat's check-in is the client's own.
    await chat.send(Kind.CHOICE, "menu:checkin", language="en")
    [conversation] = rows(database, tables.Conversation)
    assert conversation.contact_id == contact.id


async def test_saying_no_keeps_no_address_and_an_old_invite_does_not_work(
    http: httpx.AsyncClient,
    world: World,
    service: ConversationService,
    database: Database,
    clock: Clock,
) -> None:
    chat = Chat(service, "5003")
    await chat.send(Kind.COMMAND, f"start {(await _invite(http, world))['code']}", language="en")
    await chat.send(Kind.CHOICE, "consent:no", language="en")
    assert "no reminders" in chat.received[-1].text.lower()
    [contact] = rows(database, tables.Contact)
    assert (contact.prompts, contact.address_sealed) == (False, None)

    old = (await _invite(http, world))["code"]
    clock.advance(days=15)
    late = Chat(service, "5004")
    await late.send(Kind.COMMAND, f"start {old}", language="en")
    assert "too old" in late.received[-1].text
    assert len(rows(database, tables.Contact)) == 1
