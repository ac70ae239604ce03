"""Helpers for alert tests: a unit with an on-call address, a caseworker and a coordinator
with e-mail addresses, an enrolled client of the caseworker; the channels to real servers.
Their fixtures are in tests/bot/conftest.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.alert_channels import EmailChannel, SmtpSettings, WebhookChannel
from bot.alerts import EMAIL, WEBHOOK, AlertChannel, AlertSender, AlertSettings
from bot.service import ConversationService
from storage.db import Database
from storage.repositories import clients, contacts, staff, units
from storage.tables import Staff, Unit
from tests.bot.helpers import Chat
from tests.support.alert_servers import SmtpServer, WebhookReceiver

ON_CALL = "paivystys@koti.example"
CASEWORKER = "maija@koti.example"
COORDINATOR = "kaisa@koti.example"
WEBHOOK_SECRET = "webhook-secret-for-tests"
ALIAS = "Youth Aliasname"
CASE_REF = "CASE-7781"


@dataclass
class Setting:
    unit_id: int
    caseworker_id: int
    coordinator_id: int
    client_id: int


def add_unit_with_staff(database: Database, *, now: dt.datetime) -> Setting:
    with database.transaction() as session:
        unit = units.add_unit(session, code="koti", name="Nuorisokoti Koti", now=now)
        assert unit.id is not None
        unit.on_call_email = ON_CALL
        session.add(unit)
        caseworker = staff.add_staff(
            session, name="Maija M", role="caseworker", unit_ids=[unit.id], now=now
        )
        coordinator = staff.add_staff(
            session, name="Kaisa K", role="coordinator", unit_ids=[unit.id], now=now
        )
        caseworker.email, coordinator.email = CASEWORKER, COORDINATOR
        coordinator.language = "sv"
        session.add_all([caseworker, coordinator])
        assert caseworker.id is not None
        assert coordinator.id is not None
        client = clients.add_client(
            session,
            unit_id=unit.id,
            alias=ALIAS,
            case_ref=CASE_REF,
            audience="youth",
            language="en",
            now=now,
            caseworker_id=caseworker.id,
        )
        assert client.id is not None
        return Setting(unit.id, caseworker.id, coordinator.id, client.id)


def enrol_chat(service: ConversationService, chat: Chat, *, client_id: int) -> None:
    with service.database.transaction() as session:
        contacts.link_contact(
            session,
            chat=service.chat_key(chat.channel, chat.address),
            client_id=client_id,
            language="en",
            now=service.clock(),
        )


def set_unit(database: Database, unit_id: int, **values: object) -> None:
    with database.transaction() as session:
        unit = session.get(Unit, unit_id)
        assert unit is not None
        for name, value in values.items():
            setattr(unit, name, value)
        session.add(unit)


def set_staff(database: Database, staff_id: int, **values: object) -> None:
    with database.transaction() as session:
        member = session.get(Staff, staff_id)
        assert member is not None
        for name, value in values.items():
            setattr(member, name, value)
        session.add(member)


def email_channel(server: SmtpServer) -> EmailChannel:
    return EmailChannel(
        SmtpSettings.from_url(server.url, sender="kerro@koti.example", ca_file=str(server.ca_file))
    )


def webhook_channel(receiver: WebhookReceiver) -> WebhookChannel:
    return WebhookChannel(url=receiver.url, secret=WEBHOOK_SECRET)


def make_sender(
    service: ConversationService,
    channels: dict[str, AlertChannel],
    **settings: object,
) -> AlertSender:
    return AlertSender(
        database=service.database,
        keyring=service.keyring,
        translations=service.translations,
        channels=channels,
        settings=AlertSettings(**settings),  # type: ignore[arg-type]
        clock=service.clock,
    )


__all__ = ["EMAIL", "WEBHOOK"]
