"""Reports: the sums of answers, flags and responses by unit and period, computed in SQL.

Each query groups rows into a few periods (`Window`: the periods' UTC bounds, oldest first,
turned into a CASE over the response's start) and returns sums, never rows of answers: the
caller turns the sums into figures (dialogs/reporting.py) and decides what may be shown.
The same statements run on SQLite and PostgreSQL; only the length of a time span differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.repositories._dialect import is_postgresql
from storage.tables import (
    Answer,
    Flag,
    FlagEvent,
    Goal,
    PromptDelivery,
    Response,
    Schedule,
    ScheduleRun,
    UtcDateTime,
)

_answers: sa.Table = Answer.__table__  # type: ignore[attr-defined]
_responses: sa.Table = Response.__table__  # type: ignore[attr-defined]
_flags: sa.Table = Flag.__table__  # type: ignore[attr-defined]
_events: sa.Table = FlagEvent.__table__  # type: ignore[attr-defined]
_goals: sa.Table = Goal.__table__  # type: ignore[attr-defined]
_deliveries: sa.Table = PromptDelivery.__table__  # type: ignore[attr-defined]
_runs: sa.Table = ScheduleRun.__table__  # type: ignore[attr-defined]
_schedules: sa.Table = Schedule.__table__  # type: ignore[attr-defined]

NPS_MEASURE = "recommend"
INDEX = "index"
GAS_MEASURE = "gas"
# Staff acting on a flag: the first of these is when it was acknowledged.
ACTED = ("acknowledge", "assign", "resolve")


@dataclass(frozen=True, slots=True)
class Window:
    """Periods side by side: their bounds [starts[i], ends[i]), oldest first, not overlapping."""

    starts: Sequence[dt.datetime]
    ends: Sequence[dt.datetime]

    def bucket(self, column: sa.ColumnElement[dt.datetime]) -> sa.ColumnElement[int]:
        """Which period a time falls in (0 = the oldest); the query keeps only those in one."""
        whens = [
            (
                sa.and_(
                    column >= sa.literal(start, UtcDateTime()),
                    column < sa.literal(end, UtcDateTime()),
                ),
                index,
            )
            for index, (start, end) in enumerate(zip(self.starts, self.ends, strict=True))
        ]
        return sa.case(*whens, else_=sa.null())

    def within(self, column: sa.ColumnElement[dt.datetime]) -> sa.ColumnElement[bool]:
        return sa.and_(
            column >= sa.literal(min(self.starts), UtcDateTime()),
            column < sa.literal(max(self.ends), UtcDateTime()),
        )


@dataclass(frozen=True, slots=True)
class MeasureSums:
    unit_id: int | None  # None: the units together
    period: int
    measure: str
    n: int
    total: float
    squares: float
    respondents: int
    promoters: int  # ratings 9-10 (meaningful for the NPS measure only)
    detractors: int  # ratings 0-6


@dataclass(frozen=True, slots=True)
class ValueCount:
    unit_id: int
    period: int
    measure: str
    value: float
    count: int


@dataclass(frozen=True, slots=True)
class FlagSums:
    unit_id: int | None
    period: int
    level: str
    count: int


@dataclass(frozen=True, slots=True)
class AckTime:
    unit_id: int | None
    period: int
    acknowledged: int
    median_seconds: float


@dataclass(frozen=True, slots=True)
class RateSums:
    unit_id: int | None  # None: the units together
    period: int
    prompted: int
    completed: int
    clients: int  # the distinct clients prompted


@dataclass(frozen=True, slots=True)
class ResponseCount:
    unit_id: int | None
    period: int
    dialog_id: str
    started: int
    completed: int


def _valid(measures: Sequence[str]) -> sa.ColumnElement[bool]:
    """Answers that count: a number in its scale (0-10 for the NPS, 1-5 otherwise)."""
    number, measure = _answers.c.number, _answers.c.measure
    scaled = [m for m in measures if m != NPS_MEASURE]
    parts = []
    if scaled:
        parts.append(sa.and_(measure.in_(scaled), number.between(1, 5)))
    if NPS_MEASURE in measures:
        parts.append(sa.and_(measure == NPS_MEASURE, number.between(0, 10)))
    return sa.and_(_answers.c.skipped.is_(False), number.is_not(None), sa.or_(*parts))


def _units_filter(unit_ids: frozenset[int] | None) -> sa.ColumnElement[bool]:
    if unit_ids is None:
        return _responses.c.unit_id.is_not(None)
    return _responses.c.unit_id.in_(sorted(unit_ids))


def _respondents(
    client_id: sa.ColumnElement[Any], response_id: sa.ColumnElement[Any]
) -> sa.ColumnElement[int]:
    """Clients counted once; each anonymous response as one (it has no client)."""
    anonymous = sa.case((client_id.is_(None), response_id), else_=sa.null())
    return sa.func.count(sa.distinct(client_id)) + sa.func.count(sa.distinct(anonymous))


def _id_span(window: Window) -> tuple[sa.ScalarSelect[Any], sa.ScalarSelect[Any]]:
    """The first and last response id in the window: answers are read by that range of
    their response's id (its index) rather than by a scan of every answer, which keeps a
    period's report proportional to the period's answers, not to all ever stored."""
    # OFFSET 0 keeps the ids a subquery, read by the index of start times: else PostgreSQL
    # looks for min(id) along the primary key, through every older response.
    ids = (
        sa.select(_responses.c.id.label("id"))
        .where(window.within(_responses.c.started_at))
        .offset(0)
        .subquery()
    )
    return (
        sa.select(sa.func.min(ids.c.id)).scalar_subquery(),
        sa.select(sa.func.max(ids.c.id)).scalar_subquery(),
    )


def answer_sums(
    session: Session,
    *,
    unit_ids: frozenset[int] | None,
    window: Window,
    measures: Sequence[str],
    dimensions: Sequence[str] = (),
    by_unit: bool,
    client_id: int | None = None,
) -> list[MeasureSums]:
    """Per period (and unit, with `by_unit`; else the units together, None: every unit):
    n, Σx, Σx², respondents and the NPS counts of each of `measures`; and of the wellbeing
    index (measure "index") when `dimensions` are given: each response's mean of its
    answered dimensions, then the sums of those means. One pass over the answers."""
    period = window.bucket(_responses.c.started_at).label("period")
    picked = (
        sa.select(
            _responses.c.id.label("response_id"),
            _responses.c.unit_id.label("unit_id"),
            _responses.c.client_id.label("client_id"),
            period,
            _answers.c.measure.label("measure"),
            _answers.c.number.label("number"),
            sa.case(
                (_responses.c.client_id.is_(None), -_responses.c.id),
                else_=_responses.c.client_id,
            ).label("who"),
        )
        .select_from(_answers.join(_responses, _responses.c.id == _answers.c.response_id))
        .where(
            _units_filter(unit_ids),
            sa.true() if client_id is None else _responses.c.client_id == client_id,
            window.within(_responses.c.started_at),
            # Every unit's: by the range of ids. A few units': from their responses (by the
            # index of unit and time) to their answers, which the range would only widen.
            _answers.c.response_id.between(*_id_span(window)) if unit_ids is None else sa.true(),
            _valid([*measures, *dimensions]),
        )
        .cte("picked")
    )
    parts: list[sa.Select[Any]] = []
    if measures:
        # Per person first (a client, or an anonymous response), then per group: the
        # respondents are that first step's rows, and no distinct count needs a sort.
        number = picked.c.number
        person_keys = [picked.c.period, picked.c.measure, picked.c.who]
        per_person = (
            sa.select(
                *([picked.c.unit_id] if by_unit else []),
                *person_keys,
                sa.func.count().label("n"),
                sa.func.sum(number).label("total"),
                sa.func.sum(number * number).label("squares"),
                sa.func.sum(sa.case((number >= 9, 1), else_=0)).label("promoters"),
                sa.func.sum(sa.case((number <= 6, 1), else_=0)).label("detractors"),
            )
            .where(picked.c.measure.in_(measures))
            .group_by(*([picked.c.unit_id] if by_unit else []), *person_keys)
            .subquery()
        )
        unit = per_person.c.unit_id if by_unit else sa.null()
        parts.append(
            sa.select(
                unit.label("unit_id"),
                per_person.c.period,
                per_person.c.measure,
                sa.func.sum(per_person.c.n).label("n"),
                sa.func.sum(per_person.c.total).label("total"),
                sa.func.sum(per_person.c.squares).label("squares"),
                sa.func.count().label("respondents"),
                sa.func.sum(per_person.c.promoters).label("promoters"),
                sa.func.sum(per_person.c.detractors).label("detractors"),
            ).group_by(
                *([per_person.c.unit_id] if by_unit else []),
                per_person.c.period,
                per_person.c.measure,
            )
        )
    if dimensions:
        per_response = (
            sa.select(
                picked.c.response_id,
                picked.c.unit_id,
                picked.c.client_id,
                picked.c.period,
                sa.func.avg(picked.c.number).label("value"),
            )
            .where(picked.c.measure.in_(dimensions))
            .group_by(picked.c.response_id, picked.c.unit_id, picked.c.client_id, picked.c.period)
            .subquery()
        )
        value = per_response.c.value
        unit = per_response.c.unit_id if by_unit else sa.null()
        parts.append(
            sa.select(
                unit.label("unit_id"),
                per_response.c.period,
                sa.literal(INDEX, sa.String()).label("measure"),
                sa.func.count().label("n"),
                sa.func.sum(value).label("total"),
                sa.func.sum(value * value).label("squares"),
                _respondents(per_response.c.client_id, per_response.c.response_id).label(
                    "respondents"
                ),
                sa.literal(0).label("promoters"),
                sa.literal(0).label("detractors"),
            ).group_by(*([per_response.c.unit_id] if by_unit else []), per_response.c.period)
        )
    if not parts:
        return []
    query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    return [
        MeasureSums(
            unit_id=None if row[0] is None else int(row[0]),
            period=int(row[1]),
            measure=str(row[2]),
            n=int(row[3]),
            total=float(row[4]),
            squares=float(row[5]),
            respondents=int(row[6]),
            promoters=int(row[7]),
            detractors=int(row[8]),
        )
        for row in session.connection().execute(query)
        if row[1] is not None
    ]


def value_counts(
    session: Session,
    *,
    unit_ids: frozenset[int] | None,
    window: Window,
    measures: Sequence[str],
) -> list[ValueCount]:
    """How many answered each value, per unit, period and measure (the distributions)."""
    period = window.bucket(_responses.c.started_at).label("period")
    query = (
        sa.select(
            _responses.c.unit_id, period, _answers.c.measure, _answers.c.number, sa.func.count()
        )
        .select_from(_answers.join(_responses, _responses.c.id == _answers.c.response_id))
        .where(
            _units_filter(unit_ids),
            window.within(_responses.c.started_at),
            _valid(measures),
        )
        .group_by(_responses.c.unit_id, period, _answers.c.measure, _answers.c.number)
    )
    return [
        ValueCount(int(row[0]), int(row[1]), str(row[2]), float(row[3]), int(row[4]))
        for row in session.connection().execute(query)
        if row[1] is not None
    ]


def flag_counts(
    session: Session, *, unit_ids: frozenset[int] | None, window: Window, by_unit: bool
) -> list[FlagSums]:
    period = window.bucket(_flags.c.created_at).label("period")
    unit = _flags.c.unit_id if by_unit else sa.null()
    units = sa.true() if unit_ids is None else _flags.c.unit_id.in_(sorted(unit_ids))
    query = (
        sa.select(unit.label("unit_id"), period, _flags.c.level, sa.func.count())
        .where(units, window.within(_flags.c.created_at))
        .group_by(*([_flags.c.unit_id] if by_unit else []), period, _flags.c.level)
    )
    return [
        FlagSums(None if row[0] is None else int(row[0]), int(row[1]), str(row[2]), int(row[3]))
        for row in session.connection().execute(query)
        if row[1] is not None
    ]


def _seconds_between(
    session: Session, later: sa.ColumnElement[dt.datetime], earlier: sa.ColumnElement[dt.datetime]
) -> sa.ColumnElement[float]:
    if is_postgresql(session):
        return sa.cast(sa.extract("epoch", later - earlier), sa.Float())
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0


def acknowledge_times(
    session: Session, *, unit_ids: frozenset[int] | None, window: Window, by_unit: bool
) -> list[AckTime]:
    """The median time from a flag to the first time staff acted on it (acknowledged,
    assigned or resolved it), over the flags raised in each period that were acted on."""
    acted = (
        sa.select(_events.c.flag_id, sa.func.min(_events.c.at).label("at"))
        .where(_events.c.action.in_(ACTED), _events.c.staff_id.is_not(None))
        .group_by(_events.c.flag_id)
        .subquery()
    )
    period = window.bucket(_flags.c.created_at)
    unit = _flags.c.unit_id if by_unit else sa.literal(0)
    units = sa.true() if unit_ids is None else _flags.c.unit_id.in_(sorted(unit_ids))
    seconds = _seconds_between(session, acted.c.at, _flags.c.created_at)
    timed = (
        sa.select(unit.label("unit_id"), period.label("period"), seconds.label("seconds"))
        .select_from(_flags.join(acted, acted.c.flag_id == _flags.c.id))
        .where(units, window.within(_flags.c.created_at))
        .subquery()
    )
    group = (timed.c.unit_id, timed.c.period)
    ranked = sa.select(
        timed.c.unit_id,
        timed.c.period,
        timed.c.seconds,
        sa.func.row_number().over(partition_by=group, order_by=timed.c.seconds).label("rank"),
        sa.func.count().over(partition_by=group).label("size"),
    ).subquery()
    middle = 2 * ranked.c.rank
    query = (
        sa.select(
            ranked.c.unit_id,
            ranked.c.period,
            sa.func.max(ranked.c.size),
            sa.func.avg(ranked.c.seconds),
        )
        .where(
            ranked.c.period.is_not(None),
            sa.or_(
                middle == ranked.c.size, middle == ranked.c.size + 1, middle == ranked.c.size + 2
            ),
        )
        .group_by(ranked.c.unit_id, ranked.c.period)
    )
    return [
        AckTime(int(row[0]) if by_unit else None, int(row[1]), int(row[2]), float(row[3]))
        for row in session.connection().execute(query)
    ]


def response_counts(
    session: Session, *, unit_ids: frozenset[int] | None, window: Window, by_unit: bool
) -> list[ResponseCount]:
    period = window.bucket(_responses.c.started_at).label("period")
    unit = _responses.c.unit_id if by_unit else sa.null()
    query = (
        sa.select(
            unit.label("unit_id"),
            period,
            _responses.c.dialog_id,
            sa.func.count(),
            sa.func.sum(sa.case((_responses.c.completed.is_(True), 1), else_=0)),
        )
        .where(_units_filter(unit_ids), window.within(_responses.c.started_at))
        .group_by(*([_responses.c.unit_id] if by_unit else []), period, _responses.c.dialog_id)
    )
    return [
        ResponseCount(
            None if row[0] is None else int(row[0]),
            int(row[1]),
            str(row[2]),
            int(row[3]),
            int(row[4]),
        )
        for row in session.connection().execute(query)
        if row[1] is not None
    ]


def response_rates(
    session: Session, *, unit_ids: frozenset[int] | None, window: Window, by_unit: bool
) -> list[RateSums]:
    """Prompted and completed check-ins per period (and unit, with `by_unit`; else every
    unit together), from the scheduler's deliveries. A delivery is in the period of its
    run's slot (the nominal time of the schedule), so one run's prompts share a period
    however long they took to go out; its unit is the schedule's. Every delivery counts as
    prompted, also one that failed (a person may still open it); completed: its dialog was
    finished with identified answers. `clients`: the people prompted (for small cells)."""
    joined = _deliveries.join(_runs, _runs.c.id == _deliveries.c.run_id).join(
        _schedules, _schedules.c.id == _runs.c.schedule_id
    )
    period = window.bucket(_runs.c.slot).label("period")
    unit = _schedules.c.unit_id if by_unit else sa.null()
    units = sa.true() if unit_ids is None else _schedules.c.unit_id.in_(sorted(unit_ids))
    query = (
        sa.select(
            unit.label("unit_id"),
            period,
            sa.func.count(),
            sa.func.sum(sa.case((_deliveries.c.status == "completed", 1), else_=0)),
            sa.func.count(sa.distinct(_deliveries.c.client_id)),
        )
        .select_from(joined)
        .where(units, window.within(_runs.c.slot))
        .group_by(*([_schedules.c.unit_id] if by_unit else []), period)
    )
    return [
        RateSums(
            None if row[0] is None else int(row[0]),
            int(row[1]),
            int(row[2]),
            int(row[3]),
            int(row[4]),
        )
        for row in session.connection().execute(query)
        if row[1] is not None
    ]


@dataclass(frozen=True, slots=True)
class GasSums:
    period: int
    response_id: str
    weighted: float
    weight_squares: float
    weights: float


def client_sums(
    session: Session, *, client_id: int, window: Window, dimensions: Sequence[str]
) -> list[MeasureSums]:
    """A client's own answers per dimension and period (respondents is 1 where any)."""
    period = window.bucket(_responses.c.started_at).label("period")
    number = _answers.c.number
    query = (
        sa.select(
            period,
            _answers.c.measure,
            sa.func.count(),
            sa.func.sum(number),
            sa.func.sum(number * number),
        )
        .select_from(_answers.join(_responses, _responses.c.id == _answers.c.response_id))
        .where(
            _responses.c.client_id == client_id,
            window.within(_responses.c.started_at),
            _valid(dimensions),
        )
        .group_by(period, _answers.c.measure)
    )
    return [
        MeasureSums(
            None, int(row[0]), str(row[1]), int(row[2]), float(row[3]), float(row[4]), 1, 0, 0
        )
        for row in session.connection().execute(query)
        if row[0] is not None
    ]


def client_gas_sums(session: Session, *, client_id: int, window: Window) -> list[GasSums]:
    """Per response of the client: Σwᵢxᵢ, Σwᵢ², Σwᵢ over its rated goals (a weight that is not
    a positive number counts as 1, as `dialogs.scoring.gas_weight` says)."""
    period = window.bucket(_responses.c.started_at).label("period")
    stored = _goals.c.weight
    weight = sa.case(
        (sa.and_(stored > 0, stored <= 1e300), stored), else_=sa.literal(1.0, sa.Float())
    )
    level = _answers.c.number
    query = (
        sa.select(
            period,
            _responses.c.public_id,
            sa.func.sum(weight * level),
            sa.func.sum(weight * weight),
            sa.func.sum(weight),
        )
        .select_from(
            _answers.join(_responses, _responses.c.id == _answers.c.response_id).join(
                _goals, _goals.c.id == _answers.c.goal_id
            )
        )
        .where(
            _responses.c.client_id == client_id,
            window.within(_responses.c.started_at),
            _answers.c.measure == GAS_MEASURE,
            _answers.c.skipped.is_(False),
            level.between(-2, 2),
        )
        .group_by(period, _responses.c.public_id)
    )
    return [
        GasSums(int(row[0]), str(row[1]), float(row[2]), float(row[3]), float(row[4]))
        for row in session.connection().execute(query)
        if row[0] is not None
    ]
