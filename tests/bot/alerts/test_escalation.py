"""Escalation: an open crisis flag that nobody acknowledged within the configured time alerts
the unit's coordinators and its on-call address once; an acknowledgement stops it."""

from __future__ import annotations

import datetime as dt

from bot.alerts import EMAIL, WEBHOOK
from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from storage.repositories import alerts, flags
from tests.bot.alerts.fixtures import (
    CASEWORKER,
    COORDINATOR,
    ON_CALL,
    Setting,
    email_channel,
    enrol_chat,
    make_sender,
    webhook_channel,
)
from tests.bot.alerts.test_email import CONCERN, anonymous_crisis, crisis_of_client
from tests.bot.helpers import Chat, rows
from tests.support.alert_servers import SmtpServer, WebhookReceiver
from tests.support.clock import Clock


def acknowledge(
    database: Database,
    *,
    flag_id: int,
    staff_id: int,
    now: dt.datetime,
    action: str = "acknowledge",
    status: str = "acknowledged",
) -> None:
    """What POST /api/v1/flags/{id}/acknowledge (or .../resolve) does."""
    with database.transaction() as session:
        flag = session.get(tables.Flag, flag_id)
        assert flag is not None
        flags.change(
            session,
            flag=flag,
            staff_id=staff_id,
            action=action,
            status=status,
            assignee_id=None,
            note_sealed=None,
            now=now,
        )


async def test_an_unacknowledged_crisis_escalates_once_after_the_configured_time(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    clock: Clock,
) -> None:
    await crisis_of_client(service, setting, "5101")
    sender = make_sender(
        service,
        {EMAIL: email_channel(smtp_server), WEBHOOK: webhook_channel(receiver)},
        escalate_after=dt.timedelta(minutes=10),
    )
    assert await sender.tick() == 2  # the caseworker's e-mail and the webhook
    assert [m.recipients for m in smtp_server.handler.messages] == [[CASEWORKER]]
    clock.advance(minutes=9, seconds=59)
    assert await sender.tick() == 0
    clock.advance(seconds=2)
    assert await sender.tick() == 3  # the coordinator, the on-call address, the webhook
    clock.advance(hours=2)
    assert await sender.tick() == 0

    escalated = {m.recipients[0]: m for m in smtp_server.handler.messages[1:]}
    assert set(escalated) == {COORDINATOR, ON_CALL}
    # The coordinator reads Swedish; the on-call address gets Finnish.
    assert escalated[COORDINATOR].subject == (
        "Kerro: en flagga (kris) i Nuorisokoti Koti är inte kvitterad"
    )
    assert "Ingen har kvitterat den på 10 minuter." in escalated[COORDINATOR].body
    assert "ei ole kuitattu" in escalated[ON_CALL].subject
    assert [document["escalation"] for document in receiver.accepted] == [False, True]
    [flag] = rows(database, tables.Flag)
    assert flag.id is not None
    with database.transaction() as session:
        rounds = [round_ for round_, _ in alerts.deliveries_of(session, flag_id=flag.id)]
    assert rounds == [1, 1, 2, 2, 2]


async def test_an_acknowledged_crisis_does_not_escalate(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    await crisis_of_client(service, setting, "5201")
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    assert await sender.tick() == 1
    [flag] = rows(database, tables.Flag)
    assert flag.id is not None
    clock.advance(minutes=5)
    acknowledge(database, flag_id=flag.id, staff_id=setting.caseworker_id, now=clock())
    clock.advance(minutes=60)
    assert await sender.tick() == 0
    assert len(smtp_server.handler.messages) == 1
    assert len(rows(database, tables.Alert)) == 1


async def test_an_acknowledgement_after_the_escalation_was_planned_stops_its_sending(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    """An escalation whose sending failed is not retried once the flag is acknowledged."""
    await anonymous_crisis(service, "5301")
    channel = email_channel(smtp_server)
    sender = make_sender(service, {EMAIL: channel})
    assert await sender.tick() == 1
    await smtp_server.close()
    clock.advance(minutes=16)
    assert await sender.tick() == 2  # both escalations fail: nobody answers
    [flag] = rows(database, tables.Flag)
    assert flag.id is not None
    acknowledge(database, flag_id=flag.id, staff_id=setting.coordinator_id, now=clock())
    clock.advance(minutes=5)
    assert await sender.tick() == 0
    escalations = [d for d in rows(database, tables.AlertDelivery) if d.alert_id != 1]
    assert [d.dead_reason for d in escalations] == ["acknowledged before escalation"] * 2


async def test_a_concern_does_not_escalate(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    chat = Chat(service, "5401")
    enrol_chat(service, chat, client_id=setting.client_id)
    await chat.begin("youth_checkin", language="fi", unit_code="koti")
    await chat.say(CONCERN)
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    assert await sender.tick() == 1
    clock.advance(hours=3)
    assert await sender.tick() == 0
    assert len(smtp_server.handler.messages) == 1


async def test_forget_erases_an_alerted_and_resolved_flag_with_its_alerts(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    chat = await crisis_of_client(service, setting, "5501")
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    assert await sender.tick() == 1
    [flag] = rows(database, tables.Flag)
    assert flag.id is not None
    acknowledge(
        database,
        flag_id=flag.id,
        staff_id=setting.caseworker_id,
        now=clock(),
        action="resolve",
        status="resolved",
    )
    await chat.send(Kind.COMMAND, "forget")
    await chat.send(Kind.CHOICE, "forget:yes")
    for table in (tables.Flag, tables.FlagEvent, tables.Alert, tables.AlertDelivery):
        assert rows(database, table) == []
