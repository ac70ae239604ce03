"""Scheduled check-ins in the staff API: coordinators plan them for their own units only;
bad input is a 4xx problem; the preview follows the wall clock; runs count their answers;
a worker sees whose check-in is open. Every answer that may name clients is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_staff_app
from api.context import ApiContext
from bot.i18n import Translations
from bot.messages import TELEGRAM
from bot.scheduler import CheckinScheduler, SchedulerSettings
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import contacts
from tests.api.conftest import World, bearer
from tests.support.clock import Clock

URL = "/api/v1/schedules"


@pytest.fixture
def changes() -> list[int]:
    return []


@pytest.fixture
def staff_app(database: Database, keyring: Keyring, clock: Clock, changes: list[int]) -> FastAPI:
    context = ApiContext(
        database=database,
        keyring=keyring,
        clock=clock,
        on_schedule_change=lambda: changes.append(1),
    )
    return create_staff_app(context=context)


def weekly(world: World, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "unit_id": world.unit_a,
        "name": "Sunday check-in",
        "dialog_id": "youth_checkin",
        "audience": "youth",
        "recurrence": {"kind": "weekly", "weekday": 6, "at": "15:00"},
        "remind_after_hours": 24,
        "expire_after_days": 3,
    }
    body.update(extra)
    return body


async def test_a_coordinator_plans_a_check_in_and_previews_it_across_daylight_saving(
    http: httpx.AsyncClient, world: World, changes: list[int]
) -> None:
    made = await http.post(URL, json=weekly(world), headers=bearer(world, "co_a"))
    assert made.status_code == 201, made.text
    schedule = made.json()
    assert schedule["timezone"] == "Europe/Helsinki"
    assert (schedule["quiet_start"], schedule["quiet_end"]) == ("21:00", "08:00")
    assert schedule["next_send_at"] == "2026-03-08T13:00:00Z"
    assert changes == [1]  # the scheduler was told
    preview = await http.get(f"{URL}/{schedule['id']}/preview", headers=bearer(world, "co_a"))
    assert preview.status_code == 200
    times = preview.json()["times"]
    assert [t["local"][11:16] for t in times] == ["15:00"] * 5
    assert [t["send_at"][:13] for t in times] == [
        "2026-03-08T13",
        "2026-03-15T13",
        "2026-03-22T13",
        "2026-03-29T12",  # summer time began that morning
        "2026-04-05T12",
    ]
    listed = await http.get(URL, headers=bearer(world, "co_a"))
    assert [s["id"] for s in listed.json()] == [schedule["id"]]
    assert (await http.get(URL, headers=bearer(world, "co_b"))).json() == []


async def test_quiet_hours_move_the_preview_to_the_morning(
    http: httpx.AsyncClient, world: World
) -> None:
    body = weekly(world, recurrence={"kind": "cron", "cron": "30 22 * * 1"})
    made = await http.post(URL, json=body, headers=bearer(world, "co_a"))
    assert made.status_code == 201, made.text
    times = (
        await http.get(f"{URL}/{made.json()['id']}/preview", headers=bearer(world, "co_a"))
    ).json()["times"]
    assert times[0]["slot"] == "2026-03-02T20:30:00Z"  # Monday 22:30 in Helsinki
    assert times[0]["local"] == "2026-03-03T08:00:00+02:00"


async def test_another_units_coordinator_and_a_caseworker_are_refused(
    http: httpx.AsyncClient, world: World
) -> None:
    made = await http.post(URL, json=weekly(world), headers=bearer(world, "co_a"))
    schedule_id = made.json()["id"]
    for actor, status in (("co_b", 404), ("cw_b", 404), ("cw_a", 403), ("none", 401)):
        for method, path in (
            ("GET", f"{URL}/{schedule_id}"),
            ("GET", f"{URL}/{schedule_id}/preview"),
            ("GET", f"{URL}/{schedule_id}/runs"),
            ("GET", f"{URL}/{schedule_id}/responses"),
            ("PATCH", f"{URL}/{schedule_id}"),
        ):
            response = await http.request(
                method, path, json={"paused": True}, headers=bearer(world, actor)
            )
            assert response.status_code == status, (actor, method, path)
            assert response.headers["content-type"] == "application/problem+json"
    assert (
        await http.post(URL, json=weekly(world), headers=bearer(world, "co_b"))
    ).status_code == 404
    assert (
        await http.post(URL, json=weekly(world), headers=bearer(world, "cw_a"))
    ).status_code == 403
    assert (await http.get(URL, headers=bearer(world, "cw_a"))).status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"recurrence": {"kind": "cron", "cron": "61 * * * *"}}, 422, "recurrence.cron"),
        ({"recurrence": {"kind": "cron", "cron": "* * *"}}, 422, "recurrence.cron"),
        ({"recurrence": {"kind": "cron", "cron": "30-10 * * * *"}}, 409, "invalid cron"),
        ({"recurrence": {"kind": "cron"}}, 409, "five fields"),
        ({"dialog_id": "no_such_dialog"}, 409, "unknown dialog"),
        ({"audience": "clients", "client_ids": []}, 409, "client_ids"),
        ({"client_ids": [1]}, 409, "client_ids"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"}, 409, "end date"),
        ({"recurrence": {"kind": "once", "once_at": "2020-01-01T10:00:00Z"}}, 409, "one-off"),
        ({"recurrence": {"kind": "once"}}, 409, "one-off"),
        ({"recurrence": {"kind": "weekly", "at": "25:00"}}, 422, "pattern"),
        ({"recurrence": {"kind": "weekly", "weekday": 7}}, 422, "less than or equal"),
        ({"expire_after_days": 0}, 422, "greater than"),
    ],
)
async def test_bad_input_is_a_problem_that_says_what_is_wrong(
    http: httpx.AsyncClient, world: World, change: dict[str, Any], status: int, words: str
) -> None:
    response = await http.post(URL, json=weekly(world, **change), headers=bearer(world, "co_a"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.text


async def test_another_units_client_cannot_be_prompted(
    http: httpx.AsyncClient, world: World
) -> None:
    body = weekly(
        world,
        audience="clients",
        client_ids=[world.client_a, world.client_b],
        recurrence={"kind": "once", "once_at": "2026-03-03T09:00:00Z"},
    )
    response = await http.post(URL, json=body, headers=bearer(world, "co_a"))
    assert response.status_code == 409
    assert f"not clients of unit {world.unit_a}: [{world.client_b}]" in response.text
    body["client_ids"] = [world.client_a]
    made = await http.post(URL, json=body, headers=bearer(world, "co_a"))
    assert made.status_code == 201, made.text
    assert made.json()["client_ids"] == [world.client_a]


async def test_pause_and_resume(http: httpx.AsyncClient, world: World, changes: list[int]) -> None:
    made = (await http.post(URL, json=weekly(world), headers=bearer(world, "co_a"))).json()
    url = f"{URL}/{made['id']}"
    paused = await http.patch(url, json={"paused": True}, headers=bearer(world, "co_a"))
    assert paused.json()["paused"] is True
    assert paused.json()["next_send_at"] is None
    resumed = await http.patch(url, json={"paused": False}, headers=bearer(world, "co_a"))
    assert resumed.json()["next_send_at"] == "2026-03-08T13:00:00Z"
    half = await http.patch(url, json={"quiet_start": None}, headers=bearer(world, "co_a"))
    assert half.status_code == 409
    assert changes == [1, 1, 1]


async def test_runs_count_their_answers_and_a_worker_sees_whose_check_in_is_open(
    http: httpx.AsyncClient,
    world: World,
    database: Database,
    keyring: Keyring,
    clock: Clock,
    translations: Translations,
) -> None:
    address = "8001"
    with database.transaction() as session:
        contacts.link_contact(
            session,
            chat=ChatKey(TELEGRAM, keyring.address_hmac(TELEGRAM, address)),
            client_id=world.client_a,
            language="en",
            now=clock(),
            address_sealed=keyring.seal(address, purpose=Purpose.CHAT_ADDRESS),
        )
    body = weekly(
        world,
        audience="clients",
        client_ids=[world.client_a],
        recurrence={"kind": "once", "once_at": "2026-03-03T09:00:00Z"},
    )
    made = (await http.post(URL, json=body, headers=bearer(world, "co_a"))).json()
    scheduler = CheckinScheduler(
        database=database, translations=translations, settings=SchedulerSettings(), clock=clock
    )
    clock.now = dt.datetime(2026, 3, 3, 9, 0, 1, tzinfo=dt.UTC)
    assert await scheduler.sync() == 1
    runs = (await http.get(f"{URL}/{made['id']}/runs", headers=bearer(world, "co_a"))).json()
    assert [(r["status"], r["contacts"], r["deliveries"]["counts"]["queued"]) for r in runs] == [
        ("sent", 1, 1)
    ]
    rates = (await http.get(f"{URL}/{made['id']}/responses", headers=bearer(world, "co_a"))).json()
    assert rates["total"] == 1
    assert rates["completed"] == 0.0
    due = (await http.get(f"{URL}/due", headers=bearer(world, "cw_a"))).json()
    assert [(d["client_id"], d["status"], d["schedule_name"]) for d in due] == [
        (world.client_a, "queued", "Sunday check-in")
    ]
    assert (await http.get(f"{URL}/due", headers=bearer(world, "cw_a2"))).json() == []
    assert (await http.get(f"{URL}/due", headers=bearer(world, "co_b"))).json() == []
    assert len((await http.get(f"{URL}/due", headers=bearer(world, "co_a"))).json()) == 1
    clock.advance(days=3, seconds=1)
    await scheduler.upkeep()
    assert (await http.get(f"{URL}/due", headers=bearer(world, "cw_a"))).json() == []


async def test_a_schedule_made_without_quiet_hours_keeps_none(
    http: httpx.AsyncClient, world: World
) -> None:
    late = weekly(
        world,
        recurrence={"kind": "weekly", "weekday": 6, "at": "22:30"},
        quiet_start=None,
        quiet_end=None,
    )
    made = await http.post(URL, json=late, headers=bearer(world, "co_a"))
    assert made.status_code == 201, made.text
    schedule = made.json()
    assert (schedule["quiet_start"], schedule["quiet_end"]) == (None, None)
    preview = await http.get(f"{URL}/{schedule['id']}/preview", headers=bearer(world, "co_a"))
    assert [t["local"][11:16] for t in preview.json()["times"]] == ["22:30"] * 5
