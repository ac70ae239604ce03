"""The signed webhook: HMAC-SHA256 over timestamp and body, checked by a real HTTP receiver
that refuses old timestamps and wrong signatures; its body names nobody."""

from __future__ import annotations

import re
import time

from bot.alert_channels import WebhookChannel, sign
from bot.alerts import WEBHOOK
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.alerts.fixtures import (
    WEBHOOK_SECRET,
    Setting,
    make_sender,
    webhook_channel,
)
from tests.bot.alerts.test_email import (
    anonymous_crisis,
    assert_holds_nothing_of_the_writer,
    crisis_of_client,
    forbidden,
)
from tests.bot.helpers import rows
from tests.support.alert_servers import WebhookReceiver
from tests.support.clock import Clock


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # A known answer, computed independently with
    # printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
    assert sign("secret", "1700000000", b"{}") == (
        "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
    )


async def test_an_anonymous_crisis_reaches_the_webhook_signed_and_without_an_identifier(
    service: ConversationService, database: Database, setting: Setting, receiver: WebhookReceiver
) -> None:
    chat = await anonymous_crisis(service, "4101")
    [flag] = rows(database, tables.Flag)
    sender = make_sender(service, {WEBHOOK: webhook_channel(receiver)})
    assert await sender.tick() == 1
    assert await sender.tick() == 0
    assert receiver.refused == 0
    [document] = receiver.accepted
    assert document["flag"] == flag.public_id
    assert document["level"] == "crisis"
    assert document["unit"] == {"code": "koti", "name": "Nuorisokoti Koti"}
    assert document["link"] == f"http://127.0.0.1:8001/flags/{flag.public_id}"
    assert document["escalation"] is False
    # An anonymous flag: opaque ids and the date only, nothing that orders or times it.
    assert document["anonymous"] is True
    assert document["raised_at"] == flag.created_at.date().isoformat()
    assert re.fullmatch(r"[0-9a-f]{32}", document["alert"])
    assert set(document) == {
        "alert",
        "flag",
        "level",
        "unit",
        "anonymous",
        "raised_at",
        "escalation",
        "link",
    }
    assert_holds_nothing_of_the_writer(
        receiver.bodies[0].decode(), forbidden(service, chat, setting), setting
    )


async def test_a_clients_crisis_on_the_webhook_holds_no_client_id_or_alias(
    service: ConversationService, database: Database, setting: Setting, receiver: WebhookReceiver
) -> None:
    chat = await crisis_of_client(service, setting, "4201")
    sender = make_sender(service, {WEBHOOK: webhook_channel(receiver)})
    await sender.tick()
    [body] = receiver.bodies
    assert_holds_nothing_of_the_writer(body.decode(), forbidden(service, chat, setting), setting)
    assert "client" not in body.decode()


async def test_a_wrong_secret_or_an_old_timestamp_is_refused_and_retried(
    service: ConversationService,
    database: Database,
    setting: Setting,
    receiver: WebhookReceiver,
    clock: Clock,
) -> None:
    await anonymous_crisis(service, "4301")
    wrong = WebhookChannel(url=receiver.url, secret="not-the-secret")
    assert await make_sender(service, {WEBHOOK: wrong}).tick() == 1
    assert (receiver.refused, receiver.accepted) == (1, [])
    clock.advance(seconds=2)
    stale = WebhookChannel(url=receiver.url, secret=WEBHOOK_SECRET, now=lambda: time.time() - 900)
    assert await make_sender(service, {WEBHOOK: stale}).tick() == 1
    assert (receiver.refused, receiver.accepted) == (2, [])
    [delivery] = rows(database, tables.AlertDelivery)
    assert (delivery.sent_at, delivery.attempts) == (None, 2)
    clock.advance(seconds=4)
    assert await make_sender(service, {WEBHOOK: webhook_channel(receiver)}).tick() == 1
    assert len(receiver.accepted) == 1
    [delivery] = rows(database, tables.AlertDelivery)
    assert delivery.sent_at is not None
