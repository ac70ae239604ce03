"""The coordinator's pages over HTTP: a unit's schedules (create, the next send times, pause,
resume), its report and exports, the units side by side; another unit's coordinator is
refused (404) by URL and by form field, a caseworker gets the 403 page, a form without its
session's CSRF token changes nothing; the client's chart is the caseworker's, audited."""

from __future__ import annotations

import csv
import io
import re

import httpx
from sqlmodel import select

from storage import tables
from storage.db import Database
from tests.api.conftest import World
from tests.api.pages.conftest import Browser, sign_in

SCHEDULE_URL = re.compile(r"^/schedules/(\d+)\?done=created$")


def _schedules(database: Database) -> list[tables.Schedule]:
    with database.transaction() as session:
        found = list(session.exec(select(tables.Schedule)).all())
        for row in found:
            session.expunge(row)
        return found


def _actions(database: Database, staff_id: int) -> list[str]:
    with database.transaction() as session:
        rows = session.exec(
            select(tables.AuditEntry)
            .where(tables.AuditEntry.staff_id == staff_id)
            .order_by(tables.AuditEntry.id)  # type: ignore[arg-type]
        ).all()
        return [row.action for row in rows]


def _form(csrf: str, unit_id: int, **changes: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "unit_id": str(unit_id),
        "name": "Fortnightly check-in",
        "dialog_id": "youth_checkin",
        "audience": "youth",
        "every_weeks": "2",
        "weekday": "2",
        "at": "15:30",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        **changes,
    }


async def _create(client: httpx.AsyncClient, csrf: str, unit_id: int) -> int:
    answer = await client.post("/schedules", data=_form(csrf, unit_id))
    assert answer.status_code == 303, answer.text
    found = SCHEDULE_URL.match(answer.headers["location"])
    assert found is not None, answer.headers["location"]
    return int(found.group(1))


async def test_a_coordinator_creates_a_schedule_sees_its_times_pauses_and_resumes_it(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "co_a")
    desk = await client.get("/desk")
    assert desk.status_code == 200
    assert f'href="/units/{world.unit_a}/schedules"' in desk.text
    assert f'href="/units/{world.unit_b}/schedules"' not in desk.text
    empty = await client.get(f"/units/{world.unit_a}/schedules")
    assert "no check-in schedules yet" in empty.text
    assert 'name="quiet_start" type="time" value="21:00"' in empty.text

    schedule_id = await _create(client, csrf, world.unit_a)
    (made,) = _schedules(database)
    assert (made.unit_id, made.every_weeks, made.weekday, made.at_time) == (
        world.unit_a,
        2,
        2,
        "15:30",
    )
    assert (made.quiet_start, made.quiet_end, made.paused) == ("21:00", "08:00", False)

    page = await client.get(f"/schedules/{schedule_id}?done=created")
    assert page.status_code == 200
    assert "The schedule was created." in page.text
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page.text)
    assert len(times) == 5
    assert all(iso.endswith("15:30:00+02:00") or iso.endswith("15:30:00+03:00") for iso, _ in times)
    assert all(text.startswith("Wednesday") for _, text in times)
    assert "Every 2 weeks on Wednesday at 15:30" in page.text

    listing = await client.get(f"/units/{world.unit_a}/schedules")
    assert "Fortnightly check-in" in listing.text
    assert "Nothing sent yet" in listing.text

    paused = await client.post(
        "/schedules/state", data={"csrf": csrf, "schedule_id": str(schedule_id), "paused": "yes"}
    )
    assert paused.status_code == 303
    assert paused.headers["location"] == f"/units/{world.unit_a}/schedules?done=paused"
    assert _schedules(database)[0].paused is True
    page = await client.get(f"/schedules/{schedule_id}")
    assert "<time" not in page.text  # paused: nothing to send
    resumed = await client.post(
        "/schedules/state",
        data={"csrf": csrf, "schedule_id": str(schedule_id), "paused": "no", "back": "schedule"},
    )
    assert resumed.headers["location"] == f"/schedules/{schedule_id}?done=resumed"
    assert _schedules(database)[0].paused is False
    actions = _actions(database, world.staff_ids["co_a"])
    assert actions.count("schedule.create") == 1
    assert actions.count("schedule.change") == 2
    assert "schedule.list" in actions
    assert "schedule.read" in actions


async def test_bad_schedule_forms_are_refused_and_save_nothing(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "co_a")
    for changes in (
        {"at": "25:00"},
        {"every_weeks": "0"},
        {"weekday": "7"},
        {"audience": "clients"},
        {"name": ""},
        {"quiet_start": ""},
        {"dialog_id": "Not a dialog"},
    ):
        answer = await client.post("/schedules", data=_form(csrf, world.unit_a, **changes))
        assert answer.status_code == 400, changes
        assert "Nothing was changed" in answer.text
    unknown = await client.post("/schedules", data=_form(csrf, world.unit_a, dialog_id="nope"))
    assert unknown.status_code == 409
    assert "Nothing was saved" in unknown.text
    assert _schedules(database) == []


async def test_another_units_coordinator_is_refused_by_url_and_by_form_field(
    browser: Browser, world: World, database: Database
) -> None:
    own = browser()
    csrf_a = await sign_in(own, world, "co_a")
    schedule_id = await _create(own, csrf_a, world.unit_a)

    other = browser()
    csrf_b = await sign_in(other, world, "co_b")
    before = _actions(database, world.staff_ids["co_b"])
    for path in (
        f"/units/{world.unit_a}/schedules",
        f"/schedules/{schedule_id}",
        f"/units/{world.unit_a}/report",
        f"/units/{world.unit_a}/report?period=year",
        f"/units/{world.unit_a}/report.csv",
        f"/units/{world.unit_a}/report.xlsx",
        f"/units/{world.unit_a}/report/chart.svg",
        f"/clients/{world.client_a}/chart.svg",
        "/units/999999/schedules",
        "/units/x/report",
        "/schedules/0",
    ):
        answer = await other.get(path)
        assert answer.status_code == 404, path
        assert "not yours to see" in answer.text
        assert "Fortnightly" not in answer.text
    # By form field: a schedule for unit A, and A's schedule paused, from B's own pages.
    made = await other.post("/schedules", data=_form(csrf_b, world.unit_a, name="Sneaky"))
    assert made.status_code == 404
    paused = await other.post(
        "/schedules/state", data={"csrf": csrf_b, "schedule_id": str(schedule_id), "paused": "yes"}
    )
    assert paused.status_code == 404
    rows = _schedules(database)
    assert [(row.name, row.paused) for row in rows] == [("Fortnightly check-in", False)]
    assert _actions(database, world.staff_ids["co_b"]) == before  # nothing disclosed
    # Their own unit still works.
    page = await other.get(f"/units/{world.unit_b}/schedules")
    assert page.status_code == 200
    assert "Fortnightly" not in page.text


async def test_a_form_replayed_without_its_csrf_token_changes_nothing(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "co_a")
    schedule_id = await _create(client, csrf, world.unit_a)
    other = browser()
    other_csrf = await sign_in(other, world, "co_a")  # the same member, another session
    assert other_csrf != csrf
    for token in (None, "", other_csrf, "0" * 64):
        data = _form(token or "", world.unit_a, name="Replayed")
        state = {"schedule_id": str(schedule_id), "paused": "yes"}
        if token is None:
            del data["csrf"]
        else:
            state["csrf"] = token
        assert (await client.post("/schedules", data=data)).status_code == 403
        answer = await client.post("/schedules/state", data=state)
        assert answer.status_code == 403
        assert "Nothing was changed" in answer.text
    assert [(row.name, row.paused) for row in _schedules(database)] == [
        ("Fortnightly check-in", False)
    ]


async def test_a_caseworker_cannot_open_the_coordinators_pages(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    inbox = await client.get("/flags")
    assert 'href="/desk"' not in inbox.text  # not in their menu
    before = _actions(database, world.staff_ids["cw_a"])
    for path in (
        "/desk",
        f"/units/{world.unit_a}/schedules",
        f"/units/{world.unit_a}/report",
        f"/units/{world.unit_a}/report.csv",
        f"/units/{world.unit_a}/report/chart.svg",
        "/reports/units",
        "/reports/units.csv",
        "/reports/units/chart.svg",
    ):
        answer = await client.get(path)
        assert answer.status_code == 403, path
        assert "Your role does not allow this" in answer.text
    made = await client.post("/schedules", data=_form(csrf, world.unit_a))
    assert made.status_code == 403
    assert _schedules(database) == []
    assert _actions(database, world.staff_ids["cw_a"]) == before


async def test_the_report_comparison_and_exports(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    await sign_in(client, world, "co_a")
    page = await client.get(f"/units/{world.unit_a}/report?period=quarter&date=2026-02-10")
    assert page.status_code == 200
    assert "2026-Q1" in page.text
    assert '<option value="quarter" selected>' in page.text
    # A handful of answers only: the figures are withheld, and the page says why.
    assert "Not shown: fewer than 5 people answered." in page.text
    assert f'src="/units/{world.unit_a}/report/chart.svg?period=quarter&amp;date=2026-02-10' in (
        page.text
    )
    assert f'href="/units/{world.unit_a}/report.csv?period=quarter&amp;date=2026-02-10"' in (
        page.text
    )
    chart = await client.get(
        f"/units/{world.unit_a}/report/chart.svg?period=quarter&date=2026-02-10&lang=en"
    )
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in chart.text
    assert "<script" not in chart.text
    exported = await client.get(f"/units/{world.unit_a}/report.csv?period=quarter&date=2026-02-10")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["figure", "unit_id", "unit", "measure"]
    assert {row[1] for row in rows[1:]} == {str(world.unit_a)}
    assert {row[4] for row in rows[1:]} == {"2026-Q1"}
    workbook = await client.get(f"/units/{world.unit_a}/report.xlsx?period=quarter")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK"

    compared = await client.get("/reports/units?period=quarter&date=2026-02-10")
    assert compared.status_code == 200
    assert "Whole organisation" in compared.text
    assert "Not shown" in compared.text
    assert (await client.get("/reports/units.csv")).status_code == 200
    svg = await client.get("/reports/units/chart.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    for bad in ("?period=decade", "?date=2026-13-01", "?date=1900-01-01"):
        answer = await client.get(f"/units/{world.unit_a}/report{bad}")
        assert answer.status_code == 400, bad


async def test_the_client_page_shows_the_clients_chart_to_their_caseworker(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    await sign_in(client, world, "cw_a")
    page = await client.get(f"/clients/{world.client_a}")
    assert f'src="/clients/{world.client_a}/chart.svg?lang=en"' in page.text
    chart = await client.get(f"/clients/{world.client_a}/chart.svg?lang=en")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in chart.text
    assert "client.report_chart" in _actions(database, world.staff_ids["cw_a"])
    gas = await client.get(f"/clients/{world.client_a}/chart.svg?measure=gas")
    assert gas.status_code == 200
    assert (await client.get(f"/clients/{world.client_a}/chart.svg?measure=x")).status_code == 400
    other = browser()
    await sign_in(other, world, "cw_a2")  # same unit, not the client's caseworker
    assert (await other.get(f"/clients/{world.client_a}/chart.svg")).status_code == 404
