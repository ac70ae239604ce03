"""The caller themself: who they are; revoking their own token."""

from __future__ import annotations

import datetime as dt
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
        functools.partial(
            staff.revoke_token, token_id=member.token_id, now=context.clock(), by=member.id
        )
    )
    return Response(status_code=204)


class TelegramLinkOut(BaseModel):
    code: str
    link: str | None  # None when KERRO_TELEGRAM_BOT_USERNAME is not set
    expires_at: dt.datetime


TELEGRAM_LINK_LIFETIME = dt.timedelta(hours=1)


@router.post("/me/telegram-link", status_code=201)
async def telegram_link(member: CurrentStaff, context: ContextDep) -> TelegramLinkOut:
    """A one-time code (valid an hour) that links a Telegram chat for my alerts: open the
    link, or send `/start <code>` to the bot. A new code replaces an unused one."""
    now = context.clock()
    code, expires = await context.database.run(
        functools.partial(
            staff.issue_telegram_code,
            staff_id=member.id,
            now=now,
            lifetime=TELEGRAM_LINK_LIFETIME,
        )
    )
    username = context.telegram_bot_username
    link = f"https://t.me/{username}?start={code}" if username else None
    return TelegramLinkOut(code=code, link=link, expires_at=expires)


@router.delete("/me/telegram-link", status_code=204, response_class=Response)
async def telegram_unlink(member: CurrentStaff, context: ContextDep) -> Response:
    """Stop alerts to my Telegram chat: its address is deleted."""
    await context.database.run(functools.partial(staff.unlink_telegram, staff_id=member.id))
    return Response(status_code=204)
