"""Reports: a unit's wellbeing and service experience by period, units side by side, and a
client's course; as JSON, CSV (Finnish Excel), XLSX and SVG charts.

The sums come from SQL (storage/repositories/reports.py); the figures and the small-cell
protection from dialogs/reporting.py. Groups under 5 respondents are withheld, and so are the
groups that would tell them through a total; every answer says what it withheld and why.
Periods are calendar weeks (ISO), months, quarters and years in Finnish time.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, WithJsonSchema
from sqlmodel import Session

from api import audit
from api.auth import ADMIN, COORDINATOR, may_read, run_as, sees_unit
from api.charts import bars_svg, trend_svg
from api.context import ApiContext
from api.deps import PERSON_LINKED, ClientId, ContextDep, CurrentStaff, Unchecked, UnitId, purpose
from api.exports import Cell, finnish_csv, xlsx
from api.problems import forbidden, not_found
from bot.i18n import Translations
from dialogs.model import N_
from dialogs.reporting import (
    PREVIOUS_SUPPRESSED,
    Moments,
    Period,
    PeriodKind,
    change,
    gas_t_of_sums,
    local_date,
    mean_interval,
    nps_of_counts,
    period_of,
    periods_between,
    small,
    suppress,
)
from dialogs.scoring import WELLBEING_DIMENSIONS
from storage.repositories import reports, responses, units
from storage.repositories.reports import MeasureSums, Window
from storage.repositories.staff import Member

router = APIRouter(tags=["reports"])

SERVICE_ITEMS = ("information", "worker_cares", "reachability", "safe_feedback")
NPS = reports.NPS_MEASURE
INDEX = "index"
ANSWERED = (*WELLBEING_DIMENSIONS, *SERVICE_ITEMS, NPS)
COLUMNS = (*WELLBEING_DIMENSIONS, INDEX, NPS, *SERVICE_ITEMS)
RATE = "response_rate"  # its measure's name in `suppressed` and in the exports
MAX_PERIODS = 120
LABELS = {
    "joy": N_("Joy"),
    "belonging": N_("Belonging"),
    "coping": N_("Coping"),
    "physical": N_("Physical wellbeing"),
    INDEX: N_("Wellbeing index"),
    NPS: N_("Recommendation (NPS)"),
    "information": N_("Understandable information"),
    "worker_cares": N_("A worker who cared"),
    "reachability": N_("Reaching the worker"),
    "safe_feedback": N_("Safe to give feedback"),
    "gas": N_("Goal attainment (GAS T-score)"),
    "total": N_("Organisation"),
}
ChartMeasure = Literal[
    "wellbeing",
    "joy",
    "belonging",
    "coping",
    "physical",
    "index",
    "recommend",
    "information",
    "worker_cares",
    "reachability",
    "safe_feedback",
]
Lang = Literal["fi", "sv", "en"]
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# The documented form names days 1-28 of 2000-2100, so that every example drawn from the
# schema is a real day in range; any real day from 2000-01-01 to 2100-12-31 is taken.
_DAY_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "format": "date",
        "pattern": r"^(20[0-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
        "description": "a day from 2000-01-01 to 2100-12-31",
    }
)
Day = Annotated[dt.date, _DAY_SCHEMA]
DayParam = Annotated[
    Day | None,
    Query(ge=FIRST_DAY, le=LAST_DAY, description="a day in the period; default: today"),
]
KindParam = Annotated[PeriodKind, Query(description="week, month, quarter or year")]


@functools.cache
def _translations() -> Translations:
    return Translations.load()


def _label(measure: str, lang: str) -> str:
    return _translations().get(lang).gettext(LABELS[measure])


def _r(value: float | None) -> float | None:
    """Rounded, so that SQLite and PostgreSQL give the same figures to the last digit shown."""
    return None if value is None else round(value, 3)


class PeriodOut(BaseModel):
    kind: PeriodKind
    label: str
    first_day: dt.date
    last_day: dt.date

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        return cls(
            kind=period.kind,
            label=period.label,
            first_day=period.first,
            last_day=period.after - dt.timedelta(days=1),
        )


class ChangeOut(BaseModel):
    difference: float
    low: float
    high: float
    previous_mean: float


class Figure(BaseModel):
    """A group's figure: a mean (1-5) or, for the NPS, the score (-100..100), with its 95%
    interval; all null when the group is withheld (`suppressed` says why)."""

    measure: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = Field(default=None, description="answers")
    respondents: int | None = None
    suppressed: str | None = None
    distribution: dict[str, int] | None = Field(
        default=None, description="answer value -> how many gave it"
    )
    change: ChangeOut | None = Field(default=None, description="against the previous period")
    change_suppressed: str | None = None
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None


class Withheld(BaseModel):
    unit_id: int | None = Field(description="null: the organisation's total")
    measure: str
    period: str
    reason: str


class FlagFigures(BaseModel):
    crisis: int
    concern: int
    acknowledged: int
    median_minutes_to_acknowledge: float | None


class ResponseCountOut(BaseModel):
    dialog_id: str
    started: int
    completed: int


class ResponseRate(BaseModel):
    """Scheduled check-ins of the period (by their run's planned time): how many prompts
    went out and how many were answered; all null when withheld (`suppressed` says why:
    the group is the clients prompted, as small as the answers' groups may be)."""

    prompted: int | None = Field(default=None, description="prompts sent (deliveries)")
    completed: int | None = Field(default=None, description="prompts answered")
    clients: int | None = Field(default=None, description="clients prompted")
    rate: float | None = Field(default=None, description="completed / prompted")
    suppressed: str | None = None

    @classmethod
    def of(cls, sums: reports.RateSums | None, *, withheld: str | None) -> ResponseRate:
        if withheld is not None:
            return cls(suppressed=withheld)
        if sums is None:
            return cls(prompted=0, completed=0, clients=0)
        return cls(
            prompted=sums.prompted,
            completed=sums.completed,
            clients=sums.clients,
            rate=_r(sums.completed / sums.prompted) if sums.prompted else None,
        )


class UnitReport(BaseModel):
    unit_id: int
    unit_name: str
    period: PeriodOut
    previous: PeriodOut
    minimum_group: int = 5
    dimensions: list[Figure]
    index: Figure
    nps: Figure
    service: list[Figure]
    responses: list[ResponseCountOut]
    flags: FlagFigures
    response_rate: ResponseRate
    suppressed: list[Withheld]


class UnitColumn(BaseModel):
    unit_id: int | None = Field(description="null: the organisation's total")
    name: str
    figures: list[Figure]
    flags: FlagFigures
    response_rate: ResponseRate


class Comparison(BaseModel):
    period: PeriodOut
    minimum_group: int = 5
    units: list[UnitColumn]
    total: UnitColumn
    suppressed: list[Withheld]


class ClientPeriod(BaseModel):
    period: PeriodOut
    dimensions: dict[str, float | None]
    answers: dict[str, int]
    index: float | None
    gas_t_score: float | None = Field(description="mean of the period's check-ins' T-scores")
    gas_check_ins: int


class ClientReport(BaseModel):
    client_id: int
    periods: list[ClientPeriod]


# Figures ---------------------------------------------------------------------------------

Key = tuple[int | None, int, str]  # unit (None: total), period (0 = oldest), measure


def _by_key(rows: Sequence[MeasureSums]) -> dict[Key, MeasureSums]:
    return {(row.unit_id, row.period, row.measure): row for row in rows}


def _sums(
    session: Session,
    *,
    unit_ids: frozenset[int] | None,
    window: Window,
    by_unit: bool,
    measures: Sequence[str] = ANSWERED,
    index: bool = True,
    client_id: int | None = None,
) -> dict[Key, MeasureSums]:
    return _by_key(
        reports.answer_sums(
            session,
            unit_ids=unit_ids,
            window=window,
            measures=measures,
            dimensions=WELLBEING_DIMENSIONS if index else (),
            by_unit=by_unit,
            client_id=client_id,
        )
    )


def _moments(row: MeasureSums | None) -> Moments:
    return Moments(0, 0.0, 0.0) if row is None else Moments(row.n, row.total, row.squares)


def _figure(
    measure: str,
    current: MeasureSums | None,
    previous: MeasureSums | None,
    *,
    withheld: str | None,
    distribution: dict[str, int] | None = None,
) -> Figure:
    if withheld is not None:
        return Figure(measure=measure, suppressed=withheld)
    if current is None:
        return Figure(measure=measure, n=0, respondents=0)
    figure = Figure(measure=measure, n=current.n, respondents=current.respondents)
    if measure == NPS:
        passives = current.n - current.promoters - current.detractors
        score = nps_of_counts(
            promoters=current.promoters, passives=passives, detractors=current.detractors
        )
        assert score is not None
        figure.value, figure.low, figure.high = _r(score.score), _r(score.low), _r(score.high)
        figure.promoters, figure.passives = current.promoters, passives
        figure.detractors = current.detractors
    else:
        moments = _moments(current)
        interval = mean_interval(moments)
        figure.value = _r(moments.mean)
        if interval is not None:
            figure.low, figure.high = _r(interval.low), _r(interval.high)
        if previous is not None and small(previous.respondents):
            figure.change_suppressed = PREVIOUS_SUPPRESSED
        elif previous is not None:
            difference = change(moments, _moments(previous))
            if difference is not None:
                figure.change = ChangeOut(
                    difference=_r(difference.value) or 0.0,
                    low=_r(difference.low) or 0.0,
                    high=_r(difference.high) or 0.0,
                    previous_mean=_r(_moments(previous).mean) or 0.0,
                )
    figure.distribution = distribution
    return figure


def _today(context: ApiContext, day: dt.date | None) -> dt.date:
    return day if day is not None else local_date(context.clock())


def _flags(
    session: Session,
    *,
    unit_ids: frozenset[int] | None,
    window: Window,
    period: int,
    by_unit: bool,
) -> dict[int | None, FlagFigures]:
    counts = reports.flag_counts(session, unit_ids=unit_ids, window=window, by_unit=by_unit)
    times = reports.acknowledge_times(session, unit_ids=unit_ids, window=window, by_unit=by_unit)
    found: dict[int | None, FlagFigures] = {}

    def of(unit: int | None) -> FlagFigures:
        return found.setdefault(
            unit,
            FlagFigures(crisis=0, concern=0, acknowledged=0, median_minutes_to_acknowledge=None),
        )

    for row in counts:
        if row.period == period and row.level in ("crisis", "concern"):
            setattr(of(row.unit_id), row.level, row.count)
    for time in times:
        if time.period == period:
            figures = of(time.unit_id)
            figures.acknowledged = time.acknowledged
            figures.median_minutes_to_acknowledge = _r(time.median_seconds / 60)
    return found


def _no_flags() -> FlagFigures:
    return FlagFigures(crisis=0, concern=0, acknowledged=0, median_minutes_to_acknowledge=None)


def _unit_report(
    session: Session, *, unit_id: int, unit_name: str, kind: PeriodKind, day: dt.date
) -> UnitReport:
    current = period_of(kind, day)
    previous = current.previous()
    window = Window([previous.start, current.start], [previous.end, current.end])
    scope = frozenset({unit_id})
    sums = _sums(session, unit_ids=scope, window=window, by_unit=True)
    distributions: dict[str, dict[str, int]] = {}
    for count in reports.value_counts(session, unit_ids=scope, window=window, measures=ANSWERED):
        if count.period == 1:
            distributions.setdefault(count.measure, {})[f"{count.value:g}"] = count.count
    withheld: list[Withheld] = []

    def figure(measure: str) -> Figure:
        now, before = sums.get((unit_id, 1, measure)), sums.get((unit_id, 0, measure))
        reason = suppress({measure: now.respondents if now else 0}, with_total=False).reason(
            measure
        )
        if reason is not None:
            withheld.append(
                Withheld(unit_id=unit_id, measure=measure, period=current.label, reason=reason)
            )
        found = _figure(
            measure,
            now,
            before,
            withheld=reason,
            distribution=None if measure == INDEX else distributions.get(measure, {}),
        )
        if found.change_suppressed is not None:
            withheld.append(
                Withheld(
                    unit_id=unit_id,
                    measure=f"{measure}.change",
                    period=previous.label,
                    reason=found.change_suppressed,
                )
            )
        return found

    rates = {
        row.period: row
        for row in reports.response_rates(session, unit_ids=scope, window=window, by_unit=True)
    }
    rate = rates.get(1)
    rate_withheld = suppress({RATE: rate.clients if rate else 0}, with_total=False).reason(RATE)
    if rate_withheld is not None:
        withheld.append(
            Withheld(unit_id=unit_id, measure=RATE, period=current.label, reason=rate_withheld)
        )
    counts = reports.response_counts(session, unit_ids=scope, window=window, by_unit=True)
    flags = _flags(session, unit_ids=scope, window=window, period=1, by_unit=True)
    return UnitReport(
        unit_id=unit_id,
        unit_name=unit_name,
        period=PeriodOut.of(current),
        previous=PeriodOut.of(previous),
        dimensions=[figure(measure) for measure in WELLBEING_DIMENSIONS],
        index=figure(INDEX),
        nps=figure(NPS),
        service=[figure(measure) for measure in SERVICE_ITEMS],
        responses=[
            ResponseCountOut(dialog_id=row.dialog_id, started=row.started, completed=row.completed)
            for row in sorted(counts, key=lambda row: row.dialog_id)
            if row.period == 1
        ],
        flags=flags.get(unit_id, _no_flags()),
        response_rate=ResponseRate.of(rate, withheld=rate_withheld),
        suppressed=withheld,
    )


def _visible_unit(session: Session, member: Member, unit_id: int) -> str:
    unit = units.unit_by_id(session, unit_id=unit_id)
    if unit is None or not sees_unit(member, unit_id):
        raise not_found("unit")
    return unit.name


def _rates(
    session: Session,
    *,
    scope: frozenset[int],
    window: Window,
    period: Period,
    withheld: list[Withheld],
) -> dict[int | None, ResponseRate]:
    """The units' response rates beside the organisation's, withheld as the figures are:
    each group is the clients prompted; the units the caller does not see are one group."""
    per_unit = {
        row.unit_id: row
        for row in reports.response_rates(session, unit_ids=scope, window=window, by_unit=True)
    }
    total = next(
        iter(reports.response_rates(session, unit_ids=None, window=window, by_unit=False)), None
    )
    groups = {
        str(unit_id): per_unit[unit_id].clients if unit_id in per_unit else 0 for unit_id in scope
    }
    unseen = max((total.clients if total else 0) - sum(groups.values()), 0)
    decided = suppress(groups, with_total=True, unseen=unseen)
    found: dict[int | None, ResponseRate] = {}
    for unit_id in sorted(scope):
        reason = decided.reason(str(unit_id))
        if reason is not None:
            withheld.append(
                Withheld(unit_id=unit_id, measure=RATE, period=period.label, reason=reason)
            )
        found[unit_id] = ResponseRate.of(per_unit.get(unit_id), withheld=reason)
    if decided.total is not None:
        withheld.append(
            Withheld(unit_id=None, measure=RATE, period=period.label, reason=decided.total)
        )
    found[None] = ResponseRate.of(total, withheld=decided.total)
    return found


def _comparison(session: Session, *, member: Member, kind: PeriodKind, day: dt.date) -> Comparison:
    if member.role not in (COORDINATOR, ADMIN):
        raise forbidden("only coordinators and admins compare units")
    shown = units.units_by_ids(session, unit_ids=None if member.role == ADMIN else member.unit_ids)
    scope = frozenset(unit.id for unit in shown if unit.id is not None)
    current = period_of(kind, day)
    window = Window([current.start], [current.end])
    per_unit = _sums(session, unit_ids=scope, window=window, by_unit=True)
    total = _sums(session, unit_ids=None, window=window, by_unit=False)
    withheld: list[Withheld] = []
    columns: dict[int | None, list[Figure]] = {unit_id: [] for unit_id in [*sorted(scope), None]}
    for measure in COLUMNS:
        groups = {}
        for unit_id in scope:
            row = per_unit.get((unit_id, 0, measure))
            groups[str(unit_id)] = row.respondents if row else 0
        total_row = total.get((None, 0, measure))
        unseen = max((total_row.respondents if total_row else 0) - sum(groups.values()), 0)
        decided = suppress(groups, with_total=True, unseen=unseen)
        for unit_id in sorted(scope):
            reason = decided.reason(str(unit_id))
            if reason is not None:
                withheld.append(
                    Withheld(unit_id=unit_id, measure=measure, period=current.label, reason=reason)
                )
            columns[unit_id].append(
                _figure(measure, per_unit.get((unit_id, 0, measure)), None, withheld=reason)
            )
        if decided.total is not None:
            withheld.append(
                Withheld(unit_id=None, measure=measure, period=current.label, reason=decided.total)
            )
        columns[None].append(_figure(measure, total_row, None, withheld=decided.total))
    rates = _rates(session, scope=scope, window=window, period=current, withheld=withheld)
    flags = _flags(session, unit_ids=scope, window=window, period=0, by_unit=True)
    all_flags = _flags(session, unit_ids=None, window=window, period=0, by_unit=False)
    names = {unit.id: unit.name for unit in shown}
    return Comparison(
        period=PeriodOut.of(current),
        units=[
            UnitColumn(
                unit_id=unit_id,
                name=names[unit_id],
                figures=columns[unit_id],
                flags=flags.get(unit_id, _no_flags()),
                response_rate=rates[unit_id],
            )
            for unit_id in sorted(scope)
        ],
        total=UnitColumn(
            unit_id=None,
            name="total",
            figures=columns[None],
            flags=all_flags.get(None, _no_flags()),
            response_rate=rates[None],
        ),
        suppressed=withheld,
    )


# Endpoints -------------------------------------------------------------------------------


@router.get("/units/{unit_id}/report")
async def unit_report(
    unit_id: UnitId,
    member: CurrentStaff,
    context: ContextDep,
    period: KindParam = "month",
    date: DayParam = None,
) -> UnitReport:
    """A unit's report for the period that holds `date`, with the change against the one
    before. Anonymous answers count only in these aggregates."""
    day = _today(context, date)

    def work(session: Session) -> UnitReport:
        name = _visible_unit(session, member, unit_id)
        return _unit_report(session, unit_id=unit_id, unit_name=name, kind=period, day=day)

    return await context.database.run(work)


@router.get("/reports/units")
async def compare_units(
    member: CurrentStaff, context: ContextDep, period: KindParam = "month", date: DayParam = None
) -> Comparison:
    """The caller's units side by side and the organisation's total (coordinators, admins)."""
    day = _today(context, date)

    def work(session: Session) -> Comparison:
        return _comparison(session, member=member, kind=period, day=day)

    return await context.database.run(work)


EXPORT_HEADER = (
    "figure",
    "unit_id",
    "unit",
    "measure",
    "period",
    "answer",
    "value",
    "low",
    "high",
    "n",
    "respondents",
    "suppressed",
)


def _figure_rows(unit_id: int | None, unit: str, period: str, figure: Figure) -> list[list[Cell]]:
    kind = "nps" if figure.measure == NPS else "mean"
    rows: list[list[Cell]] = [
        [
            kind,
            unit_id,
            unit,
            figure.measure,
            period,
            None,
            figure.value,
            figure.low,
            figure.high,
            figure.n,
            figure.respondents,
            figure.suppressed,
        ]
    ]
    if figure.change is not None or figure.change_suppressed is not None:
        found = figure.change
        rows.append(
            [
                "change",
                unit_id,
                unit,
                figure.measure,
                period,
                None,
                found.difference if found else None,
                found.low if found else None,
                found.high if found else None,
                None,
                None,
                figure.change_suppressed,
            ]
        )
    for value, count in (figure.distribution or {}).items():
        rows.append(
            [
                "count",
                unit_id,
                unit,
                figure.measure,
                period,
                float(value),
                count,
                None,
                None,
                None,
                None,
                None,
            ]
        )
    return rows


def _flag_rows(unit_id: int | None, unit: str, period: str, flags: FlagFigures) -> list[list[Cell]]:
    def row(figure: str, measure: str, value: float | None) -> list[Cell]:
        return [figure, unit_id, unit, measure, period, None, value, None, None, None, None, None]

    return [
        row("flags", "crisis", flags.crisis),
        row("flags", "concern", flags.concern),
        row("flags", "acknowledged", flags.acknowledged),
        row("median_minutes_to_acknowledge", "flags", flags.median_minutes_to_acknowledge),
    ]


def _rate_rows(unit_id: int | None, unit: str, period: str, rate: ResponseRate) -> list[list[Cell]]:
    """The response rate (value), with the prompts sent (n) and the clients prompted."""
    return [
        [
            RATE,
            unit_id,
            unit,
            "check_ins",
            period,
            None,
            rate.rate,
            None,
            None,
            rate.prompted,
            rate.clients,
            rate.suppressed,
        ],
        [
            "check_ins_completed",
            unit_id,
            unit,
            "check_ins",
            period,
            None,
            rate.completed,
            None,
            None,
            None,
            None,
            rate.suppressed,
        ],
    ]


def _unit_rows(report: UnitReport) -> list[list[Cell]]:
    label = report.period.label
    rows: list[list[Cell]] = []
    for figure in [*report.dimensions, report.index, report.nps, *report.service]:
        rows += _figure_rows(report.unit_id, report.unit_name, label, figure)
    for count in report.responses:
        for what, value in (("started", count.started), ("completed", count.completed)):
            rows.append(
                [
                    f"responses_{what}",
                    report.unit_id,
                    report.unit_name,
                    count.dialog_id,
                    label,
                    None,
                    value,
                    None,
                    None,
                    None,
                    None,
                    None,
                ]
            )
    rows += _rate_rows(report.unit_id, report.unit_name, label, report.response_rate)
    return rows + _flag_rows(report.unit_id, report.unit_name, label, report.flags)


def _comparison_rows(report: Comparison) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for column in [*report.units, report.total]:
        for figure in column.figures:
            rows += _figure_rows(column.unit_id, column.name, report.period.label, figure)
        rows += _rate_rows(column.unit_id, column.name, report.period.label, column.response_rate)
        rows += _flag_rows(column.unit_id, column.name, report.period.label, column.flags)
    return rows


Format = Literal["csv", "xlsx"]
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}
_XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {_MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}
}


def _file(rows: list[list[Cell]], *, name: str, form: Format) -> Response:
    body = finnish_csv(EXPORT_HEADER, rows) if form == "csv" else xlsx(name, EXPORT_HEADER, rows)
    return Response(
        body,
        media_type=_MEDIA[form],
        headers={"Content-Disposition": f'attachment; filename="{name}.{form}"'},
    )


async def _unit_file(
    context: ApiContext,
    member: Member,
    *,
    unit_id: int,
    kind: PeriodKind,
    day: dt.date | None,
    form: Format,
) -> Response:
    found = _today(context, day)

    def work(session: Session) -> UnitReport:
        name = _visible_unit(session, member, unit_id)
        return _unit_report(session, unit_id=unit_id, unit_name=name, kind=kind, day=found)

    report = await context.database.run(work)
    return _file(_unit_rows(report), name=f"report-{unit_id}-{report.period.label}", form=form)


async def _comparison_file(
    context: ApiContext, member: Member, *, kind: PeriodKind, day: dt.date | None, form: Format
) -> Response:
    found = _today(context, day)

    def work(session: Session) -> Comparison:
        return _comparison(session, member=member, kind=kind, day=found)

    report = await context.database.run(work)
    return _file(_comparison_rows(report), name=f"units-{report.period.label}", form=form)


@router.get("/units/{unit_id}/report.csv", response_class=Response, responses=_CSV)
async def export_unit_report_csv(
    unit_id: UnitId,
    member: CurrentStaff,
    context: ContextDep,
    period: KindParam = "month",
    date: DayParam = None,
) -> Response:
    """The unit's report as a CSV for Finnish Excel (`;`, decimal comma, BOM), with the same
    withholding; a withheld figure's row has no numbers and says why."""
    return await _unit_file(context, member, unit_id=unit_id, kind=period, day=date, form="csv")


@router.get("/units/{unit_id}/report.xlsx", response_class=Response, responses=_XLSX)
async def export_unit_report_xlsx(
    unit_id: UnitId,
    member: CurrentStaff,
    context: ContextDep,
    period: KindParam = "month",
    date: DayParam = None,
) -> Response:
    """The unit's report as an XLSX workbook, the same rows as the CSV."""
    return await _unit_file(context, member, unit_id=unit_id, kind=period, day=date, form="xlsx")


@router.get("/reports/units.csv", response_class=Response, responses=_CSV)
async def export_comparison_csv(
    member: CurrentStaff, context: ContextDep, period: KindParam = "month", date: DayParam = None
) -> Response:
    """The comparison of units as a CSV for Finnish Excel."""
    return await _comparison_file(context, member, kind=period, day=date, form="csv")


@router.get("/reports/units.xlsx", response_class=Response, responses=_XLSX)
async def export_comparison_xlsx(
    member: CurrentStaff, context: ContextDep, period: KindParam = "month", date: DayParam = None
) -> Response:
    """The comparison of units as an XLSX workbook."""
    return await _comparison_file(context, member, kind=period, day=date, form="xlsx")


_SVG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}
}


def _scale(measure: str) -> tuple[float, float]:
    if measure == NPS:
        return -100.0, 100.0
    if measure == "gas":
        return 20.0, 80.0
    return 1.0, 5.0


def _svg_response(body: bytes) -> Response:
    return Response(body, media_type="image/svg+xml")


@router.get("/units/{unit_id}/report/chart.svg", response_class=Response, responses=_SVG)
async def unit_chart(
    unit_id: UnitId,
    member: CurrentStaff,
    context: ContextDep,
    measure: ChartMeasure = "wellbeing",
    period: KindParam = "month",
    date: DayParam = None,
    periods: Annotated[int, Query(ge=2, le=36, description="how many periods")] = 12,
    lang: Lang = "fi",
) -> Response:
    """A measure's course over the last periods (wellbeing: the four dimensions); a withheld
    period is a gap in the line."""
    last = period_of(period, _today(context, date))
    shown = [last]
    while len(shown) < periods:
        shown.insert(0, shown[0].previous())
    window = Window([p.start for p in shown], [p.end for p in shown])
    measures = list(WELLBEING_DIMENSIONS) if measure == "wellbeing" else [measure]

    def work(session: Session) -> dict[Key, MeasureSums]:
        _visible_unit(session, member, unit_id)
        scope = frozenset({unit_id})
        answered = [m for m in measures if m != INDEX]
        return _sums(
            session,
            unit_ids=scope,
            window=window,
            by_unit=True,
            measures=answered,
            index=INDEX in measures,
        )

    sums = await context.database.run(work)
    series = []
    for name in measures:
        values: list[float | None] = []
        for index in range(len(shown)):
            row = sums.get((unit_id, index, name))
            withheld = row is None or small(row.respondents)
            values.append(None if withheld else _figure(name, row, None, withheld=None).value)
        series.append((_label(name, lang), values))
    low, high = _scale(measures[0])
    title = _label("index", lang) if measure == "wellbeing" else _label(measure, lang)
    return _svg_response(
        trend_svg(title=title, labels=[p.label for p in shown], series=series, low=low, high=high)
    )


@router.get("/reports/units/chart.svg", response_class=Response, responses=_SVG)
async def comparison_chart(
    member: CurrentStaff,
    context: ContextDep,
    measure: Annotated[str, Query(pattern="^(" + "|".join(COLUMNS) + ")$")] = INDEX,
    period: KindParam = "month",
    date: DayParam = None,
    lang: Lang = "fi",
) -> Response:
    """One bar per unit and one for the organisation; a withheld group has no bar."""
    day = _today(context, date)

    def work(session: Session) -> Comparison:
        return _comparison(session, member=member, kind=period, day=day)

    report = await context.database.run(work)
    position = COLUMNS.index(measure)
    bars = [(column.name, column.figures[position].value) for column in report.units]
    bars.append((_label("total", lang), report.total.figures[position].value))
    low, high = _scale(measure)
    return _svg_response(bars_svg(title=_label(measure, lang), bars=bars, low=low, high=high))


# A client's course -----------------------------------------------------------------------


def _client_periods(
    context: ApiContext, kind: PeriodKind, since: dt.date | None, until: dt.date | None
) -> list[Period]:
    last = until if until is not None else local_date(context.clock())
    first = since if since is not None else period_of(kind, last).first - dt.timedelta(days=1)
    if since is None:
        shown = [period_of(kind, last)]
        while len(shown) < 12:
            shown.insert(0, shown[0].previous())
        return shown
    if first > last:
        return []
    shown = periods_between(kind, first, last)
    return shown[-MAX_PERIODS:]


def _client_report(
    session: Session, *, member: Member, client_id: int, shown: list[Period]
) -> ClientReport:
    client = responses.timeline_client(session, client_id=client_id)
    if client is None or not may_read(
        member, unit_id=client.unit_id, caseworker_id=client.caseworker_id
    ):
        raise not_found("client")
    if not shown:
        return ClientReport(client_id=client_id, periods=[])
    window = Window([p.start for p in shown], [p.end for p in shown])
    sums = _by_key(
        reports.client_sums(
            session, client_id=client_id, window=window, dimensions=WELLBEING_DIMENSIONS
        )
    )
    index = _sums(
        session, unit_ids=None, window=window, by_unit=False, client_id=client_id, measures=()
    )
    gas: dict[int, list[float]] = {}
    for row in reports.client_gas_sums(session, client_id=client_id, window=window):
        t_score = gas_t_of_sums(
            weighted=row.weighted, weight_squares=row.weight_squares, weights=row.weights
        )
        if t_score is not None:
            gas.setdefault(row.period, []).append(t_score)
    periods = []
    for position, period in enumerate(shown):
        scores = gas.get(position, [])
        periods.append(
            ClientPeriod(
                period=PeriodOut.of(period),
                dimensions={
                    m: _r(_moments(sums.get((None, position, m))).mean)
                    for m in WELLBEING_DIMENSIONS
                },
                answers={
                    m: _moments(sums.get((None, position, m))).n for m in WELLBEING_DIMENSIONS
                },
                index=_r(_moments(index.get((None, position, INDEX))).mean),
                gas_t_score=_r(sum(scores) / len(scores)) if scores else None,
                gas_check_ins=len(scores),
            )
        )
    return ClientReport(client_id=client_id, periods=periods)


SinceParam = Annotated[Day | None, Query(ge=FIRST_DAY, le=LAST_DAY)]


@router.get("/clients/{client_id}/report", openapi_extra=PERSON_LINKED)
async def client_report(
    client_id: ClientId,
    caller: Unchecked,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
    period: KindParam = "month",
    since: SinceParam = None,
    until: SinceParam = None,
) -> ClientReport:
    """A client's four dimensions, index and GAS T-score per period from `since` to `until`
    (by default the last 12; at most the last 120; none when `since` is after `until`), for
    the client's caseworker (and the unit's coordinators). An audited read."""
    shown = _client_periods(context, period, since, until)

    def work(session: Session, member: Member) -> ClientReport:
        report = _client_report(session, member=member, client_id=client_id, shown=shown)
        audit.record(
            session,
            member,
            action="client.report",
            target=f"client/{client_id}/report?period={period}&since={since or ''}"
            f"&until={until or ''}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return report

    return await run_as(context, caller, work)


@router.get(
    "/clients/{client_id}/report/chart.svg",
    openapi_extra=PERSON_LINKED,
    response_class=Response,
    responses=_SVG,
)
async def client_chart(
    client_id: ClientId,
    caller: Unchecked,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
    measure: Literal["wellbeing", "gas"] = "wellbeing",
    period: KindParam = "month",
    since: SinceParam = None,
    until: SinceParam = None,
    lang: Lang = "fi",
) -> Response:
    """The client's course as a chart: the four dimensions and the index, or the GAS T-score."""
    shown = _client_periods(context, period, since, until)

    def work(session: Session, member: Member) -> ClientReport:
        report = _client_report(session, member=member, client_id=client_id, shown=shown)
        audit.record(
            session,
            member,
            action="client.report_chart",
            target=f"client/{client_id}/report/chart.svg?measure={measure}&period={period}"
            f"&since={since or ''}&until={until or ''}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return report

    report = await run_as(context, caller, work)
    labels = [row.period.label for row in report.periods]
    if measure == "gas":
        series = [(_label("gas", lang), [row.gas_t_score for row in report.periods])]
        title = _label("gas", lang)
    else:
        series = [
            (_label(m, lang), [row.dimensions[m] for row in report.periods])
            for m in WELLBEING_DIMENSIONS
        ]
        series.append((_label(INDEX, lang), [row.index for row in report.periods]))
        title = _label(INDEX, lang)
    low, high = _scale(measure)
    return _svg_response(trend_svg(title=title, labels=labels, series=series, low=low, high=high))
