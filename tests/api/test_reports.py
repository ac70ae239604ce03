"""Reports through the staff API, on SQLite and PostgreSQL (the same hand-computed figures).

October 2025 in unit A (the report's period; September is the previous one):
- youth check-ins, anonymous: joy 1, 2, 3, 4, 5 (mean 3, sample variance 2.5, 95% interval
  3 ± 1.96·√(2.5/5) = [1.614, 4.386]), belonging 3 in each, coping 4 in the first three only
  (withheld: fewer than 5 respondents); the index per response is the mean of its answered
  dimensions: 8/3, 9/3, 10/3, 7/2, 8/2, whose mean is 16.5/5 = 3.3;
- parents' feedback, anonymous: recommend 10, 9, 8, 6, 0 (2 promoters, 1 passive,
  2 detractors: NPS 0, variance 0.8, interval ±100·1.96·√(0.8/5) = ±78.399); information
  5, 4, 4, 3, 2 (mean 3.6);
- flags: a crisis acted on after 10 minutes, a concern after 30 (median 20 minutes).
September: joy 2, 2, 2, 2, 3 (mean 2.2, variance 0.2): change 0.8 ± 1.96·√(2.5/5 + 0.2/5)
= [-0.640, 2.240].
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import Any

import httpx
import openpyxl
import pytest

from api.exports import FinnishExcel
from dialogs.model import FlagLevel, RaiseFlag, Record
from dialogs.scoring import gas_t_score, nps
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import clients, contacts, prompt_deliveries, responses, schedules, units
from tests.api.conftest import World, bearer

OCT = "2025-10-15"


def _response(
    database: Database,
    keyring: Keyring,
    *,
    unit_id: int,
    when: dt.datetime,
    scores: dict[str, float],
    dialog_id: str = "youth_checkin",
    client_id: int | None = None,
    gas: dict[int, float] | None = None,
) -> int:
    with database.transaction() as session:
        response = tables.Response(
            unit_id=unit_id,
            client_id=client_id,
            dialog_id=dialog_id,
            dialog_version="1",
            channel="test",
            language="fi",
            anonymous=client_id is None,
            completed=True,
            started_at=when,
            updated_at=when,
        )
        response_id = responses.insert(session, response)
        records = [Record(m, m, number=v) for m, v in scores.items()]
        records += [Record("goal", "gas", number=v, goal_id=g) for g, v in (gas or {}).items()]
        responses.add_answers(
            session,
            response_id=response_id,
            dialog_version="1",
            recorded_at=when,
            records=records,
            keyring=keyring,
        )
    return response_id


def _day(day: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2025, month, day, tzinfo=dt.UTC)


def _october(database: Database, keyring: Keyring, world: World) -> None:
    for index, joy in enumerate([1, 2, 3, 4, 5]):
        scores = {"joy": float(joy), "belonging": 3.0}
        if index < 3:
            scores["coping"] = 4.0
        _response(database, keyring, unit_id=world.unit_a, when=_day(3 + index), scores=scores)
    for joy in [2, 2, 2, 2, 3]:
        _response(
            database, keyring, unit_id=world.unit_a, when=_day(10, 9), scores={"joy": float(joy)}
        )
    for recommend, information in zip([10, 9, 8, 6, 0], [5, 4, 4, 3, 2], strict=True):
        _response(
            database,
            keyring,
            unit_id=world.unit_a,
            when=_day(20),
            dialog_id="parent_service",
            scores={"recommend": float(recommend), "information": float(information)},
        )
    flagged = _response(database, keyring, unit_id=world.unit_a, when=_day(21), scores={})
    raised = dt.datetime(2025, 10, 21, 12, 0, tzinfo=dt.UTC)
    with database.transaction() as session:
        responses.add_flags(
            session,
            response_id=flagged,
            unit_id=world.unit_a,
            client_id=None,
            flags=[RaiseFlag("test", FlagLevel.CRISIS), RaiseFlag("test", FlagLevel.CONCERN)],
            now=raised,
        )
    with database.transaction() as session:
        found = sorted(responses.flags_of(session, response_id=flagged), key=lambda f: f.level)
        for flag, minutes in zip(found, [30, 10], strict=True):  # concern, crisis
            assert flag.id is not None
            session.add(
                tables.FlagEvent(
                    flag_id=flag.id,
                    staff_id=world.staff_ids["co_a"],
                    action="acknowledge",
                    at=raised + dt.timedelta(minutes=minutes),
                )
            )
            session.add(
                tables.FlagEvent(
                    flag_id=flag.id,
                    staff_id=world.staff_ids["co_a"],
                    action="resolve",
                    at=raised + dt.timedelta(minutes=minutes + 60),
                )
            )


def _figure(report: dict[str, Any], measure: str) -> dict[str, Any]:
    figures = [*report["dimensions"], report["index"], report["nps"], *report["service"]]
    return next(f for f in figures if f["measure"] == measure)


async def test_unit_report_figures(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    _october(database, keyring, world)
    answer = await http.get(
        f"/api/v1/units/{world.unit_a}/report",
        params={"period": "month", "date": OCT},
        headers=bearer(world, "co_a"),
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["period"] == {
        "kind": "month",
        "label": "2025-10",
        "first_day": "2025-10-01",
        "last_day": "2025-10-31",
    }
    assert report["previous"]["label"] == "2025-09"
    joy = _figure(report, "joy")
    margin = 1.959963984540054 * math.sqrt(2.5 / 5)
    assert joy["value"] == 3.0
    assert joy["low"] == round(3 - margin, 3) == 1.614
    assert joy["high"] == round(3 + margin, 3) == 4.386
    assert (joy["n"], joy["respondents"]) == (5, 5)
    assert joy["distribution"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    assert joy["change"] == {
        "difference": 0.8,
        "low": -0.64,
        "high": 2.24,
        "previous_mean": 2.2,
    }
    index = _figure(report, "index")
    assert (index["value"], index["n"]) == (3.3, 5)
    coping = _figure(report, "coping")
    assert coping["value"] is None
    assert coping["n"] is None
    assert coping["distribution"] is None
    assert coping["suppressed"] == "fewer than 5 respondents"
    assert {"unit_id": world.unit_a, "measure": "coping", "period": "2025-10"}.items() <= next(
        s for s in report["suppressed"] if s["measure"] == "coping"
    ).items()
    score = _figure(report, "recommend")
    expected = nps([10, 9, 8, 6, 0])
    assert expected is not None
    assert (score["value"], score["low"], score["high"]) == (0.0, -78.399, 78.399)
    assert (score["low"], score["high"]) == (round(expected.low, 3), round(expected.high, 3))
    assert (score["promoters"], score["passives"], score["detractors"]) == (2, 1, 2)
    assert score["distribution"] == {"0": 1, "6": 1, "8": 1, "9": 1, "10": 1}
    assert _figure(report, "information")["value"] == 3.6
    belonging = _figure(report, "belonging")
    assert belonging["change"] is None  # no answers in September
    assert report["flags"] == {
        "crisis": 1,
        "concern": 1,
        "acknowledged": 2,
        "median_minutes_to_acknowledge": 20.0,
    }
    assert {r["dialog_id"]: r["started"] for r in report["responses"]} == {
        "parent_service": 5,
        "youth_checkin": 6,
    }
    assert report["response_rate"] == {  # nobody was prompted by a schedule
        "prompted": 0,
        "completed": 0,
        "clients": 0,
        "rate": None,
        "suppressed": None,
    }


async def test_change_withheld_when_previous_period_is_small(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    for value in [1.0, 2.0, 3.0, 4.0, 5.0]:
        _response(database, keyring, unit_id=world.unit_a, when=_day(3), scores={"joy": value})
    _response(database, keyring, unit_id=world.unit_a, when=_day(3, 9), scores={"joy": 5.0})
    report = (
        await http.get(
            f"/api/v1/units/{world.unit_a}/report",
            params={"date": OCT},
            headers=bearer(world, "cw_a"),
        )
    ).json()
    joy = _figure(report, "joy")
    assert joy["value"] == 3.0
    assert joy["change"] is None
    assert joy["change_suppressed"] == "the previous period has fewer than 5 respondents"


async def test_period_bounds_are_finnish_time(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    # 22:30 UTC on 30 September is 01:30 on 1 October in Helsinki.
    late = dt.datetime(2025, 9, 30, 22, 30, tzinfo=dt.UTC)
    _response(
        database, keyring, unit_id=world.unit_a, client_id=world.client_a, when=late, scores={}
    )
    report = (
        await http.get(
            f"/api/v1/units/{world.unit_a}/report",
            params={"date": OCT},
            headers=bearer(world, "co_a"),
        )
    ).json()
    assert report["responses"] == [{"dialog_id": "youth_checkin", "started": 1, "completed": 1}]
    week = (
        await http.get(
            f"/api/v1/units/{world.unit_a}/report",
            params={"period": "week", "date": "2025-10-01"},
            headers=bearer(world, "co_a"),
        )
    ).json()
    assert week["period"]["label"] == "2025-W40"
    assert week["period"]["first_day"] == "2025-09-29"
    assert week["responses"][0]["started"] == 1


def _comparison_data(database: Database, keyring: Keyring, world: World) -> int:
    """Joy in October: A 5 respondents (mean 3), B 2 (mean 5), C 6 (mean 2)."""
    with database.transaction() as session:
        c = units.add_unit(session, code="c", name="=HYPERLINK(1)", now=_day(1)).id
    assert c is not None
    for value in [1.0, 2.0, 3.0, 4.0, 5.0]:
        _response(database, keyring, unit_id=world.unit_a, when=_day(4), scores={"joy": value})
    for _ in range(2):
        _response(database, keyring, unit_id=world.unit_b, when=_day(4), scores={"joy": 5.0})
    for _ in range(6):
        _response(database, keyring, unit_id=c, when=_day(4), scores={"joy": 2.0})
    return c


def _joy(column: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in column["figures"] if f["measure"] == "joy")


async def test_comparison_suppresses_the_complementary_cell(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    c = _comparison_data(database, keyring, world)
    answer = await http.get(
        "/api/v1/reports/units", params={"date": OCT}, headers=bearer(world, "admin")
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    columns = {column["unit_id"]: column for column in report["units"]}
    assert _joy(columns[world.unit_b])["suppressed"] == "fewer than 5 respondents"
    # A (5) is the next smallest: without hiding it, B = total - A - C.
    assert _joy(columns[world.unit_a])["suppressed"] == (
        "could be worked out from the total and the groups shown"
    )
    assert _joy(columns[world.unit_a])["value"] is None
    assert (_joy(columns[c])["value"], _joy(columns[c])["respondents"]) == (2.0, 6)
    total = _joy(report["total"])
    # (1+2+3+4+5 + 5+5 + 6·2) / 13 = 37 / 13
    assert (total["value"], total["n"], total["respondents"]) == (round(37 / 13, 3), 13, 13)
    withheld = {(s["unit_id"], s["reason"]) for s in report["suppressed"] if s["measure"] == "joy"}
    assert withheld == {
        (world.unit_b, "fewer than 5 respondents"),
        (world.unit_a, "could be worked out from the total and the groups shown"),
    }


async def test_comparison_for_a_coordinator_counts_unseen_units(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    _comparison_data(database, keyring, world)
    report = (
        await http.get("/api/v1/reports/units", params={"date": OCT}, headers=bearer(world, "co_a"))
    ).json()
    assert [column["unit_id"] for column in report["units"]] == [world.unit_a]
    # The others hold 8 respondents (B 2, C 6): hidden together, A can be shown.
    assert _joy(report["units"][0])["value"] == 3.0
    assert _joy(report["total"])["value"] == round(37 / 13, 3)
    caseworker = await http.get("/api/v1/reports/units", headers=bearer(world, "cw_a"))
    assert caseworker.status_code == 403
    assert caseworker.headers["content-type"] == "application/problem+json"


async def test_scoping_and_bad_periods(http: httpx.AsyncClient, world: World) -> None:
    other = await http.get(f"/api/v1/units/{world.unit_a}/report", headers=bearer(world, "co_b"))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    for params in ({"period": "fortnight"}, {"date": "1999-12-31"}, {"date": "2025-02-30"}):
        bad = await http.get(
            f"/api/v1/units/{world.unit_a}/report", params=params, headers=bearer(world, "co_a")
        )
        assert bad.status_code == 422, params
        assert bad.headers["content-type"] == "application/problem+json"
    backwards = await http.get(
        f"/api/v1/clients/{world.client_a}/report",
        params={"since": "2025-10-01", "until": "2025-09-01"},
        headers=bearer(world, "cw_a"),
    )
    assert backwards.status_code == 200
    assert backwards.json()["periods"] == []


async def test_csv_and_xlsx_give_the_same_numbers(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    _october(database, keyring, world)
    headers = bearer(world, "co_a")
    url = f"/api/v1/units/{world.unit_a}/report"
    report = (await http.get(url, params={"date": OCT}, headers=headers)).json()
    answer = await http.get(f"{url}.csv", params={"date": OCT}, headers=headers)
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), FinnishExcel))
    header = rows[0]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]

    def number(text: str) -> float:
        return float(text.replace(",", "."))

    for measure in ("joy", "index", "recommend", "information"):
        row = next(r for r in table if r["measure"] == measure and r["figure"] in ("mean", "nps"))
        figure = _figure(report, measure)
        assert number(row["value"]) == figure["value"]
        assert number(row["low"]) == figure["low"]
        assert number(row["high"]) == figure["high"]
        assert int(row["n"]) == figure["n"]
    change = next(r for r in table if r["measure"] == "joy" and r["figure"] == "change")
    assert (change["value"], change["low"]) == ("0,8", "-0,64")  # not defused into text
    coping = next(r for r in table if r["measure"] == "coping" and r["figure"] == "mean")
    assert (coping["value"], coping["suppressed"]) == ("", "fewer than 5 respondents")
    counts = {
        r["answer"]: r["value"] for r in table if r["figure"] == "count" and r["measure"] == "joy"
    }
    assert counts == {"1,0": "1", "2,0": "1", "3,0": "1", "4,0": "1", "5,0": "1"}

    book_answer = await http.get(f"{url}.xlsx", params={"date": OCT}, headers=headers)
    assert book_answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book_answer.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == header
    by_figure = [dict(zip(header, row, strict=True)) for row in cells[1:]]
    joy = next(r for r in by_figure if r["measure"] == "joy" and r["figure"] == "mean")
    assert (joy["value"], joy["low"], joy["high"], joy["n"]) == (3.0, 1.614, 4.386, 5)
    joy_change = next(r for r in by_figure if r["measure"] == "joy" and r["figure"] == "change")
    assert joy_change["low"] == -0.64


async def test_exports_defuse_formulas_but_not_numbers(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    _comparison_data(database, keyring, world)
    headers = bearer(world, "admin")
    text = (
        await http.get("/api/v1/reports/units.csv", params={"date": OCT}, headers=headers)
    ).content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), FinnishExcel))
    assert any(row[2] == "'=HYPERLINK(1)" for row in rows)
    book = openpyxl.load_workbook(
        io.BytesIO(
            (
                await http.get("/api/v1/reports/units.xlsx", params={"date": OCT}, headers=headers)
            ).content
        )
    ).active
    assert book is not None
    named = [row[2] for row in book.iter_rows() if row[2].value == "=HYPERLINK(1)"]
    assert named
    assert all(cell.data_type == "s" for cell in named)


async def test_responses_csv_keeps_negative_numbers(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    _response(
        database,
        keyring,
        unit_id=world.unit_a,
        client_id=world.client_a,
        when=_day(3),
        scores={},
        gas={world.goal_a: -2.0},
    )
    text = (await http.get("/api/v1/responses.csv", headers=bearer(world, "cw_a"))).text
    rows = list(csv.DictReader(io.StringIO(text)))
    gas = [row for row in rows if row["measure"] == "gas"]
    assert [row["number"] for row in gas] == ["-2.0"]


async def test_client_report_gas_and_scoping(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    with database.transaction() as session:
        second = clients.add_goal(session, client_id=world.client_a, title="Sleep", weight=2.0).id
    assert second is not None
    _response(
        database,
        keyring,
        unit_id=world.unit_a,
        client_id=world.client_a,
        when=dt.datetime(2025, 10, 5, 15, 0, tzinfo=dt.UTC),
        scores={"joy": 4.0, "coping": 2.0},
        gas={world.goal_a: 1.0, second: 2.0},
    )
    _response(
        database,
        keyring,
        unit_id=world.unit_a,
        client_id=world.client_a,
        when=dt.datetime(2025, 10, 25, 15, 0, tzinfo=dt.UTC),
        scores={"joy": 2.0},
        gas={world.goal_a: 0.0, second: 0.0},
    )
    params = {"period": "month", "since": "2025-09-01", "until": "2025-10-31"}
    url = f"/api/v1/clients/{world.client_a}/report"
    answer = await http.get(url, params=params, headers=bearer(world, "cw_a"))
    assert answer.status_code == 200, answer.text
    periods = answer.json()["periods"]
    assert [p["period"]["label"] for p in periods] == ["2025-09", "2025-10"]
    october = periods[1]
    assert october["dimensions"]["joy"] == 3.0
    assert october["answers"]["joy"] == 2
    assert october["dimensions"]["belonging"] is None
    # Index per check-in: (4+2)/2 = 3 and 2; their mean 2.5.
    assert october["index"] == 2.5
    # T of (1, 2) with weights (1, 2): 50 + 10·5/√(0.7·5 + 0.3·9) = 70.080; of (0, 0): 50.
    first = gas_t_score([1.0, 2.0], [1.0, 2.0])
    assert first is not None
    assert round(first, 3) == 70.08
    assert october["gas_t_score"] == round((first + 50) / 2, 3)
    assert october["gas_check_ins"] == 2
    assert periods[0]["gas_t_score"] is None
    for actor in ("cw_a2", "cw_b", "co_b"):
        refused = await http.get(url, params=params, headers=bearer(world, actor))
        assert refused.status_code == 404, actor
    coordinator = await http.get(url, params=params, headers=bearer(world, "co_a"))
    assert coordinator.status_code == 200


async def test_charts_are_svg_without_script(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    _october(database, keyring, world)
    for url, params, actor in (
        (f"/api/v1/units/{world.unit_a}/report/chart.svg", {"date": OCT}, "co_a"),
        (
            f"/api/v1/units/{world.unit_a}/report/chart.svg",
            {"date": OCT, "measure": "recommend", "lang": "en"},
            "co_a",
        ),
        ("/api/v1/reports/units/chart.svg", {"date": OCT, "measure": "joy"}, "admin"),
        (f"/api/v1/clients/{world.client_a}/report/chart.svg", {"measure": "gas"}, "cw_a"),
    ):
        answer = await http.get(url, params=params, headers=bearer(world, actor))
        assert answer.status_code == 200, (url, answer.text)
        assert answer.headers["content-type"] == "image/svg+xml"
        body = answer.text
        assert "<svg" in body
        assert "<script" not in body
        assert "kozea.github.io" not in body
    finnish = await http.get(
        f"/api/v1/units/{world.unit_a}/report/chart.svg",
        params={"date": OCT},
        headers=bearer(world, "co_a"),
    )
    assert "Ilo" in finnish.text
    assert "2025-10" in finnish.text
    refused = await http.get(
        f"/api/v1/units/{world.unit_a}/report/chart.svg", headers=bearer(world, "co_b")
    )
    assert refused.status_code == 404


@pytest.mark.parametrize("form", ["csv", "xlsx"])
async def test_exports_need_the_unit(http: httpx.AsyncClient, world: World, form: str) -> None:
    answer = await http.get(
        f"/api/v1/units/{world.unit_a}/report.{form}", headers=bearer(world, "co_b")
    )
    assert answer.status_code == 404
    bad = await http.get(f"/api/v1/units/{world.unit_a}/report.pdf", headers=bearer(world, "co_a"))
    assert bad.status_code == 404
    assert bad.headers["content-type"] == "application/problem+json"


# Response rates: the scheduler's deliveries ------------------------------------------------


def _prompt(
    database: Database,
    keyring: Keyring,
    *,
    unit_id: int,
    clients_in: int,
    runs: list[tuple[dt.datetime, int, int]],
) -> None:
    """`clients_in` new youths of the unit, each with a chat, and a schedule of them whose
    runs are planned as the scheduler plans them: per run (slot, how many of the clients it
    prompts, how many of those then complete it), the first clients first."""
    with database.transaction() as session:
        found: list[tuple[int, int]] = []  # (client, contact)
        for index in range(clients_in):
            client_id = clients.add_client(
                session,
                unit_id=unit_id,
                alias="Youth",
                case_ref=f"R-{index}",
                audience="youth",
                language="fi",
                caseworker_id=None,
                now=_day(1, 9),
            ).id
            assert client_id is not None
            address = f"{client_id}"
            contact = contacts.link_contact(
                session,
                chat=ChatKey("telegram", keyring.address_hmac("telegram", address)),
                client_id=client_id,
                language="fi",
                now=_day(1, 9),
                address_sealed=keyring.seal(address, purpose=Purpose.CHAT_ADDRESS),
            )
            assert contact.id is not None
            found.append((client_id, contact.id))
    for slot, prompted, completed in runs:
        with database.transaction() as session:
            schedule = schedules.add_schedule(
                session,
                tables.Schedule(
                    unit_id=unit_id,
                    name="Check-in",
                    dialog_id="youth_checkin",
                    audience="clients",
                    client_ids=[client for client, _ in found[:prompted]],
                    kind="once",
                    once_at=slot,
                    starts_on=slot.date(),
                    armed_from=slot,
                    created_at=slot,
                ),
            )
            count = schedules.plan_run(
                session,
                schedule=schedule,
                slot=slot,
                now=slot,
                remind_at=None,
                expires_at=slot + dt.timedelta(days=3),
                payload=lambda language, public_id: {"text": public_id},
            )
            assert count == prompted
        with database.transaction() as session:
            for _, contact_id in found[:completed]:
                done = prompt_deliveries.complete(
                    session,
                    contact_id=contact_id,
                    dialog_id="youth_checkin",
                    now=slot + dt.timedelta(hours=1),
                )
                assert done == 1


async def test_unit_report_response_rate(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    """October in unit A: a run to 5 clients (4 answer) and one to 3 of them (2 answer): 8
    prompted, 6 completed, 75 %, 5 clients. Not counted: a run at 23:30 on 30 September
    in Finnish time (20:30 UTC: September, by the run's planned time), and unit B's run."""
    _prompt(
        database,
        keyring,
        unit_id=world.unit_a,
        clients_in=5,
        runs=[
            (dt.datetime(2025, 9, 30, 20, 30, tzinfo=dt.UTC), 5, 0),
            (dt.datetime(2025, 10, 6, 12, tzinfo=dt.UTC), 5, 4),
            (dt.datetime(2025, 10, 20, 12, tzinfo=dt.UTC), 3, 2),
        ],
    )
    _prompt(
        database,
        keyring,
        unit_id=world.unit_b,
        clients_in=5,
        runs=[(dt.datetime(2025, 10, 6, 12, tzinfo=dt.UTC), 5, 5)],
    )
    headers = bearer(world, "co_a")
    url = f"/api/v1/units/{world.unit_a}/report"
    report = (await http.get(url, params={"date": OCT}, headers=headers)).json()
    assert report["response_rate"] == {
        "prompted": 8,
        "completed": 6,
        "clients": 5,
        "rate": 0.75,
        "suppressed": None,
    }
    september = (await http.get(url, params={"date": "2025-09-15"}, headers=headers)).json()
    assert september["response_rate"]["prompted"] == 5
    assert september["response_rate"]["completed"] == 0
    assert september["response_rate"]["rate"] == 0.0

    answer = await http.get(f"{url}.csv", params={"date": OCT}, headers=headers)
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), FinnishExcel))
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    rate = next(r for r in table if r["figure"] == "response_rate")
    assert (rate["value"], rate["n"], rate["respondents"]) == ("0,75", "8", "5")
    done = next(r for r in table if r["figure"] == "check_ins_completed")
    assert done["value"] == "6"
    book = await http.get(f"{url}.xlsx", params={"date": OCT}, headers=headers)
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    found = [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]
    assert next(r for r in found if r["figure"] == "response_rate")["value"] == 0.75


async def test_response_rate_of_few_clients_is_withheld(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    """4 clients prompted twice (8 prompted, 6 completed): the group is the 4 people."""
    _prompt(
        database,
        keyring,
        unit_id=world.unit_a,
        clients_in=4,
        runs=[
            (dt.datetime(2025, 10, 6, 12, tzinfo=dt.UTC), 4, 4),
            (dt.datetime(2025, 10, 20, 12, tzinfo=dt.UTC), 4, 2),
        ],
    )
    report = (
        await http.get(
            f"/api/v1/units/{world.unit_a}/report",
            params={"date": OCT},
            headers=bearer(world, "cw_a"),
        )
    ).json()
    assert report["response_rate"] == {
        "prompted": None,
        "completed": None,
        "clients": None,
        "rate": None,
        "suppressed": "fewer than 5 respondents",
    }
    assert {
        "unit_id": world.unit_a,
        "measure": "response_rate",
        "period": "2025-10",
        "reason": "fewer than 5 respondents",
    } in report["suppressed"]


async def test_comparison_response_rates_and_their_complementary_cells(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring
) -> None:
    """October: unit A 5 clients prompted, 4 completed; unit B 2 prompted, 1 completed.
    B is withheld (2 people) and so is A (A = total - B); the total, 7 prompted and
    5 completed (5/7 = 0.714), is shown. November: A 5 of 5 and B 6 of 3, all shown."""
    _prompt(
        database,
        keyring,
        unit_id=world.unit_a,
        clients_in=5,
        runs=[
            (dt.datetime(2025, 10, 6, 12, tzinfo=dt.UTC), 5, 4),
            (dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC), 5, 5),
        ],
    )
    _prompt(
        database,
        keyring,
        unit_id=world.unit_b,
        clients_in=6,
        runs=[
            (dt.datetime(2025, 10, 6, 12, tzinfo=dt.UTC), 2, 1),
            (dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC), 6, 3),
        ],
    )
    url = "/api/v1/reports/units"
    october = (await http.get(url, params={"date": OCT}, headers=bearer(world, "admin"))).json()
    rates = {unit["unit_id"]: unit["response_rate"] for unit in october["units"]}
    assert rates[world.unit_b]["suppressed"] == "fewer than 5 respondents"
    assert rates[world.unit_a]["suppressed"] == (
        "could be worked out from the total and the groups shown"
    )
    assert rates[world.unit_a]["rate"] is None
    total = october["total"]["response_rate"]
    assert (total["prompted"], total["completed"], total["clients"]) == (7, 5, 7)
    assert total["rate"] == 0.714
    withheld = {(s["unit_id"], s["measure"]) for s in october["suppressed"]}
    assert {(world.unit_a, "response_rate"), (world.unit_b, "response_rate")} <= withheld
    # A coordinator of A: unit B is unseen, one hidden group of 2: A is withheld with it.
    mine = (await http.get(url, params={"date": OCT}, headers=bearer(world, "co_a"))).json()
    assert [u["response_rate"]["suppressed"] for u in mine["units"]] == [
        "could be worked out from the total and the groups shown"
    ]
    assert mine["total"]["response_rate"]["prompted"] == 7

    november = (
        await http.get(url, params={"date": "2025-11-15"}, headers=bearer(world, "admin"))
    ).json()
    shown = {unit["unit_id"]: unit["response_rate"] for unit in november["units"]}
    assert (shown[world.unit_a]["prompted"], shown[world.unit_a]["rate"]) == (5, 1.0)
    assert (shown[world.unit_b]["prompted"], shown[world.unit_b]["rate"]) == (6, 0.5)
    assert november["total"]["response_rate"]["rate"] == round(8 / 11, 3) == 0.727
    assert not [s for s in november["suppressed"] if s["measure"] == "response_rate"]
    answer = await http.get(f"{url}.csv", params={"date": OCT}, headers=bearer(world, "admin"))
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), FinnishExcel))
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    by_unit = {r["unit_id"]: r for r in table if r["figure"] == "response_rate"}
    assert (by_unit[""]["value"], by_unit[""]["n"]) == ("0,714", "7")
    assert (by_unit[str(world.unit_b)]["value"], by_unit[str(world.unit_b)]["n"]) == ("", "")
