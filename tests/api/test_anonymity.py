"""An anonymous answer cannot be tied to its writer by anything staff can read (P1).

The adversary is a member of staff who sees their client's check-in and, a minute later, an
anonymous crisis flag from the same chat: no shared sequence (ids, or the gaps between
them), no time finer than the date, and no place in a listing may tell them that the two
were written one after the other.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_staff_app
from api.context import ApiContext
from bot.alerts import EMAIL, WEBHOOK
from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from storage.repositories import staff
from tests.api.conftest import World, _add_response, _flag, bearer
from tests.bot.alerts.fixtures import (
    WEBHOOK_SECRET,
    Setting,
    add_unit_with_staff,
    email_channel,
    enrol_chat,
    make_sender,
    webhook_channel,
)
from tests.bot.helpers import Chat, rows
from tests.support.alert_servers import SmtpServer, WebhookReceiver, start_smtp
from tests.support.clock import Clock

CRISIS = "en jaksa enää elää, haluun kuolla"
OPAQUE = re.compile(r"^[0-9a-f]{32}$")
# Fields that carry the id of a response, flag or alert in what staff read.
ID_FIELDS = {"id", "response_id", "flag", "alert"}


@pytest.fixture
async def smtp(tmp_path: Path) -> AsyncIterator[SmtpServer]:
    server = await start_smtp(tmp_path)
    yield server
    await server.close()


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret=WEBHOOK_SECRET)
    await receiver.start()
    yield receiver
    await receiver.close()


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _leaves(inner, name)
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner, key)
    else:
        yield key, value


async def _everything(
    http: httpx.AsyncClient, headers: dict[str, str], setting: Setting
) -> dict[str, Any]:
    """Every staff API answer the caller can reach about the unit and the client."""

    async def get(path: str) -> Any:
        answer = await http.get(f"/api/v1{path}", headers=headers)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["cache-control"] == "no-store"
        return answer.text if path.endswith(".csv") else answer.json()

    seen: dict[str, Any] = {
        "flags": await get("/flags?status=open&status=acknowledged&status=resolved"),
        "responses": await get("/responses"),
        "csv": await get("/responses.csv"),
        "clients": await get("/clients"),
        "client": await get(f"/clients/{setting.client_id}"),
        "goals": await get(f"/clients/{setting.client_id}/goals"),
        "timeline": await get(f"/clients/{setting.client_id}/timeline"),
        "comments": await get(f"/units/{setting.unit_id}/comments"),
    }
    for flag in seen["flags"]:
        seen[f"flag {flag['id']}"] = await get(f"/flags/{flag['id']}")
    for response in seen["responses"]["items"]:
        seen[f"response {response['id']}"] = await get(f"/responses/{response['id']}")
    return seen


async def test_an_enrolled_clients_anonymous_crisis_cannot_be_tied_to_their_check_in(
    service: ConversationService,
    database: Database,
    clock: Clock,
    smtp: SmtpServer,
    webhook: WebhookReceiver,
) -> None:
    setting = add_unit_with_staff(database, now=clock())
    chat = Chat(service, "7001")
    enrol_chat(service, chat, client_id=setting.client_id)
    # 1. The client's own check-in, in their name, at 14:35 (it raises a concern flag).
    await chat.begin("youth_checkin", language="fi", unit_code="koti")
    await chat.say("1", "1", "1", "1", "no", "ohita")
    # 2. A minute later, anonymous feedback from the same chat, with a crisis in it.
    clock.advance(minutes=1, seconds=7)
    anonymous_at = clock()
    await chat.send(Kind.COMMAND, "feedback")
    await chat.say(CRISIS)
    assert "116 111" in "\n".join(message.text for message in chat.received)
    stored = rows(database, tables.Flag)
    [anonymous] = [flag for flag in stored if flag.client_id is None]
    assert anonymous.level == "crisis"
    assert any(flag.client_id == setting.client_id for flag in stored)
    # 3. Alerts go out, and the crisis escalates.
    sender = make_sender(service, {EMAIL: email_channel(smtp), WEBHOOK: webhook_channel(webhook)})
    await sender.tick()
    clock.advance(minutes=20)
    await sender.tick()
    assert any("nimetön" in mail.body for mail in smtp.handler.messages)
    # 4. Everything the caseworker and the coordinator can read.
    with database.transaction() as session:
        tokens = {
            name: staff.issue_token(
                session, staff_id=member, now=clock(), lifetime=dt.timedelta(days=1)
            )[0]
            for name, member in (
                ("caseworker", setting.caseworker_id),
                ("coordinator", setting.coordinator_id),
            )
        }
    app = create_staff_app(
        context=ApiContext(database=database, keyring=service.keyring, clock=clock)
    )
    seen: dict[str, Any] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://staff"
    ) as http:
        for name, token in tokens.items():
            views = await _everything(http, {"Authorization": f"Bearer {token}"}, setting)
            seen.update({f"{name}: {key}": value for key, value in views.items()})
    alerts = [mail.subject + "\n" + mail.body for mail in smtp.handler.messages]
    webhooks = [json.loads(body) for body in webhook.bodies]
    assert alerts
    assert webhooks
    everything = json.dumps([seen, alerts, webhooks], ensure_ascii=False)

    # a) No shared sequence: every id of a response, flag or alert is opaque.
    flags_and_responses = [
        value
        for key, value in seen.items()
        if any(word in key for word in ("flag", "response", "timeline"))
    ]
    objects = [
        item
        for view in flags_and_responses
        for item in (view["items"] if isinstance(view, dict) and "items" in view else [view])
    ]
    objects = [o for view in objects for o in (view if isinstance(view, list) else [view])]
    checked = 0
    for item in [*objects, *webhooks]:
        for key, value in _leaves({k: v for k, v in item.items() if k != "events"}):
            if key in ID_FIELDS and value is not None:
                assert isinstance(value, str), (key, value)
                assert OPAQUE.match(value), (key, value)
                checked += 1
    assert checked > 10
    assert not re.search(r"(flags?|responses?|alert)/[0-9]+\b", everything)
    csv_ids = {line.split(",")[0] for line in seen["coordinator: csv"].splitlines()[1:]}
    assert all(OPAQUE.match(value) for value in csv_ids)

    # b) No time finer than the date for the anonymous flag, anywhere.
    flag_views = [
        value
        for key, value in seen.items()
        if key.endswith(f"flag {anonymous.public_id}") or key.endswith(": flags")
    ]
    anonymous_views = [
        item
        for view in flag_views
        for item in (view if isinstance(view, list) else [view])
        if item["id"] == anonymous.public_id
    ]
    assert len(anonymous_views) == 4  # in both inboxes and both detail reads
    for item in anonymous_views:
        assert item["anonymous"] is True
        assert item["created_at"] is None
        assert item["created_on"] == anonymous_at.date().isoformat()
        assert item["response_id"] is None
        assert item["client_id"] is None
    for stamp in (anonymous_at.strftime("%H:%M"), anonymous_at.strftime("%H.%M")):
        assert stamp not in everything
    anonymous_hooks = [hook for hook in webhooks if hook["flag"] == anonymous.public_id]
    assert anonymous_hooks
    assert {hook["raised_at"] for hook in anonymous_hooks} == {anonymous_at.date().isoformat()}

    # c) The anonymous response is nowhere beside the client: not listed, not exported, not in
    # the timeline, and its own id is shown nowhere.
    anonymous_response = [r for r in rows(database, tables.Response) if r.client_id is None]
    [hidden] = anonymous_response
    assert hidden.public_id not in everything
    [mine] = [r for r in rows(database, tables.Response) if r.client_id is not None]
    for who in ("caseworker", "coordinator"):
        assert [item["id"] for item in seen[f"{who}: responses"]["items"]] == [mine.public_id]
        assert {p["response_id"] for p in seen[f"{who}: timeline"]["index"]} == {mine.public_id}
        assert seen[f"{who}: comments"] == {"respondents": 0, "suppressed": True, "comments": []}
    assert csv_ids == {mine.public_id}

    # d) The anonymous flag shares no value with the client's flag but what every flag of the
    # unit and day has.
    client_flag = next(
        item for item in seen["caseworker: flags"] if item["client_id"] == setting.client_id
    )
    anonymous_flag = next(
        item for item in seen["caseworker: flags"] if item["id"] == anonymous.public_id
    )
    shared = {
        (key, value)
        for key, value in _leaves(anonymous_flag)
        if value is not None and value == client_flag.get(key)
    }
    assert shared <= {
        ("unit_id", setting.unit_id),
        ("status", "open"),
        ("rule", "risk_screen"),
        ("erased", False),
        ("created_on", anonymous_at.date().isoformat()),
    }


async def test_an_anonymous_flag_sits_in_the_inbox_by_its_date_not_its_time(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Any, clock: Clock
) -> None:
    """Two identified concern flags at 09:00 and 15:00, an anonymous one between them (or
    after both): the inbox puts it at the same place either way."""
    day = clock().replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    places: list[int] = []
    for hour in (12, 18):
        with database.transaction() as session:
            response_id, _ = _add_response(
                session, keyring, unit_id=world.unit_a, client_id=None, when=day, note="x"
            )
            anonymous = _flag(
                session,
                response_id=response_id,
                unit_id=world.unit_a,
                client_id=None,
                level="concern",
                when=day + dt.timedelta(hours=hour),
            )
            for identified_hour in (9, 15):
                mine, _ = _add_response(
                    session,
                    keyring,
                    unit_id=world.unit_a,
                    client_id=world.client_a,
                    when=day + dt.timedelta(hours=identified_hour),
                    note=None,
                )
                _flag(
                    session,
                    response_id=mine,
                    unit_id=world.unit_a,
                    client_id=world.client_a,
                    level="concern",
                    when=day + dt.timedelta(hours=identified_hour),
                )
        inbox = (await http.get("/api/v1/flags", headers=bearer(world, "cw_a"))).json()
        of_the_day = [item for item in inbox if item["created_on"] == day.date().isoformat()]
        ids = [item["id"] for item in of_the_day]
        places.append(ids.index(anonymous))
        # The identified flags keep their times, oldest first.
        times = [item["created_at"] for item in of_the_day if item["created_at"] is not None]
        assert times == sorted(times)
    # Anonymous flags come first within their day (by their opaque ids), wherever they were
    # raised: the first day had one anonymous flag, the second run added a second one.
    assert places[0] == 0
    assert places[1] in (0, 1)
