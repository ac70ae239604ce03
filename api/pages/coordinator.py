"""The coordinator's pages: a unit's check-in schedules (create, preview the next send times,
pause, resume, response rates), its report with a chart and exports, the units side by side,
and a client's chart for their caseworker. As everywhere on the staff pages, each page calls
the staff API's own endpoint function with the signed-in member, so that scoping (P5),
refusals and audit rows are the API's; the pages add only the role they are for."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_day_names
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api import reports as reports_api
from api import schedules as schedules_api
from api import units as units_api
from api.auth import ADMIN, COORDINATOR, Caller
from api.pages import coordinator_texts as co
from api.pages.web import PageError, Pages, Visit
from dialogs.reporting import COMPLEMENTARY, FEWER_THAN_MIN, PREVIOUS_SUPPRESSED, PeriodKind

MAX_ID = 2**31 - 1
NUMBER = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}
PERIODS: dict[str, str] = {
    "week": co.PERIOD_WEEK,
    "month": co.PERIOD_MONTH,
    "quarter": co.PERIOD_QUARTER,
    "year": co.PERIOD_YEAR,
}
AUDIENCES = {
    "youth": co.AUDIENCE_YOUTH,
    "child": co.AUDIENCE_CHILD,
    "parent": co.AUDIENCE_PARENT,
}
SHOWN_AUDIENCES = {**AUDIENCES, "clients": co.AUDIENCE_CLIENTS}
DIALOGS = {
    "youth_checkin": co.DIALOG_YOUTH_CHECKIN,
    "child_checkin": co.DIALOG_CHILD_CHECKIN,
    "parent_service": co.DIALOG_PARENT_SERVICE,
    "meeting_followup": co.DIALOG_MEETING_FOLLOWUP,
    "open_feedback": co.DIALOG_OPEN_FEEDBACK,
    "info": co.DIALOG_INFO,
}
WHY = {
    FEWER_THAN_MIN: co.WHY_FEWER,
    COMPLEMENTARY: co.WHY_COMPLEMENT,
    PREVIOUS_SUPPRESSED: co.WHY_PREVIOUS,
}
DONE = {"created": co.CREATED, "paused": co.PAUSED_DONE, "resumed": co.RESUMED_DONE}
# An SVG shown as an image: its own styles only; no script runs in an image anyway.
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def _id(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise PageError.of(404)
    return int(value)


def _field_id(value: str | None) -> int:
    if not value or not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise PageError.of(400)
    return int(value)


def _period(value: str | None) -> PeriodKind:
    if value is None or value == "":
        return "month"
    if value not in PERIODS:
        raise PageError.of(400)
    return cast(PeriodKind, value)


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise PageError.of(400) from error
    if not reports_api.FIRST_DAY <= day <= reports_api.LAST_DAY:
        raise PageError.of(400)
    return day


def _lang(language: str) -> Literal["fi", "sv", "en"]:
    return cast(Literal["fi", "sv", "en"], language if language in ("fi", "sv", "en") else "fi")


def _coordinator(visit: Visit) -> None:
    """These pages are a coordinator's (and an admin's): anyone else gets a 403 page."""
    if visit.signed_in.member.role not in (COORDINATOR, ADMIN):
        raise PageError.of(403)


def _query(period: str, day: dt.date | None) -> str:
    return f"period={period}" + ("" if day is None else f"&date={day.isoformat()}")


def _svg(response: Response) -> Response:
    response.headers.update(SVG_HEADERS)
    return response


def coordinator_pages(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    context = pages.context

    def render(
        request: Request, template: str, visit: Visit, *, title: str, **values: Any
    ) -> HTMLResponse:
        translator = pages.translator(visit.language)
        language = visit.language

        def num(value: float | None, digits: int = 1) -> str:
            if value is None:
                return "–"
            return format_decimal(round(value, digits), format=NUMBER[digits], locale=language)

        def signed(value: float, digits: int = 1) -> str:
            return ("+" if value > 0 else "") + num(value, digits)

        def percent(value: float | None) -> str:
            return "–" if value is None else format_percent(value, locale=language)

        return pages.page(
            request,
            template,
            language=language,
            visit=visit,
            title=title,
            co=co.page_texts(translator),
            num=num,
            signed=signed,
            percent=percent,
            **values,
        )

    def when(value: dt.datetime, language: str) -> str:
        return format_datetime(value, "EEEE d.M.yyyy HH:mm", locale=language)

    def day_text(value: dt.date, language: str) -> str:
        return format_date(value, "d.M.yyyy", locale=language)

    def recurrence_text(schedule: schedules_api.ScheduleOut, language: str) -> str:
        translator = pages.translator(language)
        rule = schedule.recurrence
        if rule.kind == "cron":
            return translator.gettext(co.CRON)
        if rule.kind == "once":
            return translator.gettext(co.ONCE)
        weekday = get_day_names("wide", locale=language)[rule.weekday]
        if rule.every_weeks == 1:
            return translator.gettext(co.EVERY_WEEK).format(weekday=weekday, at=rule.at)
        return translator.gettext(co.EVERY_N_WEEKS).format(
            n=rule.every_weeks, weekday=weekday, at=rule.at
        )

    def schedule_row(
        schedule: schedules_api.ScheduleOut, rate: schedules_api.Counts, language: str
    ) -> dict[str, Any]:
        translator = pages.translator(language)
        local = None
        if schedule.next_send_at is not None:
            local = when(schedule.next_send_at.astimezone(ZoneInfo(schedule.timezone)), language)
        done = rate.counts.get("completed", 0)
        return {
            "schedule": schedule,
            "dialog": translator.gettext(DIALOGS.get(schedule.dialog_id, schedule.dialog_id)),
            "audience": translator.gettext(
                SHOWN_AUDIENCES.get(schedule.audience, schedule.audience)
            ),
            "recurrence": recurrence_text(schedule, language),
            "next": local,
            "rate": (
                translator.gettext(co.NOTHING_SENT)
                if not rate.total
                else translator.gettext(co.RATE_OF).format(done=done, total=rate.total)
                + f" ({round(100 * (rate.completed or 0))} %)"
            ),
            "counts": rate,
            "quiet": (
                translator.gettext(co.QUIET_RANGE).format(
                    start=schedule.quiet_start, end=schedule.quiet_end
                )
                if schedule.quiet_start and schedule.quiet_end
                else translator.gettext(co.NO_QUIET)
            ),
        }

    # ---- the coordinator's units

    @router.get("/desk")
    async def desk(request: Request) -> HTMLResponse:
        visit = await pages.visit(request)
        _coordinator(visit)
        found = await pages.api(
            units_api.list_units(member=visit.signed_in.member, context=context)
        )
        translator = pages.translator(visit.language)
        return render(request, "desk.html", visit, title=translator.gettext(co.DESK), units=found)

    # ---- schedules

    @router.get("/units/{unit_id}/schedules")
    async def unit_schedules(request: Request, unit_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        _coordinator(visit)
        member = visit.signed_in.member
        number = _id(unit_id)
        unit = await pages.api(units_api.read_unit(number, member=member, context=context))
        found = await pages.api(
            schedules_api.list_schedules(
                member=member, context=context, unit_id=number, why="review check-in plans"
            )
        )
        rows = []
        for schedule in found:
            rate = await pages.api(
                schedules_api.response_rate(schedule.id, member=member, context=context)
            )
            rows.append(schedule_row(schedule, rate, visit.language))
        translator = pages.translator(visit.language)
        dialogs = sorted(schedules_api.shipped_dialogs())
        done = DONE.get(request.query_params.get("done") or "")
        return render(
            request,
            "schedules.html",
            visit,
            title=translator.gettext(co.SCHEDULES_OF).format(unit=unit.name),
            unit=unit,
            rows=rows,
            dialogs=[(d, translator.gettext(DIALOGS.get(d, d))) for d in dialogs],
            audiences=[(a, translator.gettext(t)) for a, t in AUDIENCES.items()],
            weekdays=sorted(get_day_names("wide", locale=visit.language).items()),
            done=None if done is None else translator.gettext(done),
        )

    @router.post("/schedules")
    async def create_schedule(request: Request) -> Response:
        visit = await pages.visit(request)
        fields = await pages.fields(request)
        pages.check_csrf(visit, fields)
        _coordinator(visit)
        unit_id = _field_id(fields.get("unit_id"))
        quiet_start = fields.get("quiet_start", "").strip() or None
        quiet_end = fields.get("quiet_end", "").strip() or None
        if bool(quiet_start) != bool(quiet_end) or fields.get("audience") not in AUDIENCES:
            raise PageError.of(400)  # the page's common case: a unit's group, both quiet ends
        try:
            body = schedules_api.ScheduleIn(
                unit_id=unit_id,
                name=fields.get("name", ""),
                dialog_id=fields.get("dialog_id", ""),
                audience=cast(Any, fields.get("audience", "")),
                recurrence=schedules_api.RecurrenceIn(
                    kind="weekly",
                    every_weeks=cast(Any, fields.get("every_weeks", "")),
                    weekday=cast(Any, fields.get("weekday", "")),
                    at=fields.get("at", "").strip(),
                ),
                quiet_start=quiet_start,
                quiet_end=quiet_end,
            )
        except ValidationError as error:
            raise PageError.of(400) from error
        made = await pages.api(
            schedules_api.create_schedule(
                body, member=visit.signed_in.member, context=context, why="plan a check-in"
            ),
            refused={409: PageError(409, co.CANNOT_SCHEDULE_TITLE, co.CANNOT_SCHEDULE)},
        )
        return pages.redirect(f"/schedules/{made.id}?done=created")

    @router.get("/schedules/{schedule_id}")
    async def schedule_page(request: Request, schedule_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        _coordinator(visit)
        member = visit.signed_in.member
        number = _id(schedule_id)
        schedule = await pages.api(
            schedules_api.read_schedule(
                number, member=member, context=context, why="review a check-in plan"
            )
        )
        unit = await pages.api(
            units_api.read_unit(schedule.unit_id, member=member, context=context)
        )
        preview = await pages.api(schedules_api.preview(number, member=member, context=context))
        rate = await pages.api(schedules_api.response_rate(number, member=member, context=context))
        translator = pages.translator(visit.language)
        done = DONE.get(request.query_params.get("done") or "")
        times = (
            []
            if schedule.paused
            else [
                {
                    "iso": time.local,
                    "text": when(dt.datetime.fromisoformat(time.local), visit.language),
                }
                for time in preview.times
            ]
        )
        return render(
            request,
            "schedule.html",
            visit,
            title=schedule.name,
            unit=unit,
            row=schedule_row(schedule, rate, visit.language),
            times=times,
            starts=day_text(schedule.starts_on, visit.language),
            ends=None if schedule.ends_on is None else day_text(schedule.ends_on, visit.language),
            opened=rate.counts.get("completed", 0) + rate.counts.get("started", 0),
            done=None if done is None else translator.gettext(done),
        )

    @router.post("/schedules/state")
    async def pause_or_resume(request: Request) -> Response:
        visit = await pages.visit(request)
        fields = await pages.fields(request)
        pages.check_csrf(visit, fields)
        _coordinator(visit)
        number = _field_id(fields.get("schedule_id"))
        wanted = fields.get("paused")
        if wanted not in ("yes", "no"):
            raise PageError.of(400)
        changed = await pages.api(
            schedules_api.change_schedule(
                number,
                schedules_api.SchedulePatch(paused=wanted == "yes"),
                member=visit.signed_in.member,
                context=context,
                why="change a check-in plan",
            )
        )
        done = "paused" if changed.paused else "resumed"
        if fields.get("back") == "schedule":
            return pages.redirect(f"/schedules/{changed.id}?done={done}")
        return pages.redirect(f"/units/{changed.unit_id}/schedules?done={done}")

    # ---- a unit's report

    def figure_rows(figures: list[reports_api.Figure], language: str) -> list[dict[str, Any]]:
        translator = pages.translator(language)
        rows = []
        for figure in figures:
            label = reports_api.LABELS.get(figure.measure)
            rows.append(
                {
                    "figure": figure,
                    "label": translator.gettext(label) if label else figure.measure,
                    "nps": figure.measure == reports_api.NPS,
                    "why": (
                        None
                        if figure.suppressed is None
                        else translator.gettext(WHY.get(figure.suppressed, co.WHY_OTHER))
                    ),
                    "change_why": (
                        None
                        if figure.change_suppressed is None
                        else translator.gettext(WHY.get(figure.change_suppressed, co.WHY_OTHER))
                    ),
                }
            )
        return rows

    def rate_why(rate: reports_api.ResponseRate, language: str) -> str | None:
        if rate.suppressed is None:
            return None
        return pages.translator(language).gettext(WHY.get(rate.suppressed, co.WHY_OTHER))

    @router.get("/units/{unit_id}/report")
    async def unit_report(request: Request, unit_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        _coordinator(visit)
        number = _id(unit_id)
        kind = _period(request.query_params.get("period"))
        day = _day(request.query_params.get("date"))
        report = await pages.api(
            reports_api.unit_report(
                number, member=visit.signed_in.member, context=context, period=kind, date=day
            )
        )
        translator = pages.translator(visit.language)
        query = _query(kind, day)
        return render(
            request,
            "report.html",
            visit,
            title=translator.gettext(co.REPORT_OF).format(unit=report.unit_name),
            report=report,
            period_text=translator.gettext(co.PERIOD_SHOWN).format(
                label=report.period.label,
                first=day_text(report.period.first_day, visit.language),
                last=day_text(report.period.last_day, visit.language),
            ),
            periods=[(k, translator.gettext(t)) for k, t in PERIODS.items()],
            kind=kind,
            day="" if day is None else day.isoformat(),
            figures=figure_rows(
                [*report.dimensions, report.index, report.nps, *report.service], visit.language
            ),
            rate_why=rate_why(report.response_rate, visit.language),
            base=f"/units/{number}/report",
            query=query,
            chart=f"/units/{number}/report/chart.svg?{query}&lang={_lang(visit.language)}",
        )

    @router.get("/units/{unit_id}/report.csv")
    async def unit_report_csv(request: Request, unit_id: str) -> Response:
        visit = await pages.visit(request)
        _coordinator(visit)
        return await pages.api(
            reports_api.export_unit_report_csv(
                _id(unit_id),
                member=visit.signed_in.member,
                context=context,
                period=_period(request.query_params.get("period")),
                date=_day(request.query_params.get("date")),
            )
        )

    @router.get("/units/{unit_id}/report.xlsx")
    async def unit_report_xlsx(request: Request, unit_id: str) -> Response:
        visit = await pages.visit(request)
        _coordinator(visit)
        return await pages.api(
            reports_api.export_unit_report_xlsx(
                _id(unit_id),
                member=visit.signed_in.member,
                context=context,
                period=_period(request.query_params.get("period")),
                date=_day(request.query_params.get("date")),
            )
        )

    @router.get("/units/{unit_id}/report/chart.svg")
    async def unit_chart(request: Request, unit_id: str) -> Response:
        visit = await pages.visit(request)
        _coordinator(visit)
        return _svg(
            await pages.api(
                reports_api.unit_chart(
                    _id(unit_id),
                    member=visit.signed_in.member,
                    context=context,
                    period=_period(request.query_params.get("period")),
                    date=_day(request.query_params.get("date")),
                    lang=_lang(visit.language),
                )
            )
        )

    # ---- units side by side

    @router.get("/reports/units")
    async def comparison(request: Request) -> HTMLResponse:
        visit = await pages.visit(request)
        _coordinator(visit)
        kind = _period(request.query_params.get("period"))
        day = _day(request.query_params.get("date"))
        report = await pages.api(
            reports_api.compare_units(
                member=visit.signed_in.member, context=context, period=kind, date=day
            )
        )
        translator = pages.translator(visit.language)
        columns = [*report.units, report.total]
        measures = [
            (position, translator.gettext(reports_api.LABELS[measure]))
            for position, measure in enumerate(reports_api.COLUMNS)
        ]
        cells = [
            [
                {
                    "figure": column.figures[position],
                    "nps": column.figures[position].measure == reports_api.NPS,
                    "why": (
                        None
                        if column.figures[position].suppressed is None
                        else translator.gettext(
                            WHY.get(column.figures[position].suppressed or "", co.WHY_OTHER)
                        )
                    ),
                }
                for column in columns
            ]
            for position, _ in measures
        ]
        query = _query(kind, day)
        return render(
            request,
            "comparison.html",
            visit,
            title=translator.gettext(co.COMPARISON),
            report=report,
            names=[c.name for c in report.units] + [translator.gettext(co.TOTAL)],
            columns=columns,
            measures=measures,
            cells=cells,
            rates=[
                {"rate": c.response_rate, "why": rate_why(c.response_rate, visit.language)}
                for c in columns
            ],
            period_text=translator.gettext(co.PERIOD_SHOWN).format(
                label=report.period.label,
                first=day_text(report.period.first_day, visit.language),
                last=day_text(report.period.last_day, visit.language),
            ),
            periods=[(k, translator.gettext(t)) for k, t in PERIODS.items()],
            kind=kind,
            day="" if day is None else day.isoformat(),
            base="/reports/units",
            query=query,
            chart=f"/reports/units/chart.svg?{query}&lang={_lang(visit.language)}",
        )

    @router.get("/reports/units.csv")
    async def comparison_csv(request: Request) -> Response:
        visit = await pages.visit(request)
        _coordinator(visit)
        return await pages.api(
            reports_api.export_comparison_csv(
                member=visit.signed_in.member,
                context=context,
                period=_period(request.query_params.get("period")),
                date=_day(request.query_params.get("date")),
            )
        )

    @router.get("/reports/units.xlsx")
    async def comparison_xlsx(request: Request) -> Response:
        visit = await pages.visit(request)
        _coordinator(visit)
        return await pages.api(
            reports_api.export_comparison_xlsx(
                member=visit.signed_in.member,
                context=context,
                period=_period(request.query_params.get("period")),
                date=_day(request.query_params.get("date")),
            )
        )

    @router.get("/reports/units/chart.svg")
    async def comparison_chart(request: Request) -> Response:
        visit = await pages.visit(request)
        _coordinator(visit)
        return _svg(
            await pages.api(
                reports_api.comparison_chart(
                    member=visit.signed_in.member,
                    context=context,
                    measure=reports_api.INDEX,
                    period=_period(request.query_params.get("period")),
                    date=_day(request.query_params.get("date")),
                    lang=_lang(visit.language),
                )
            )
        )

    # ---- a client's chart (their caseworker's, and the unit's coordinators')

    @router.get("/clients/{client_id}/chart.svg")
    async def client_chart(request: Request, client_id: str) -> Response:
        visit = await pages.visit(request)
        measure = request.query_params.get("measure", "wellbeing")
        if measure not in ("wellbeing", "gas"):
            raise PageError.of(400)
        return _svg(
            await pages.api(
                reports_api.client_chart(
                    _id(client_id),
                    caller=Caller("", signed_in=visit.signed_in.member),
                    context=context,
                    why="casework",
                    measure=cast(Literal["wellbeing", "gas"], measure),
                    period="month",
                    since=None,
                    until=None,
                    lang=_lang(visit.language),
                )
            )
        )

    return router
