"""Enrolment: an invite gives a single-use, expiring code and the links that use it.

The code is shown once (only its hash is stored). Opening a link sends `start <code>` to
the bot, which links that chat to the client and asks whether prompts are wanted. Making an
invite is a change of access (audited); so is its use (bot/commands.py).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.clients import readable_client
from api.deps import ClientId, ContextDep, CurrentStaff
from storage.repositories import audit, invites

router = APIRouter(tags=["enrolment"])


class InviteOut(BaseModel):
    code: str = Field(description="single use; shown only now")
    expires_at: dt.datetime
    telegram_link: str | None = Field(description="None until a bot username is configured")
    web_link: str


@router.post("/clients/{client_id}/invites", status_code=201)
async def create_invite(
    client_id: ClientId, member: CurrentStaff, context: ContextDep
) -> InviteOut:
    """An invite for the client: their caseworker, the unit's coordinator or an admin."""

    def work(session: Session) -> InviteOut:
        readable_client(session, member, client_id)
        code, invite = invites.create(
            session,
            client_id=client_id,
            created_by=member.id,
            now=context.clock(),
            lifetime=context.invite_lifetime,
        )
        audit.access_change(
            session,
            by=member.id,
            what="invite",
            target=f"client/{client_id} invite/{invite.id}",
            client_ids=[client_id],
            now=context.clock(),
        )
        username = context.telegram_bot_username
        return InviteOut(
            code=code,
            expires_at=invite.expires_at,
            telegram_link=(
                None if username is None else f"https://t.me/{username}?start={quote(code)}"
            ),
            web_link=f"{context.public_url}/chat/i/{quote(code)}",
        )

    return await context.database.run(work)
