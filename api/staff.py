"""The caller themself: who they are; revoking their own token."""

from __future__ import annotations

import functools

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from api.auth import visible_units
from api.deps import ContextDep, CurrentStaff
from storage.repositories import staff

router = APIRouter(tags=["staff"])


class MeOut(BaseModel):
    id: int
    name: str
    role: str
    unit_ids: list[int]


class StaffOut(BaseModel):
    id: int
    name: str
    role: str
    unit_ids: list[int]


@router.get("/staff")
async def list_staff(member: CurrentStaff, context: ContextDep) -> list[StaffOut]:
    """Staff of the caller's units (an admin: everyone), e.g. to choose a caseworker."""

    def work(session: Session) -> list[StaffOut]:
        found = staff.list_staff(session, unit_ids=visible_units(member))
        visible = visible_units(member)
        out = []
        for person in found:
            assert person.id is not None
            units = staff.unit_ids_of(session, staff_id=person.id)
            shown = units if visible is None else units & visible
            out.append(
                StaffOut(id=person.id, name=person.name, role=person.role, unit_ids=sorted(shown))
            )
        return out

    return await context.database.run(work)


@router.get("/me")
async def me(member: CurrentStaff) -> MeOut:
    return MeOut(id=member.id, name=member.name, role=member.role, unit_ids=sorted(member.unit_ids))


@router.post("/me/revoke", status_code=204, response_class=Response)
async def revoke_my_token(member: CurrentStaff, context: ContextDep) -> Response:
    """Revoke the token of this request (e.g. on leaving a shared computer)."""
    assert member.token_id is not None
    await context.database.run(
        functools.partial(staff.revoke_token, token_id=member.token_id, now=context.clock())
    )
    return Response(status_code=204)
