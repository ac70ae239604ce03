"""`kerro demo`'s organisation, on both databases: made once however often it runs, a year of
plausible answers (trends, a rising recommendation score, gaps), anonymous answers that link
to nobody, sealed texts, flags with a history, and a token that opens the staff API."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import shutil
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from api.app import create_staff_app
from api.context import ApiContext
from bot.service import ConversationService
from kerro import demo_texts
from kerro.demo import DEMO_CLIENT, DEMO_UNIT, DEMO_UNIT_NAME, ORGANISATION, ensure_demo
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.repositories import clients, responses, staff, units
from storage.repositories._rows import table_of
from tests.support.web import serve, web_app

TODAY = dt.date(2026, 11, 30)
DIMENSIONS = ("joy", "belonging", "coping", "physical")
R, A, U = table_of(tables.Response), table_of(tables.Answer), table_of(tables.Unit)
F, E = table_of(tables.Flag), table_of(tables.FlagEvent)
TABLES = ("unit", "staff", "client", "goal", "response", "answer", "flag", "flag_event")


def _demo(database: Database, keyring: Keyring) -> tuple[str, str]:
    """The summary and the token of one run."""
    with database.transaction() as session:
        summary = ensure_demo(session, keyring=keyring, today=TODAY)
    token = summary.rstrip().splitlines()[-1].removeprefix("Token: ")
    return summary, token


def _counts(database: Database) -> dict[str, int]:
    with database.transaction() as session:
        connection = session.connection()
        return {
            name: int(connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one())  # noqa: S608 (our names)
            for name in TABLES
        }


def _rows(database: Database, statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
    with database.transaction() as session:
        return [tuple(row) for row in session.connection().execute(statement)]


@pytest.fixture
def seeded(database: Database, keyring: Keyring) -> str:
    summary, token = _demo(database, keyring)
    assert "Added 5 unit(s)" in summary
    return token


def test_running_twice_adds_the_organisation_once_and_gives_a_new_token(
    database: Database, keyring: Keyring, seeded: str
) -> None:
    first = _counts(database)
    assert first["unit"] == len(ORGANISATION) == 5
    assert first["client"] == sum(len(plan.clients) for plan in ORGANISATION)
    assert first["staff"] == 1 + sum(len(plan.caseworkers) for plan in ORGANISATION)
    assert first["response"] > 900
    assert first["answer"] > 5 * first["response"] - first["response"]
    # Every client's caseworker is a change of who may see their data: one audit row each.
    caseworkers = _rows(
        database,
        sa.select(sa.func.count())
        .select_from(table_of(tables.AuditEntry))
        .where(sa.column("action") == "access.caseworker"),
    )
    assert caseworkers == [(first["client"],)]
    summary, token = _demo(database, keyring)
    assert "nothing was added" in summary
    assert token != seeded
    assert _counts(database) == first


def _index_by_quarter(database: Database, ref: str) -> tuple[float, float]:
    """A client's mean wellbeing index in the first and in the last quarter of the year."""
    with database.transaction() as session:
        unit = units.unit_by_code(
            session, code=next(p.code for p in ORGANISATION if any(c.ref == ref for c in p.clients))
        )
        assert unit is not None
        assert unit.id is not None
        client = clients.client_by_ref(session, unit_id=unit.id, case_ref=ref)
        assert client is not None
        assert client.id is not None
        scores = responses.client_scores(
            session, client_id=client.id, measures=DIMENSIONS, since=None, until=None
        )
    by_response: dict[str, list[float]] = {}
    when: dict[str, dt.datetime] = {}
    for public_id, started, _, _, number in scores:
        by_response.setdefault(public_id, []).append(number)
        when[public_id] = started
    first_day = dt.datetime.combine(TODAY, dt.time(), dt.UTC) - dt.timedelta(days=365)
    first = [
        statistics.mean(v)
        for k, v in by_response.items()
        if when[k] < first_day + dt.timedelta(days=91)
    ]
    last = [
        statistics.mean(v)
        for k, v in by_response.items()
        if when[k] >= first_day + dt.timedelta(days=274)
    ]
    assert len(first) >= 5
    assert len(last) >= 5
    return statistics.mean(first), statistics.mean(last)


def test_some_clients_get_better_over_the_year_and_some_worse(
    database: Database, seeded: str
) -> None:
    first, last = _index_by_quarter(database, DEMO_CLIENT)  # improving
    assert last - first > 0.8
    first, last = _index_by_quarter(database, "DEMO-3")  # declining
    assert first - last > 0.5
    first, last = _index_by_quarter(database, "JH-103")  # stable
    assert abs(last - first) < 0.6


def _nps(numbers: list[float]) -> float:
    return 100 * (sum(n >= 9 for n in numbers) - sum(n <= 6 for n in numbers)) / len(numbers)


def test_the_parents_recommendation_score_rises_from_about_50_to_about_70(
    database: Database, seeded: str
) -> None:
    rows = _rows(
        database,
        sa.select(R.c.started_at, A.c.number)
        .join(A, A.c.response_id == R.c.id)
        .join(U, U.c.id == R.c.unit_id)
        .where(U.c.code == "vanhemmat", A.c.measure == "recommend")
        .where(A.c.number.is_not(None)),
    )
    start = dt.datetime.combine(TODAY, dt.time(), dt.UTC) - dt.timedelta(days=365)
    first = [n for at, n in rows if at < start + dt.timedelta(days=91)]
    last = [n for at, n in rows if at >= start + dt.timedelta(days=274)]
    assert len(first) > 50
    assert len(last) > 50
    assert 40 <= _nps(first) <= 60
    assert 60 <= _nps(last) <= 80
    assert _nps(last) - _nps(first) >= 10


def test_the_year_has_gaps_skips_abandoned_runs_and_a_weekly_or_fortnightly_rhythm(
    database: Database, seeded: str
) -> None:
    answers = _rows(database, sa.select(A.c.skipped))
    skipped = sum(1 for (value,) in answers if value)
    assert 0.01 < skipped / len(answers) < 0.25
    done = Counter(c for (c,) in _rows(database, sa.select(R.c.completed)))
    assert done[False] > 0
    assert done[True] > 20 * done[False]
    with database.transaction() as session:
        unit = units.unit_by_code(session, code=DEMO_UNIT)
        assert unit is not None
        assert unit.id is not None
        client = clients.client_by_ref(session, unit_id=unit.id, case_ref=DEMO_CLIENT)
        assert client is not None
        assert unit.name == DEMO_UNIT_NAME
        goals = clients.active_goals(session, client_id=client.id or 0)
    assert [goal.title for goal in goals] == [demo_texts.SCHOOL.title, demo_texts.SLEEP.title]
    assert all(
        goal.levels is not None and set(goal.levels) == {"-2", "-1", "0", "1", "2"}
        for goal in goals
    )
    times = sorted(
        at
        for (at,) in _rows(
            database,
            sa.select(R.c.started_at).where(R.c.client_id == client.id),
        )
    )
    gaps = Counter(
        (later.date() - earlier.date()).days for earlier, later in itertools.pairwise(times)
    )
    assert 30 <= len(times) <= 52  # weekly, with weeks nobody answered
    assert max(gaps) >= 14
    assert sum(count for days, count in gaps.items() if 5 <= days <= 9) > len(times) / 2


def test_anonymous_answers_carry_no_client_no_contact_and_only_a_date(
    database: Database, seeded: str
) -> None:
    anonymous = _rows(
        database,
        sa.select(
            R.c.client_id,
            R.c.contact_id,
            R.c.started_at,
            R.c.updated_at,
            A.c.recorded_at,
        )
        .join(A, A.c.response_id == R.c.id)
        .where(R.c.anonymous.is_(True)),
    )
    assert len(anonymous) > 500
    for client_id, contact_id, *times in anonymous:
        assert client_id is None
        assert contact_id is None
        assert all(moment.time() == dt.time() for moment in times)
    named = _rows(
        database,
        sa.select(R.c.client_id, R.c.started_at).where(R.c.anonymous.is_(False)),
    )
    assert all(client_id is not None for client_id, _ in named)
    assert sum(at.time() != dt.time() for _, at in named) > len(named) * 0.9
    dialogs = Counter(
        dialog
        for (dialog,) in _rows(
            database,
            sa.select(R.c.dialog_id).where(R.c.anonymous.is_(True)),
        )
    )
    assert set(dialogs) == {"open_feedback", "parent_service"}


def test_free_text_is_sealed_and_opens_to_the_demos_own_words(
    database: Database, keyring: Keyring, seeded: str
) -> None:
    sealed = [
        text
        for (text,) in _rows(
            database,
            sa.select(A.c.text_sealed).where(A.c.text_sealed.is_not(None)),
        )
    ]
    assert len(sealed) > 200
    written = {
        text
        for pool in (
            demo_texts.NOTES_GOOD, demo_texts.NOTES_SO_SO, demo_texts.NOTES_BAD,
            demo_texts.NOTES_CONCERN,
        )
        for text in pool
    } | {
        text
        for pool in (
            demo_texts.FEEDBACK_GOOD, demo_texts.FEEDBACK_MIXED, demo_texts.FEEDBACK_BAD,
            demo_texts.BETTER_PROMOTER, demo_texts.BETTER_PASSIVE, demo_texts.BETTER_DETRACTOR,
        )
        for _, text in pool
    }  # fmt: skip
    opened = [keyring.open(text, purpose=Purpose.ANSWER_TEXT) for text in sealed]
    assert set(opened) <= written
    assert len(set(opened)) > 30  # varied
    assert not any("Kiitos" in text or "odot" in text for text in sealed)


def test_a_few_flags_with_a_history(database: Database, keyring: Keyring, seeded: str) -> None:
    flags = _rows(database, sa.select(F.c.status, F.c.rule, F.c.id))
    statuses = Counter(status for status, _, _ in flags)
    assert 5 <= len(flags) <= 60
    assert statuses["resolved"] > 0
    assert {rule for _, rule, _ in flags} >= {"very_low_joy_or_coping", "risk_screen"}
    events = _rows(
        database,
        sa.select(E.c.flag_id, E.c.action, E.c.note_sealed),
    )
    by_flag: dict[int, list[str]] = {}
    for flag_id, action, note in events:
        by_flag.setdefault(flag_id, []).append(action)
        if action == "resolve":
            assert keyring.open(note, purpose=Purpose.FLAG_NOTE) in demo_texts.RESOLVED_NOTES
    for status, _, flag_id in flags:
        expected = {
            "open": [],
            "acknowledged": ["acknowledge"],
            "resolved": ["acknowledge", "resolve"],
        }
        assert sorted(by_flag.get(flag_id, [])) == expected[status]


def _fingerprint(database: Database) -> Counter[tuple[Any, ...]]:
    return Counter(
        tuple(row)
        for row in _rows(
            database,
            sa.select(
                R.c.dialog_id,
                R.c.started_at,
                A.c.measure,
                A.c.number,
                A.c.skipped,
            ).join(A, A.c.response_id == R.c.id),
        )
    )


def test_the_same_day_gives_the_same_year(
    database: Database, keyring: Keyring, seeded: str, sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "again.db"
    shutil.copyfile(sqlite_template, path)
    again = Database.from_url(f"sqlite:///{path}")
    try:
        _demo(again, keyring)
        assert _fingerprint(again) == _fingerprint(database)
    finally:
        again.dispose()


def test_an_earlier_versions_demo_is_filled_and_its_coordinator_sees_every_unit(
    database: Database, keyring: Keyring
) -> None:
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with database.transaction() as session:
        unit = units.add_unit(session, code=DEMO_UNIT, name="Demo unit", now=now)
        assert unit.id is not None
        old = clients.add_client(
            session,
            unit_id=unit.id,
            alias="Demo youth",
            case_ref=DEMO_CLIENT,
            audience="youth",
            language="fi",
            now=now,
        )
        assert old.id is not None
        for title in (demo_texts.SCHOOL.title, demo_texts.SLEEP.title):
            clients.add_goal(session, client_id=old.id, title=title)
        staff.add_staff(
            session, name="Demo coordinator", role="coordinator", unit_ids=[unit.id], now=now
        )
    _demo(database, keyring)
    with database.transaction() as session:
        renamed = units.unit_by_code(session, code=DEMO_UNIT)
        member = staff.staff_by_name(session, name="Demo coordinator")
        assert renamed is not None
        assert member is not None
        assert member.id is not None
        assert renamed.name == DEMO_UNIT_NAME
        assert len(staff.unit_ids_of(session, staff_id=member.id)) == len(ORGANISATION)
        assert clients.count_responses(session, client_id=old.id) > 20
        assert len(clients.active_goals(session, client_id=old.id)) == 2


async def test_the_token_opens_the_staff_api_and_its_reports_of_the_demo(
    database: Database, keyring: Keyring, seeded: str
) -> None:
    _, second = _demo(database, keyring)
    app = create_staff_app(context=ApiContext(database=database, keyring=keyring))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://staff") as http:
        for token in (seeded, second):
            headers = {"Authorization": f"Bearer {token}"}
            found = await http.get("/api/v1/units", headers=headers)
            assert found.status_code == 200
            assert sorted((u["code"], u["name"]) for u in found.json()) == sorted(
                (plan.code, plan.name) for plan in ORGANISATION
            )
        parents = next(u["id"] for u in found.json() if u["code"] == "vanhemmat")
        listed = await http.get("/api/v1/clients", params={"limit": 100}, headers=headers)
        assert listed.status_code == 200, listed.text
        refs = {client["case_ref"] for client in listed.json()["items"]}
        assert DEMO_CLIENT in refs
        themes = await http.get(f"/api/v1/units/{parents}/themes/counts", headers=headers)
        assert themes.status_code == 200, themes.text
        body = themes.json()
        shown = [month for month in body["months"] if not month["suppressed"]]
        assert len(shown) >= 10
        quoted = [theme for theme in body["themes"] if theme["quotes"]]
        assert quoted, body["themes"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_demo_units_web_chat_shows_its_finnish_name(
    service: ConversationService, keyring: Keyring, language: str
) -> None:
    _demo(service.database, keyring)
    with serve(web_app(service)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            for plan in ORGANISATION:
                page = await http.get(f"/chat/{plan.code}", headers={"Accept-Language": language})
                assert page.status_code == 200
                assert f'lang="{language}"' in page.text
                assert html.escape(plan.name) in page.text
