"""Units: list and read the caller's own; admins create them, coordinators rename theirs, set
their on-call address for alerts and the trajectory signal of their check-ins (audited)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.auth import require_admin, require_manager, sees_unit, visible_units
from api.deps import ContextDep, CurrentStaff, UnitId
from api.fields import Email, Name, UnitCode
from api.problems import Problem, not_found
from bot import alert_coverage
from dialogs.trajectory import DROP_RANGE, FALLS_RANGE
from storage import tables
from storage.repositories import audit as audit_log
from storage.repositories import trajectory, units

router = APIRouter(tags=["units"])


class UnitOut(BaseModel):
    id: int
    code: str
    name: str
    on_call_email: str | None = None
    alerts_configured: bool = Field(
        description="false when some of the unit's flags would alert nobody (see alerts_warning)"
    )
    alerts_warning: str | None = Field(default=None, description="why alerts may reach nobody")
    trajectory: bool = Field(
        default=True,
        description="a falling wellbeing index of an identified youth or child raises a "
        "concern flag (anonymous answers never have a course)",
    )
    trajectory_falls: int = Field(
        default=3, description="falls in a row, one at each check-in, that raise the flag"
    )
    trajectory_drop: float = Field(
        default=1.0, description="a fall from one check-in to the next larger than this (1-5)"
    )

    @classmethod
    def of(cls, unit: tables.Unit, *, channels: frozenset[str]) -> UnitOut:
        assert unit.id is not None
        gap = alert_coverage.unit_gap(channels, on_call_email=unit.on_call_email)
        return cls(
            id=unit.id,
            code=unit.code,
            name=unit.name,
            on_call_email=unit.on_call_email,
            alerts_configured=gap is None,
            alerts_warning=gap,
            trajectory=unit.trajectory,
            trajectory_falls=unit.trajectory_falls,
            trajectory_drop=unit.trajectory_drop,
        )


class UnitIn(BaseModel):
    code: UnitCode
    name: Name


class UnitPatch(BaseModel):
    name: Name | None = None
    on_call_email: Email | None = Field(
        default=None,
        description="where alerts of anonymous and unassigned flags go; null removes it",
    )
    trajectory: bool | None = Field(default=None, description="watch the course of the index")
    trajectory_falls: int | None = Field(default=None, ge=FALLS_RANGE[0], le=FALLS_RANGE[1])
    trajectory_drop: float | None = Field(default=None, ge=DROP_RANGE[0], le=DROP_RANGE[1])


@router.get("/units")
async def list_units(member: CurrentStaff, context: ContextDep) -> list[UnitOut]:
    """The units the caller works in (an admin: every unit)."""

    def work(session: Session) -> list[UnitOut]:
        found = units.units_by_ids(session, unit_ids=visible_units(member))
        return [UnitOut.of(unit, channels=context.alert_channels) for unit in found]

    return await context.database.run(work)


@router.post("/units", status_code=201)
async def create_unit(body: UnitIn, member: CurrentStaff, context: ContextDep) -> UnitOut:
    require_admin(member)

    def work(session: Session) -> UnitOut:
        try:
            unit = units.add_unit(session, code=body.code, name=body.name, now=context.clock())
        except units.DuplicateError as error:
            raise Problem(409, str(error)) from None
        return UnitOut.of(unit, channels=context.alert_channels)

    return await context.database.run(work)


@router.get("/units/{unit_id}")
async def read_unit(unit_id: UnitId, member: CurrentStaff, context: ContextDep) -> UnitOut:
    def work(session: Session) -> UnitOut:
        unit = units.unit_by_id(session, unit_id=unit_id)
        if unit is None or not sees_unit(member, unit_id):
            raise not_found("unit")
        return UnitOut.of(unit, channels=context.alert_channels)

    return await context.database.run(work)


@router.patch("/units/{unit_id}")
async def rename_unit(
    unit_id: UnitId, body: UnitPatch, member: CurrentStaff, context: ContextDep
) -> UnitOut:
    """Rename the unit, set its on-call address for alerts, or its trajectory signal: on or
    off, the falls in a row and the single drop that raise a concern flag (coordinators,
    admins; a change of the signal is audited)."""

    def work(session: Session) -> UnitOut:
        unit = units.unit_by_id(session, unit_id=unit_id)
        if unit is None or not sees_unit(member, unit_id):
            raise not_found("unit")
        require_manager(member, unit_id)
        out = UnitOut.of(unit, channels=context.alert_channels)
        if body.name is not None:
            units.rename_unit(session, unit_id=unit_id, name=body.name)
            out.name = body.name
        if "on_call_email" in body.model_fields_set:
            units.set_on_call(session, unit_id=unit_id, email=body.on_call_email)
            out.on_call_email = body.on_call_email
            out.alerts_warning = alert_coverage.unit_gap(
                context.alert_channels, on_call_email=body.on_call_email
            )
            out.alerts_configured = out.alerts_warning is None
        watch = (body.trajectory, body.trajectory_falls, body.trajectory_drop)
        if any(value is not None for value in watch):
            out.trajectory = out.trajectory if body.trajectory is None else body.trajectory
            out.trajectory_falls = body.trajectory_falls or out.trajectory_falls
            out.trajectory_drop = body.trajectory_drop or out.trajectory_drop
            trajectory.set_watch(
                session,
                unit_id=unit_id,
                enabled=out.trajectory,
                falls=out.trajectory_falls,
                drop=out.trajectory_drop,
            )
            audit_log.access_change(  # a change of what staff are told of the unit's clients
                session,
                by=member.id,
                what="unit.trajectory",
                target=f"unit/{unit_id}?trajectory={str(out.trajectory).lower()}"
                f"&falls={out.trajectory_falls}&drop={out.trajectory_drop}",
                now=context.clock(),
            )
        return out

    return await context.database.run(work)
