"""Alerts by e-mail over STARTTLS to a real SMTP server: the caseworker of an enrolled client,
the unit's on-call address for anonymous flags; at least once across a restart mid-delivery;
backoff and dead letters; no text, name or identifier in any e-mail or log line."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

import pytest

from bot.alert_channels import EmailChannel
from bot.alerts import EMAIL, AlertSender
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from storage.repositories import alerts
from tests.bot.alerts.fixtures import (
    ALIAS,
    CASE_REF,
    CASEWORKER,
    ON_CALL,
    Setting,
    email_channel,
    enrol_chat,
    make_sender,
    set_staff,
)
from tests.bot.helpers import Chat, rows
from tests.support.alert_servers import Received, SmtpServer
from tests.support.clock import Clock

CRISIS = "en jaksa enää elää, haluun kuolla"
CONCERN = "mua kiusataan koulussa"  # bullying: a concern
TEST_SERVERS = {"mail.log", "aiohttp.access", "aiohttp.server"}  # the test's own servers


async def crisis_of_client(service: ConversationService, setting: Setting, address: str) -> Chat:
    chat = Chat(service, address)
    enrol_chat(service, chat, client_id=setting.client_id)
    await chat.begin("youth_checkin", language="fi", unit_code="koti")
    await chat.say(CRISIS)
    assert "116 111" in "\n".join(message.text for message in chat.received)
    return chat


async def anonymous_crisis(service: ConversationService, address: str) -> Chat:
    chat = Chat(service, address)
    await chat.begin("youth_checkin", language="fi", unit_code="koti")
    await chat.say(CRISIS)
    assert "116 111" in "\n".join(message.text for message in chat.received)
    return chat


def forbidden(service: ConversationService, chat: Chat, setting: Setting) -> list[str]:
    """What must never be in an alert: the text, the name, every identifier of the writer."""
    return [
        CRISIS,
        "haluun kuolla",
        ALIAS,
        CASE_REF,
        chat.address,
        service.address_hmac(chat.channel, chat.address),
    ]


def assert_holds_nothing_of_the_writer(raw: str, words: list[str], setting: Setting) -> None:
    for word in words:
        assert word not in raw
    assert f"client/{setting.client_id}" not in raw
    assert f"clients/{setting.client_id}" not in raw


async def test_a_clients_crisis_alerts_their_caseworker_once(
    service: ConversationService, database: Database, setting: Setting, smtp_server: SmtpServer
) -> None:
    chat = await crisis_of_client(service, setting, "3101")
    [flag] = rows(database, tables.Flag)
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})

    assert await sender.tick() == 1
    assert await sender.tick() == 0
    [mail] = smtp_server.handler.messages
    assert mail.recipients == [CASEWORKER]
    assert mail.tls
    body = mail.body
    assert mail.subject == "Kerro: uusi merkintä (kriisi) yksikössä Nuorisokoti Koti"
    assert "Nuorisokoti Koti (koti)" in body
    assert f"http://127.0.0.1:8001/flags/{flag.public_id}" in body
    assert "2026-03-02 14:35" in body
    assert_holds_nothing_of_the_writer(mail.decoded, forbidden(service, chat, setting), setting)

    [delivery] = rows(database, tables.AlertDelivery)
    assert (delivery.channel, delivery.recipient) == (EMAIL, f"staff:{setting.caseworker_id}")
    assert delivery.sent_at is not None
    assert delivery.attempts == 1


async def test_an_anonymous_crisis_alerts_the_on_call_address_without_an_identifier(
    service: ConversationService, database: Database, setting: Setting, smtp_server: SmtpServer
) -> None:
    chat = await anonymous_crisis(service, "3201")
    [flag] = rows(database, tables.Flag)
    assert flag.client_id is None
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    assert await sender.tick() == 1
    [mail] = smtp_server.handler.messages
    assert mail.recipients == [ON_CALL]
    assert_holds_nothing_of_the_writer(mail.decoded, forbidden(service, chat, setting), setting)


async def test_a_client_whose_caseworker_has_no_address_goes_to_on_call(
    service: ConversationService, database: Database, setting: Setting, smtp_server: SmtpServer
) -> None:
    set_staff(database, setting.caseworker_id, email=None)
    await crisis_of_client(service, setting, "3301")
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    await sender.tick()
    assert [mail.recipients for mail in smtp_server.handler.messages] == [[ON_CALL]]


async def test_a_concern_is_alerted_too_in_the_staff_language(
    service: ConversationService, database: Database, setting: Setting, smtp_server: SmtpServer
) -> None:
    set_staff(database, setting.caseworker_id, language="en")
    chat = Chat(service, "3401")
    enrol_chat(service, chat, client_id=setting.client_id)
    await chat.begin("youth_checkin", language="fi", unit_code="koti")
    await chat.say(CONCERN)
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    await sender.tick()
    [mail] = smtp_server.handler.messages
    assert mail.subject == "Kerro: a concern flag in Nuorisokoti Koti"
    assert CONCERN not in mail.decoded


async def test_the_service_wakes_the_sender_after_an_update_that_raised_a_flag(
    service: ConversationService, setting: Setting
) -> None:
    woken: list[bool] = []
    service.on_flag = lambda: woken.append(True)
    chat = Chat(service, "3451")
    await chat.begin("youth_checkin", language="fi", unit_code="koti")
    await chat.say("4", "ihan hyvä päivä")
    assert woken == []
    await chat.say(CRISIS)
    assert woken == [True]


async def test_a_flag_committed_before_the_sender_started_is_alerted(
    service: ConversationService, database: Database, setting: Setting, smtp_server: SmtpServer
) -> None:
    """The flag row is the trigger: nothing needs to be running when it is committed."""
    await anonymous_crisis(service, "3501")
    await anonymous_crisis(service, "3502")
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    task = asyncio.create_task(sender.run_forever())
    try:
        async with asyncio.timeout(20):
            await smtp_server.handler.wait_for(2)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [m.recipients for m in smtp_server.handler.messages] == [[ON_CALL], [ON_CALL]]


async def test_a_restart_between_accepted_and_recorded_sends_once_more_after_the_lease(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    await crisis_of_client(service, setting, "3601")
    first = make_sender(service, {EMAIL: email_channel(smtp_server)})
    task = asyncio.create_task(first.tick())

    def crash(_: Received) -> None:
        # The server has the message and is about to say it accepted it; the sender stops
        # before it hears that, so it never records the delivery.
        task.cancel()

    smtp_server.handler.on_message = crash
    with pytest.raises(asyncio.CancelledError):
        await task
    smtp_server.handler.on_message = None
    assert len(smtp_server.handler.messages) == 1
    [delivery] = rows(database, tables.AlertDelivery)
    assert delivery.sent_at is None

    # A new sender (the restart) leaves the leased delivery alone until its lease ends ...
    second = make_sender(service, {EMAIL: email_channel(smtp_server)})
    clock.advance(seconds=59)
    assert await second.tick() == 0
    # ... then sends it once more, the same message, and records it.
    clock.advance(seconds=2)
    assert await second.tick() == 1
    clock.advance(minutes=5)
    assert await second.tick() == 0
    first_copy, second_copy = smtp_server.handler.messages
    assert first_copy.recipients == second_copy.recipients == [CASEWORKER]
    assert first_copy.message["Message-ID"] == second_copy.message["Message-ID"]
    [delivery] = rows(database, tables.AlertDelivery)
    assert delivery.sent_at is not None
    assert delivery.attempts == 2


async def test_failures_back_off_and_end_as_a_dead_letter_with_a_reason(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    await anonymous_crisis(service, "3701")
    channel = email_channel(smtp_server)
    await smtp_server.close()  # nobody answers on the port now
    sender = make_sender(service, {EMAIL: channel}, max_attempts=3)
    assert await sender.tick() == 1  # tried, failed: retried after 2 s
    assert await sender.tick() == 0
    clock.advance(seconds=2)
    assert await sender.tick() == 1  # failed again: after 4 s
    clock.advance(seconds=3)
    assert await sender.tick() == 0
    clock.advance(seconds=1)
    assert await sender.tick() == 1  # the third failure is the last
    clock.advance(minutes=5)
    assert await sender.tick() == 0
    [delivery] = rows(database, tables.AlertDelivery)
    assert delivery.sent_at is None
    assert delivery.attempts == 3
    assert delivery.dead_reason is not None
    assert "after 3 attempts" in delivery.dead_reason


async def test_a_send_that_hangs_is_given_up_within_the_lease_and_retried(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    clock: Clock,
) -> None:
    await anonymous_crisis(service, "3751")
    smtp_server.handler.hold = asyncio.Event()
    impatient = EmailChannel(dataclasses.replace(email_channel(smtp_server).smtp, timeout=1.0))
    sender = make_sender(service, {EMAIL: impatient}, lease=dt.timedelta(seconds=2))
    assert await sender.tick() == 1  # the server never answers: given up, the lease holds
    [delivery] = rows(database, tables.AlertDelivery)
    assert (delivery.sent_at, delivery.dead_reason, delivery.attempts) == (None, None, 1)
    assert delivery.not_before == clock() + dt.timedelta(seconds=2)
    smtp_server.handler.hold.set()
    smtp_server.handler.hold = None
    clock.advance(seconds=2)
    assert await sender.tick() == 1
    [delivery] = rows(database, tables.AlertDelivery)
    assert delivery.sent_at is not None


async def test_no_log_line_holds_the_text_a_name_or_an_address(
    service: ConversationService,
    database: Database,
    setting: Setting,
    smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    chat = await crisis_of_client(service, setting, "3801")
    other = await anonymous_crisis(service, "3802")
    sender = make_sender(service, {EMAIL: email_channel(smtp_server)})
    await sender.tick()
    assert len(smtp_server.handler.messages) == 2
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name not in TEST_SERVERS
    )
    assert "alert delivery" in logged
    for word in [*forbidden(service, chat, setting), other.address, CASEWORKER, ON_CALL]:
        assert word not in logged


async def test_alerts_survive_in_storage_until_sent(
    service: ConversationService, database: Database, setting: Setting, smtp_server: SmtpServer
) -> None:
    """One alert round per flag, one delivery per recipient and channel, also when two
    senders look at once."""
    await anonymous_crisis(service, "3901")
    senders: list[AlertSender] = [
        make_sender(service, {EMAIL: email_channel(smtp_server)}) for _ in range(2)
    ]
    await asyncio.gather(*(sender.tick() for sender in senders))
    for sender in senders:
        await sender.tick()
    [flag] = rows(database, tables.Flag)
    assert flag.id is not None
    with database.transaction() as session:
        deliveries = alerts.deliveries_of(session, flag_id=flag.id)
    assert [(round_, d.recipient) for round_, d in deliveries] == [(1, f"unit:{setting.unit_id}")]
    assert len(smtp_server.handler.messages) == 1
