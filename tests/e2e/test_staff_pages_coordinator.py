"""The coordinator's pages in a real browser: a coordinator signs in, creates a check-in
schedule and sees its next five send times, pauses and resumes it, opens the unit's report
and downloads its CSV (read back as Finnish Excel's CSV: semicolons, decimal commas), and
compares units; a caseworker sees their client's chart. axe-core (WCAG 2.1 AA) finds no
serious or critical violation on each page, in Finnish and in English. Screenshots go to
tmp/artifacts/staff/ (not committed)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from api.app import create_staff_app
from api.context import ApiContext, PageSettings
from bot.i18n import Translations
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from tests.api.conftest import _add_response, build_world
from tests.conftest import TEST_SECRET
from tests.e2e.test_staff_pages import DESKTOP, Staff, check_axe, shot, sign_in
from tests.support.clock import Clock
from tests.support.web import serve

ANSWERS = (2.0, 3.0, 4.0, 4.0, 5.0, 3.0, 4.0)  # seven anonymous answers a unit: shown


@pytest.fixture
def coordinator_site(database: Database, translations: Translations) -> Iterator[Staff]:
    keyring = Keyring(TEST_SECRET)
    clock = Clock()
    world = build_world(database, keyring, clock)
    with database.transaction() as session:
        for unit_id in (world.unit_a, world.unit_b):
            for position, joy in enumerate(ANSWERS):
                _add_response(
                    session,
                    keyring,
                    unit_id=unit_id,
                    client_id=None,
                    when=clock() - dt.timedelta(hours=1 + position),
                    note=None,
                    joy=joy,
                )
    context = ApiContext(
        database=database,
        keyring=keyring,
        clock=clock,
        public_url="https://kerro.example",
        pages=PageSettings(translations=translations),
    )
    with serve(create_staff_app(context=context)) as url:
        yield Staff(url, world, database, crisis="")


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    # axe is injected by evaluate; the pages' CSP allows only their own scripts.
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _image_shown(page: Page, selector: str) -> bool:
    return bool(page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0"))


def _in_each_language(page: Page, url: str, name: str) -> None:
    for code in ("fi", "en"):
        joiner = "&" if "?" in url else "?"
        page.goto(f"{url}{joiner}lang={code}")
        expect(page.locator("html")).to_have_attribute("lang", code)
        check_axe(page, f"{name}-{code}")


def test_a_coordinator_plans_a_check_in_and_downloads_the_units_report(
    desktop: Page, coordinator_site: Staff
) -> None:
    page = desktop
    site = coordinator_site
    world = site.world
    sign_in(page, site, "co_a")
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Schedules and reports"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedules and reports")
    expect(page.locator(f'a[href="/units/{world.unit_b}/schedules"]')).to_have_count(0)
    shot(page, "20-coordinator-desk")
    check_axe(page, "desk")

    page.get_by_role("link", name=re.compile(r"^Check-in schedules\W+Unit A$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in schedules: Unit A")
    page.get_by_label("Name").fill("Fortnightly check-in")
    page.get_by_label("Who gets it").select_option(label="Young people")
    page.get_by_label("Every how many weeks").fill("2")
    page.get_by_label("Weekday").select_option(label="Wednesday")
    page.get_by_label("Time (hh:mm)").fill("15:30")
    expect(page.get_by_label("Quiet from (hh:mm)")).to_have_value("21:00")
    expect(page.get_by_label("Quiet until (hh:mm)")).to_have_value("08:00")
    page.get_by_role("button", name="Create the schedule").click()

    expect(page.get_by_role("status")).to_have_text("The schedule was created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fortnightly check-in")
    times = page.locator("ol.send-times time")
    expect(times).to_have_count(5)
    for text in times.all_inner_texts():
        assert re.fullmatch(r"Wednesday \d{1,2}\.\d{1,2}\.2026 15:30", text), text
    first, second = (
        dt.datetime.fromisoformat(times.nth(index).get_attribute("datetime") or "")
        for index in (0, 1)
    )
    assert second - first == dt.timedelta(weeks=2)
    shot(page, "21-schedule-next-times")
    check_axe(page, "schedule")

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("status")).to_have_text("The schedule is paused.")
    expect(page.locator("ol.send-times")).to_have_count(0)
    with site.database.transaction() as session:
        assert session.exec(select(tables.Schedule)).one().paused is True
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_role("status")).to_have_text("The schedule is running again.")
    expect(page.locator("ol.send-times time")).to_have_count(5)

    page.get_by_role("link", name="Back to the unit's schedules").click()
    expect(page.get_by_role("cell", name="Every 2 weeks on Wednesday at 15:30")).to_be_visible()
    shot(page, "22-unit-schedules")
    check_axe(page, "schedules")
    schedules_url = page.url.split("?")[0]
    schedule_url = f"{site.url}{page.locator('tbody th a').first.get_attribute('href')}"

    page.get_by_role("link", name="Report", exact=True).click()
    page.get_by_label("Period", exact=True).select_option(label="Month")
    page.get_by_label("A day in the period").fill("2026-03-02")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("2026-03: 1.3.2026 – 31.3.2026")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Joy 3.6"))).to_be_visible()
    belonging = page.get_by_role("row", name=re.compile("^Belonging"))
    expect(belonging).to_contain_text("No answers in this period.")  # said plainly
    assert _image_shown(page, ".chart img")
    shot(page, "23-unit-report")
    check_axe(page, "report")
    report_url = page.url

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV file (Excel, Finnish)").click()
    download = info.value
    assert download.suggested_filename == f"report-{world.unit_a}-2026-03.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    joy = [row for row in rows if row["figure"] == "mean" and row["measure"] == "joy"]
    assert [row["value"] for row in joy] == ["3,571"]  # 25 / 7, decimal comma
    assert joy[0]["unit"] == "Unit A"
    assert joy[0]["respondents"] == "7"
    assert all("." not in row["value"] for row in rows if row["value"])

    page.get_by_role("link", name="Units side by side").click()
    expect(page.get_by_role("columnheader", name="Whole organisation")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Unit B")).to_have_count(0)
    assert _image_shown(page, ".chart img")
    shot(page, "24-comparison")
    check_axe(page, "comparison")
    comparison_url = page.url

    for url, name in (
        (f"{site.url}/desk", "desk"),
        (schedules_url, "schedules"),
        (schedule_url, "schedule"),
        (report_url, "report"),
        (comparison_url, "comparison"),
    ):
        _in_each_language(page, url, name)
    shot(page, "25-comparison-en")
    page.goto(f"{site.url}/units/{world.unit_a}/report?lang=fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Raportti: Unit A")
    shot(page, "26-report-fi")


def test_a_caseworker_sees_the_clients_chart(desktop: Page, coordinator_site: Staff) -> None:
    page = desktop
    site = coordinator_site
    sign_in(page, site, "cw_a")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Schedules and reports")).to_have_count(0)
    page.goto(f"{site.url}/clients/{site.world.client_a}")
    expect(page.locator(".chart img")).to_have_count(2)
    assert _image_shown(page, ".chart img")
    shot(page, "27-client-chart")
    _in_each_language(page, f"{site.url}/clients/{site.world.client_a}", "client")
    page.goto(f"{site.url}/desk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
