"""The report sums in SQL against a plain computation in Python, on seeded random answers.

The sums read the answers through the report indexes (only answers not skipped and with a
number) and the responses of the period by the range of their ids; whatever path the
database takes, the figures must be those of counting every answer one by one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

import pytest

from dialogs.model import Record
from dialogs.reporting import period_of
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import clients, reports, responses, units

DIMENSIONS = ("joy", "belonging", "coping", "physical")
MEASURES = ("joy", "belonging", "information", "recommend")
OCTOBER = period_of("month", dt.date(2025, 10, 1))
SEPTEMBER = OCTOBER.previous()
WINDOW = reports.Window([SEPTEMBER.start, OCTOBER.start], [SEPTEMBER.end, OCTOBER.end])


@dataclass(frozen=True, slots=True)
class Given:
    unit_id: int
    client_id: int | None
    response_id: int
    started_at: dt.datetime
    measure: str
    number: float | None
    skipped: bool


def _world(database: Database, keyring: Keyring, seed: int) -> list[Given]:
    """Three units, eight clients (some answering in another unit's responses), responses
    from late August to early November, at the periods' very bounds too; answers in and out
    of scale, skipped, without a number, repeated in one response, of other measures."""
    rng = random.Random(seed)
    bounds = [SEPTEMBER.start, OCTOBER.start, OCTOBER.end]
    given: list[Given] = []
    with database.transaction() as session:
        unit_ids = []
        for index in range(3):
            unit = units.add_unit(session, code=f"u{index}", name=f"U{index}", now=bounds[0])
            assert unit.id is not None
            unit_ids.append(unit.id)
        client_ids = []
        for index in range(8):
            client = clients.add_client(
                session,
                unit_id=unit_ids[index % 3],
                alias=f"C{index}",
                case_ref=f"C{index}",
                audience="youth",
                language="fi",
                now=bounds[0],
            )
            assert client.id is not None
            client_ids.append(client.id)
        for _ in range(120):
            unit_id = rng.choice(unit_ids)
            client_id = None if rng.random() < 0.35 else rng.choice(client_ids)
            if rng.random() < 0.15:
                started = rng.choice(bounds) + dt.timedelta(seconds=rng.choice([-1, 0]))
            else:
                started = SEPTEMBER.start + dt.timedelta(
                    seconds=rng.randint(-5 * 86400, 66 * 86400)
                )
            response = tables.Response(
                unit_id=unit_id,
                client_id=client_id,
                dialog_id="youth_checkin",
                dialog_version="1",
                channel="test",
                language="fi",
                anonymous=client_id is None,
                completed=True,
                started_at=started,
                updated_at=started,
            )
            response_id = responses.insert(session, response)
            records = []
            for _ in range(rng.randint(0, 7)):
                measure = rng.choice([*DIMENSIONS, *MEASURES, "reply", "gas"])
                roll = rng.random()
                skipped = roll < 0.1
                number = None if roll > 0.93 else float(rng.randint(-1, 11))
                if rng.random() < 0.1 and number is not None:
                    number += 0.5
                records.append(Record(measure, measure, number=number, skipped=skipped))
                given.append(
                    Given(unit_id, client_id, response_id, started, measure, number, skipped)
                )
            responses.add_answers(
                session,
                response_id=response_id,
                dialog_version="1",
                recorded_at=started,
                records=records,
                keyring=keyring,
            )
    return given


def _period(moment: dt.datetime) -> int | None:
    for index, (start, end) in enumerate(zip(WINDOW.starts, WINDOW.ends, strict=True)):
        if start <= moment < end:
            return index
    return None


def _counts(answer: Given) -> bool:
    if answer.skipped or answer.number is None:
        return False
    if answer.measure == reports.NPS_MEASURE:
        return 0 <= answer.number <= 10
    return 1 <= answer.number <= 5


Row = tuple[int, float, float, int, int, int]


def _expected(
    given: list[Given], *, unit_ids: frozenset[int] | None, by_unit: bool
) -> dict[tuple[int | None, int, str], Row]:
    """The sums counted one answer at a time: n, Σx, Σx², respondents, promoters, detractors."""
    values: dict[tuple[int | None, int, str], list[float]] = defaultdict(list)
    people: dict[tuple[int | None, int, str], set[int]] = defaultdict(set)
    per_response: dict[tuple[int | None, int, int, int], list[float]] = defaultdict(list)
    for answer in given:
        period = _period(answer.started_at)
        if period is None or not _counts(answer) or answer.number is None:
            continue
        if unit_ids is not None and answer.unit_id not in unit_ids:
            continue
        unit = answer.unit_id if by_unit else None
        who = answer.client_id if answer.client_id is not None else -answer.response_id
        if answer.measure in MEASURES:
            values[(unit, period, answer.measure)].append(answer.number)
            people[(unit, period, answer.measure)].add(who)
        if answer.measure in DIMENSIONS:
            per_response[(unit, period, answer.response_id, who)].append(answer.number)
    for (unit, period, _, who), numbers in per_response.items():
        values[(unit, period, reports.INDEX)].append(sum(numbers) / len(numbers))
        people[(unit, period, reports.INDEX)].add(who)
    found: dict[tuple[int | None, int, str], Row] = {}
    for key, numbers in values.items():
        nps = key[2] == reports.NPS_MEASURE
        found[key] = (
            len(numbers),
            sum(numbers),
            sum(x * x for x in numbers),
            len(people[key]),
            sum(1 for x in numbers if x >= 9) if nps else 0,
            sum(1 for x in numbers if x <= 6) if nps else 0,
        )
    return found


def _approx(row: Row) -> tuple[object, ...]:
    return (row[0], pytest.approx(row[1]), pytest.approx(row[2]), *row[3:])


@pytest.mark.parametrize("seed", [7, 2026])
def test_sums_equal_a_plain_count(database: Database, keyring: Keyring, seed: int) -> None:
    given = _world(database, keyring, seed)
    some = frozenset(sorted({answer.unit_id for answer in given})[:2])
    for unit_ids, by_unit in ((None, False), (some, True), (None, True), (some, False)):
        with database.transaction() as session:
            rows = reports.answer_sums(
                session,
                unit_ids=unit_ids,
                window=WINDOW,
                measures=MEASURES,
                dimensions=DIMENSIONS,
                by_unit=by_unit,
            )
        found = {
            (row.unit_id, row.period, row.measure): (
                row.n,
                row.total,
                row.squares,
                row.respondents,
                row.promoters if row.measure == reports.NPS_MEASURE else 0,
                row.detractors if row.measure == reports.NPS_MEASURE else 0,
            )
            for row in rows
        }
        expected = _expected(given, unit_ids=unit_ids, by_unit=by_unit)
        assert expected, "the seed gives no answer in the window"
        assert set(found) == set(expected)
        for key, row in expected.items():
            assert found[key] == _approx(row), key


@pytest.mark.parametrize("seed", [11])
def test_distributions_equal_a_plain_count(database: Database, keyring: Keyring, seed: int) -> None:
    given = _world(database, keyring, seed)
    with database.transaction() as session:
        rows = reports.value_counts(session, unit_ids=None, window=WINDOW, measures=MEASURES)
    expected: dict[tuple[int, int, str, float], int] = defaultdict(int)
    for answer in given:
        period = _period(answer.started_at)
        if period is not None and answer.measure in MEASURES and _counts(answer):
            assert answer.number is not None
            expected[(answer.unit_id, period, answer.measure, answer.number)] += 1
    assert expected
    assert {(r.unit_id, r.period, r.measure, r.value): r.count for r in rows} == expected
