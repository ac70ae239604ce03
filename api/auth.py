"""Who the caller is, and what their role lets them see (P5).

One dependency, `current_staff`, decides who the caller is. Today it reads a personal bearer
token (stored hashed, expiring, revocable); an OIDC provider can replace it without touching
the endpoints, which only see a `Member`.

Roles, each scoped to the units a member of staff works in:
- caseworker: their units; person-linked data of their own clients only;
- coordinator: their units and everything person-linked in them; manages clients, goals,
  enrolment;
- admin: every unit; creates units; reads the audit log.
A refused read of one object answers 404, like a missing one, so it reveals nothing.
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.context import ApiContext, get_context
from api.problems import Problem, forbidden
from storage.repositories import staff
from storage.repositories.staff import Member
from storage.tables import Client

CASEWORKER, COORDINATOR, ADMIN = "caseworker", "coordinator", "admin"
_bearer = HTTPBearer(
    auto_error=False, description="A personal staff token, from `kerro staff add`."
)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kerro"'}
MAX_TOKEN_LENGTH = 200


async def current_staff(
    context: Annotated[ApiContext, Depends(get_context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Member:
    if credentials is None:
        raise Problem(401, "a bearer token is required", headers=_CHALLENGE)
    token = credentials.credentials
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise Problem(401, "the token is unknown, expired or revoked", headers=_CHALLENGE)
    member = await context.database.run(
        functools.partial(staff.member_for_token, token=token, now=context.clock())
    )
    if member is None:
        raise Problem(401, "the token is unknown, expired or revoked", headers=_CHALLENGE)
    return member


def visible_units(member: Member) -> frozenset[int] | None:
    """The units a member sees; None for every unit (admin)."""
    return None if member.role == ADMIN else member.unit_ids


def own_clients_only(member: Member) -> int | None:
    """A caseworker's id (they see only their own clients' data); None for the others."""
    return member.id if member.role == CASEWORKER else None


def sees_unit(member: Member, unit_id: int) -> bool:
    return member.role == ADMIN or unit_id in member.unit_ids


def may_read_client(member: Member, client: Client) -> bool:
    if not sees_unit(member, client.unit_id):
        return False
    return member.role != CASEWORKER or client.caseworker_id == member.id


def manages_unit(member: Member, unit_id: int) -> bool:
    return member.role == ADMIN or (member.role == COORDINATOR and unit_id in member.unit_ids)


def require_manager(member: Member, unit_id: int) -> None:
    """Writes to a unit's clients need its coordinator (or an admin)."""
    if not manages_unit(member, unit_id):
        raise forbidden("only a coordinator of the unit or an admin may do this")


def require_admin(member: Member) -> None:
    if member.role != ADMIN:
        raise forbidden("only an admin may do this")
