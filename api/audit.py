"""The audit log (P4): every answer that shows person-linked data writes a row, and so does
every change of who may see it (actions `access.*`); admins query them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.auth import require_admin
from api.deps import MAX_ID, ContextDep, CurrentStaff
from api.fields import Moment
from storage.repositories import audit
from storage.repositories.staff import Member

router = APIRouter(tags=["audit"])


def record(
    session: Session,
    member: Member,
    *,
    action: str,
    target: str,
    purpose: str,
    client_ids: Iterable[int | None],
    now: dt.datetime,
) -> None:
    """Audit a read in the request's own transaction: no read without its row (written with
    the commit's round trip on PostgreSQL)."""
    audit.record_later(
        session,
        staff_id=member.id,
        action=action,
        target=target,
        purpose=purpose,
        client_ids=[client_id for client_id in client_ids if client_id is not None],
        now=now,
    )


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    staff_id: int | None = Field(description="none: the command line, or the client themself")
    at: dt.datetime
    action: str
    target: str
    purpose: str
    client_ids: list[int]


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_before: int | None


@router.get("/audit")
async def query_audit(
    member: CurrentStaff,
    context: ContextDep,
    staff_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="keyset cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Audit rows, newest first (admins only). Page on with `before=next_before`."""
    require_admin(member)

    def work(session: Session) -> AuditPage:
        entries = audit.query(
            session,
            staff_id=staff_id,
            client_id=client_id,
            since=since,
            until=until,
            before_id=before,
            limit=limit,
        )
        items = [AuditOut.model_validate(entry) for entry in entries]
        more = len(items) == limit
        return AuditPage(items=items, next_before=items[-1].id if more and items else None)

    return await context.database.run(work)
