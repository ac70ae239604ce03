"""Responses: what clients said in their own name, and a unit's anonymous free text.

Listing and reading are person-linked reads (audited); free text is opened for the reader.
Anonymous responses never appear beside a client: only as a unit's free text, by date, and
only when at least MIN_GROUP respondents wrote in the period (P5). Response ids are opaque,
and the listing pages on with a cursor made of the last row's own values (P1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from api import audit
from api.auth import may_read_client, own_clients_only, run_as, sees_unit, visible_units
from api.context import ApiContext
from api.deps import (
    MAX_ID,
    PERSON_LINKED,
    ContextDep,
    CurrentStaff,
    ResponseId,
    Unchecked,
    UnitId,
    purpose,
)
from api.exports import defused
from api.fields import DialogId, Moment
from api.problems import not_found
from api.texts import open_text
from storage import tables
from storage.repositories import clients, responses, units
from storage.repositories.staff import Member

router = APIRouter(tags=["responses"])
MIN_GROUP = 5
CSV_LIMIT = 10_000
CSV_COLUMNS = (
    "response_id",
    "client_id",
    "unit_id",
    "dialog_id",
    "started_at",
    "step_id",
    "measure",
    "goal_id",
    "number",
    "choice",
    "skipped",
    "text",
)


class AnswerOut(BaseModel):
    step_id: str
    measure: str
    goal_id: int | None
    number: float | None
    choice: str | None
    text: str | None
    skipped: bool


class ResponseOut(BaseModel):
    id: str
    unit_id: int | None
    client_id: int
    dialog_id: str
    language: str
    channel: str
    completed: bool
    started_at: dt.datetime
    answers: list[AnswerOut]


class ResponsePage(BaseModel):
    items: list[ResponseOut]
    next_before: str | None


CURSOR_PATTERN = r"^[0-9]{1,18}\.[0-9a-f]{32}$"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)


def _cursor(response: responses.ListedResponse) -> str:
    """The keyset cursor: the last row's own start (microseconds since 1970) and public id,
    never a shared id (P1)."""
    micros = (response.started_at - _EPOCH) // dt.timedelta(microseconds=1)
    return f"{max(micros, 0)}.{response.public_id}"


def _after_cursor(cursor: str | None) -> tuple[dt.datetime, str] | None:
    if cursor is None:
        return None
    micros, _, public_id = cursor.partition(".")
    try:
        started = _EPOCH + dt.timedelta(microseconds=int(micros))
    except OverflowError:
        started = _LAST
    return started, public_id


class PageJSON(JSONResponse):
    """A page of many answers as JSON, encoded by pydantic-core (about twice as fast as the
    standard library's encoder on a page of 1,000 answers; the same JSON)."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)


class Comment(BaseModel):
    date: dt.date
    dialog_id: str
    step_id: str
    text: str


class UnitComments(BaseModel):
    respondents: int
    suppressed: bool
    comments: list[Comment]


def _out(
    context: ApiContext, response: tables.Response, answers: list[responses.AnswerRow]
) -> ResponseOut:
    """Built without validation: the values come from the database (many per page)."""
    assert response.client_id is not None
    return ResponseOut.model_construct(
        id=response.public_id,
        unit_id=response.unit_id,
        client_id=response.client_id,
        dialog_id=response.dialog_id,
        language=response.language,
        channel=response.channel,
        completed=response.completed,
        started_at=response.started_at,
        answers=[
            AnswerOut.model_construct(
                step_id=answer.step_id,
                measure=answer.measure,
                goal_id=answer.goal_id,
                number=answer.number,
                choice=answer.choice,
                text=None if answer.text_sealed is None else open_text(context, answer.text_sealed),
                skipped=answer.skipped,
            )
            for answer in answers
        ],
    )


def _plain(context: ApiContext, response: responses.ListedResponse) -> dict[str, Any]:
    """A ResponseOut as JSON-ready values, for pages of many answers: straight from the
    driver's rows, no object or model per answer."""
    return {
        "id": response.public_id,
        "unit_id": response.unit_id,
        "client_id": response.client_id,
        "dialog_id": response.dialog_id,
        "language": response.language,
        "channel": response.channel,
        "completed": response.completed,
        "started_at": response.started_at.isoformat(),
        "answers": [
            {
                "step_id": step_id,
                "measure": measure,
                "goal_id": goal_id,
                "number": number,
                "choice": choice,
                "text": None if sealed is None else open_text(context, sealed),
                "skipped": skipped,
            }
            for step_id, measure, goal_id, number, choice, sealed, skipped in response.answers
        ],
    }


def _scope(
    member: Member,
    *,
    unit_id: int | None,
    client_id: int | None,
    dialog_id: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before: tuple[dt.datetime, str] | None,
    limit: int,
) -> responses.IdentifiedFilter:
    """The identified responses the caller may see, with the query's filters."""
    return responses.IdentifiedFilter(
        unit_ids=visible_units(member),
        caseworker_id=own_clients_only(member),
        unit_id=unit_id,
        client_id=client_id,
        dialog_id=dialog_id,
        since=since,
        until=until,
        before=before,
        limit=limit,
    )


@router.get("/responses", openapi_extra=PERSON_LINKED, response_model=ResponsePage)
async def list_responses(
    caller: Unchecked,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    dialog_id: DialogId | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    before: Annotated[
        str | None, Query(pattern=CURSOR_PATTERN, description="keyset cursor: next_before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Responses in clients' own names, newest first. Page on with `before=next_before`."""

    after = _after_cursor(before)

    def work(session: Session, member: Member) -> dict[str, Any]:
        where = _scope(
            member,
            unit_id=unit_id,
            client_id=client_id,
            dialog_id=dialog_id,
            since=since,
            until=until,
            before=after,
            limit=limit,
        )
        found = responses.identified_page(session, where=where)
        items = [_plain(context, response) for response in found]
        audit.record(
            session,
            member,
            action="response.list",
            target=f"responses?unit_id={unit_id or ''}&client_id={client_id or ''}"
            f"&dialog_id={dialog_id or ''}&since={since or ''}&until={until or ''}"
            f"&before={before or ''}",
            purpose=why,
            client_ids=[item["client_id"] for item in items],
            now=context.clock(),
        )
        more = len(found) == limit
        return {"items": items, "next_before": _cursor(found[-1]) if more and found else None}

    return PageJSON(await run_as(context, caller, work))


@router.get("/responses/{response_id}", openapi_extra=PERSON_LINKED)
async def read_response(
    response_id: ResponseId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
) -> ResponseOut:
    def work(session: Session) -> ResponseOut:
        response = responses.response_by_public_id(session, public_id=response_id)
        client = (
            None
            if response is None or response.client_id is None
            else clients.client_for_update(session, client_id=response.client_id)
        )
        if response is None or client is None or not may_read_client(member, client):
            raise not_found("response")
        assert response.id is not None
        answers = responses.answers_for(session, response_ids=[response.id])[response.id]
        audit.record(
            session,
            member,
            action="response.read",
            target=f"response/{response_id}",
            purpose=why,
            client_ids=[response.client_id],
            now=context.clock(),
        )
        return _out(context, response, answers)

    return await context.database.run(work)


@router.get("/units/{unit_id}/comments", openapi_extra=PERSON_LINKED)
async def unit_comments(
    unit_id: UnitId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("service development")],
    since: Moment | None = None,
    until: Moment | None = None,
) -> UnitComments:
    """A unit's anonymous free text, by date; withheld when fewer than 5 respondents wrote
    (each anonymous response that wrote a text counts as one: see docs/ARCHITECTURE.md)."""

    def work(session: Session) -> UnitComments:
        if units.unit_by_id(session, unit_id=unit_id) is None or not sees_unit(member, unit_id):
            raise not_found("unit")
        respondents, rows = responses.anonymous_texts(
            session, unit_id=unit_id, since=since, until=until
        )
        suppressed = respondents < MIN_GROUP
        comments = (
            []
            if suppressed
            else [
                Comment(
                    date=started.date(),
                    dialog_id=dialog_id,
                    step_id=step_id,
                    text=open_text(context, sealed),
                )
                for started, dialog_id, step_id, sealed in rows
            ]
        )
        audit.record(
            session,
            member,
            action="unit.comments",
            target=f"unit/{unit_id}/comments?since={since or ''}&until={until or ''}",
            purpose=why,
            client_ids=[],
            now=context.clock(),
        )
        return UnitComments(
            respondents=0 if suppressed else respondents, suppressed=suppressed, comments=comments
        )

    return await context.database.run(work)


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with ', a
    number (`-2.0`) never."""
    return "" if value is None else defused(str(value))


@router.get(
    "/responses.csv",
    openapi_extra=PERSON_LINKED,
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def export_responses(
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("export")],
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    dialog_id: DialogId | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
) -> Response:
    """The same responses as the listing, one answer a row, newest first (at most 10,000)."""

    def work(session: Session) -> str:
        where = _scope(
            member,
            unit_id=unit_id,
            client_id=client_id,
            dialog_id=dialog_id,
            since=since,
            until=until,
            before=None,
            limit=CSV_LIMIT,
        )
        found = list(responses.list_identified(session, where=where))
        ids = [response.id for response in found if response.id is not None]
        answers = responses.answers_for(session, response_ids=ids)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for response in found:
            item = _out(context, response, answers[response.id or 0])
            for answer in item.answers:
                writer.writerow(
                    [
                        _cell(value)
                        for value in (
                            item.id,
                            item.client_id,
                            item.unit_id,
                            item.dialog_id,
                            item.started_at.isoformat(),
                            answer.step_id,
                            answer.measure,
                            answer.goal_id,
                            answer.number,
                            answer.choice,
                            answer.skipped,
                            answer.text,
                        )
                    ]
                )
        audit.record(
            session,
            member,
            action="response.export",
            target=f"responses.csv?unit_id={unit_id or ''}&client_id={client_id or ''}"
            f"&dialog_id={dialog_id or ''}&since={since or ''}&until={until or ''}",
            purpose=why,
            client_ids=[response.client_id for response in found],
            now=context.clock(),
        )
        return out.getvalue()

    body = await context.database.run(work)
    return Response(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="responses.csv"'},
    )
