"""The report sums in SQL, on SQLite and PostgreSQL: counts, sums, respondents, medians."""

from __future__ import annotations

import datetime as dt

from dialogs.model import FlagLevel, RaiseFlag, Record
from dialogs.reporting import period_of
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import clients, reports, responses, staff, units

OCTOBER = period_of("month", dt.date(2025, 10, 1))
SEPTEMBER = OCTOBER.previous()
WINDOW = reports.Window([SEPTEMBER.start, OCTOBER.start], [SEPTEMBER.end, OCTOBER.end])


def _at(day: int, month: int = 10, hour: int = 12) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=dt.UTC)


def _world(database: Database, keyring: Keyring) -> tuple[int, int, int]:
    """Unit u: client x answers joy 4 and 2 (and a skipped joy, and a 9 out of range), client
    y joy 5; two anonymous responses joy 1 and 3; in September joy 2 anonymously. Unit v:
    joy 5 anonymously. Returns the units' ids and x's."""
    with database.transaction() as session:
        u = units.add_unit(session, code="u", name="U", now=_at(1)).id
        v = units.add_unit(session, code="v", name="V", now=_at(1)).id
        assert u is not None
        assert v is not None
        x = clients.add_client(
            session, unit_id=u, alias="X", case_ref="X", audience="youth", language="fi", now=_at(1)
        ).id
        y = clients.add_client(
            session, unit_id=u, alias="Y", case_ref="Y", audience="youth", language="fi", now=_at(1)
        ).id
        assert x is not None
        assert y is not None
        for unit, client, when, records in (
            (
                u,
                x,
                _at(2),
                [Record("joy", "joy", number=4.0), Record("coping", "coping", number=3.0)],
            ),
            (u, x, _at(9), [Record("joy", "joy", number=2.0), Record("x", "joy", skipped=True)]),
            (u, x, _at(10), [Record("joy", "joy", number=9.0)]),
            (u, y, _at(11), [Record("joy", "joy", number=5.0)]),
            (u, None, _at(12, hour=0), [Record("joy", "joy", number=1.0)]),
            (u, None, _at(13, hour=0), [Record("joy", "joy", number=3.0)]),
            (u, None, _at(13, 9, 0), [Record("joy", "joy", number=2.0)]),
            (v, None, _at(13, hour=0), [Record("joy", "joy", number=5.0)]),
        ):
            response = tables.Response(
                unit_id=unit,
                client_id=client,
                dialog_id="youth_checkin",
                dialog_version="1",
                channel="test",
                language="fi",
                anonymous=client is None,
                completed=client is not None,
                started_at=when,
                updated_at=when,
            )
            response_id = responses.insert(session, response)
            responses.add_answers(
                session,
                response_id=response_id,
                dialog_version="1",
                recorded_at=when,
                records=records,
                keyring=keyring,
            )
    return u, v, x


def test_measure_sums(database: Database, keyring: Keyring) -> None:
    u, v, _ = _world(database, keyring)
    with database.transaction() as session:
        rows = reports.answer_sums(
            session, unit_ids=frozenset({u}), window=WINDOW, measures=["joy"], by_unit=True
        )
        total = reports.answer_sums(
            session, unit_ids=None, window=WINDOW, measures=["joy"], by_unit=False
        )
    found = {(r.unit_id, r.period): r for r in rows}
    october = found[(u, 1)]
    # 4, 2, 5, 1, 3: the skipped answer and the 9 do not count; x is one respondent.
    assert (october.n, october.total, october.squares) == (5, 15.0, 55.0)
    assert october.respondents == 4  # x, y, and two anonymous responses
    assert (found[(u, 0)].n, found[(u, 0)].total) == (1, 2.0)
    together = {r.period: r for r in total}
    assert (together[1].unit_id, together[1].n, together[1].total) == (None, 6, 20.0)
    assert together[1].respondents == 5
    assert v not in {r.unit_id for r in rows}


def test_index_distribution_and_counts(database: Database, keyring: Keyring) -> None:
    u, _, x = _world(database, keyring)
    with database.transaction() as session:
        index = reports.answer_sums(
            session,
            unit_ids=frozenset({u}),
            window=WINDOW,
            measures=["coping"],
            dimensions=["joy", "coping"],
            by_unit=True,
        )
        mine = reports.answer_sums(
            session,
            unit_ids=None,
            window=WINDOW,
            measures=[],
            dimensions=["joy", "coping"],
            by_unit=False,
            client_id=x,
        )
        values = reports.value_counts(
            session, unit_ids=frozenset({u}), window=WINDOW, measures=["joy"]
        )
        counts = reports.response_counts(
            session, unit_ids=frozenset({u}), window=WINDOW, by_unit=True
        )
    coping = next(r for r in index if r.period == 1 and r.measure == "coping")
    assert (coping.n, coping.total, coping.respondents) == (1, 3.0, 1)
    october = next(r for r in index if r.period == 1 and r.measure == "index")
    # Per response: (4+3)/2, 2, 5, 1, 3 (the response with only the 9 has none).
    assert (october.n, october.total) == (5, 14.5)
    assert [(r.measure, r.total) for r in mine if r.period == 1] == [("index", 5.5)]
    assert sorted((v.value, v.count) for v in values if v.period == 1) == [
        (1.0, 1),
        (2.0, 1),
        (3.0, 1),
        (4.0, 1),
        (5.0, 1),
    ]
    assert [(c.period, c.started, c.completed) for c in sorted(counts, key=lambda c: c.period)] == [
        (0, 1, 0),
        (1, 6, 4),
    ]


def test_flag_median_to_acknowledge(database: Database, keyring: Keyring) -> None:
    u, _, _ = _world(database, keyring)
    with database.transaction() as session:
        response_id = responses.insert(
            session,
            tables.Response(
                unit_id=u,
                dialog_id="open_feedback",
                dialog_version="1",
                channel="test",
                language="fi",
                anonymous=True,
                started_at=_at(20, hour=0),
                updated_at=_at(20, hour=0),
            ),
        )
        responses.add_flags(
            session,
            response_id=response_id,
            unit_id=u,
            client_id=None,
            flags=[RaiseFlag(f"r{i}", FlagLevel.CONCERN) for i in range(4)],
            now=_at(20),
        )
    with database.transaction() as session:
        staff_id = staff.add_staff(
            session, name="s", role="coordinator", unit_ids=[u], now=_at(1)
        ).id
        flags = sorted(responses.flags_of(session, response_id=response_id), key=lambda f: f.rule)
        for flag, minutes in zip(flags, [5, 15, 25], strict=False):  # the fourth is not acted on
            assert flag.id is not None
            session.add(
                tables.FlagEvent(
                    flag_id=flag.id,
                    staff_id=staff_id,
                    action="assign",
                    at=_at(20) + dt.timedelta(minutes=minutes),
                )
            )
            session.add(
                tables.FlagEvent(
                    flag_id=flag.id,
                    staff_id=staff_id,
                    action="resolve",
                    at=_at(20) + dt.timedelta(minutes=minutes + 100),
                )
            )
    with database.transaction() as session:
        times = reports.acknowledge_times(
            session, unit_ids=frozenset({u}), window=WINDOW, by_unit=True
        )
        counts = reports.flag_counts(session, unit_ids=None, window=WINDOW, by_unit=False)
    assert len(times) == 1
    assert (times[0].unit_id, times[0].period, times[0].acknowledged) == (u, 1, 3)
    assert round(times[0].median_seconds) == 15 * 60
    assert [(c.period, c.level, c.count) for c in counts] == [(1, "concern", 4)]
