"""/forget erases, but an alerted open crisis does not vanish from the worker's inbox; and an
erased flag's ids (and its alert's) are never given to a new flag."""

from __future__ import annotations

import datetime as dt

import httpx

from api.app import create_staff_app
from api.context import ApiContext
from bot.alerts import EMAIL, WEBHOOK
from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from storage.repositories import staff
from tests.bot.alerts.fixtures import (
    Setting,
    email_channel,
    make_sender,
    webhook_channel,
)
from tests.bot.alerts.test_email import CRISIS, crisis_of_client
from tests.bot.alerts.test_escalation import acknowledge
from tests.bot.helpers import rows
from tests.support.alert_servers import SmtpServer, WebhookReceiver
from tests.support.clock import Clock


async def _staff_get(
    service: ConversationService, clock: Clock, staff_id: int, path: str
) -> httpx.Response:
    with service.database.transaction() as session:
        token, _ = staff.issue_token(
            session, staff_id=staff_id, now=clock(), lifetime=dt.timedelta(days=1)
        )
    app = create_staff_app(
        context=ApiContext(database=service.database, keyring=service.keyring, clock=clock)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://staff"
    ) as http:
        return await http.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


async def test_forget_keeps_an_alerted_open_crisis_as_a_note_without_text(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    chat = await crisis_of_client(service, setting, "6101")
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    assert await sender.tick() == 1  # the caseworker was alerted
    [flag] = rows(database, tables.Flag)
    await chat.send(Kind.COMMAND, "forget")
    await chat.send(Kind.CHOICE, "forget:yes")
    # Told, in the client's language (English in this setting): the worker still sees it.
    assert "will still see" in chat.received[-1].text
    # The client's answers, texts, responses and chat link are erased ...
    for table in (tables.Response, tables.Answer, tables.Contact, tables.Conversation):
        assert rows(database, table) == [], table
    # ... but the flag stays for the worker: no response, so no text; an erase event.
    [kept] = rows(database, tables.Flag)
    assert (kept.id, kept.public_id, kept.status) == (flag.id, flag.public_id, "open")
    assert kept.response_id is None
    [event] = rows(database, tables.FlagEvent)
    assert (event.action, event.staff_id, event.note_sealed) == ("erase", None, None)
    inbox = await _staff_get(service, clock, setting.caseworker_id, "/flags")
    [shown] = inbox.json()
    assert shown["id"] == flag.public_id
    assert shown["erased"] is True
    assert shown["level"] == "crisis"
    detail = (
        await _staff_get(service, clock, setting.caseworker_id, f"/flags/{kept.public_id}")
    ).json()
    assert detail["texts"] == []
    assert [(e["action"], e["staff_id"], e["note"]) for e in detail["events"]] == [
        ("erase", None, "erased at the client's request")
    ]
    assert CRISIS not in inbox.text + str(detail)
    # Its open crisis still escalates: it did not vanish.
    clock.advance(minutes=20)
    assert await sender.tick() >= 1
    # The erasure itself is in the audit log, as a change of access by the client.
    actions = [entry.action for entry in rows(database, tables.AuditEntry)]
    assert "access.erasure" in actions


async def test_an_erased_flag_and_its_alert_never_lend_their_ids_to_a_new_one(
    service: ConversationService,
    database: Database,
    setting: Setting,
    receiver: WebhookReceiver,
    clock: Clock,
) -> None:
    chat = await crisis_of_client(service, setting, "6201")
    sender = make_sender(service, {WEBHOOK: webhook_channel(receiver)})
    assert await sender.tick() == 1
    [first] = rows(database, tables.Flag)
    [first_alert] = rows(database, tables.Alert)
    assert first.id is not None
    acknowledge(
        database,
        flag_id=first.id,
        staff_id=setting.caseworker_id,
        now=clock(),
        action="resolve",
        status="resolved",
    )
    await chat.send(Kind.COMMAND, "forget")
    await chat.send(Kind.CHOICE, "forget:yes")
    assert rows(database, tables.Flag) == []
    assert rows(database, tables.Alert) == []
    # The same person enrols again and writes a new crisis.
    clock.advance(minutes=1)
    await crisis_of_client(service, setting, "6201")
    assert await sender.tick() == 1
    [second] = rows(database, tables.Flag)
    [second_alert] = rows(database, tables.Alert)
    assert second.id != first.id
    assert second.public_id != first.public_id
    assert second_alert.id != first_alert.id
    assert second_alert.public_id != first_alert.public_id
    first_hook, second_hook = receiver.accepted
    assert first_hook["alert"] != second_hook["alert"]
    assert first_hook["flag"] != second_hook["flag"]
