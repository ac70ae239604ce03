"""Units: list and read the caller's own; admins create them, coordinators rename theirs and
set their on-call address for alerts."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.auth import require_admin, require_manager, sees_unit, visible_units
from api.deps import ContextDep, CurrentStaff, UnitId
from api.fields import Email, Name, UnitCode
from api.problems import Problem, not_found
from storage.repositories import units

router = APIRouter(tags=["units"])


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    on_call_email: str | None = None


class UnitIn(BaseModel):
    code: UnitCode
    name: Name


class UnitPatch(BaseModel):
    name: Name | None = None
    on_call_email: Email | None = Field(
        default=None,
        description="where alerts of anonymous and unassigned flags go; null removes it",
    )


@router.get("/units")
async def list_units(member: CurrentStaff, context: ContextDep) -> list[UnitOut]:
    """The units the caller works in (an admin: every unit)."""

    def work(session: Session) -> list[UnitOut]:
        found = units.units_by_ids(session, unit_ids=visible_units(member))
        return [UnitOut.model_validate(unit) for unit in found]

    return await context.database.run(work)


@router.post("/units", status_code=201)
async def create_unit(body: UnitIn, member: CurrentStaff, context: ContextDep) -> UnitOut:
    require_admin(member)

    def work(session: Session) -> UnitOut:
        try:
            unit = units.add_unit(session, code=body.code, name=body.name, now=context.clock())
        except units.DuplicateError as error:
            raise Problem(409, str(error)) from None
        return UnitOut.model_validate(unit)

    return await context.database.run(work)


@router.get("/units/{unit_id}")
async def read_unit(unit_id: UnitId, member: CurrentStaff, context: ContextDep) -> UnitOut:
    def work(session: Session) -> UnitOut:
        unit = units.unit_by_id(session, unit_id=unit_id)
        if unit is None or not sees_unit(member, unit_id):
            raise not_found("unit")
        return UnitOut.model_validate(unit)

    return await context.database.run(work)


@router.patch("/units/{unit_id}")
async def rename_unit(
    unit_id: UnitId, body: UnitPatch, member: CurrentStaff, context: ContextDep
) -> UnitOut:
    """Rename the unit, or set its on-call address for alerts (coordinators, admins)."""

    def work(session: Session) -> UnitOut:
        unit = units.unit_by_id(session, unit_id=unit_id)
        if unit is None or not sees_unit(member, unit_id):
            raise not_found("unit")
        require_manager(member, unit_id)
        out = UnitOut.model_validate(unit)
        if body.name is not None:
            units.rename_unit(session, unit_id=unit_id, name=body.name)
            out.name = body.name
        if "on_call_email" in body.model_fields_set:
            units.set_on_call(session, unit_id=unit_id, email=body.on_call_email)
            out.on_call_email = body.on_call_email
        return out

    return await context.database.run(work)
