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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api import problems
from api.context import ApiContext, get_context
from api.problems import Problem, forbidden, problem_response
from storage.repositories import staff
from storage.repositories.staff import Member
from storage.tables import Client

CASEWORKER, COORDINATOR, ADMIN = "caseworker", "coordinator", "admin"
_bearer = HTTPBearer(
    auto_error=False, description="A personal staff token, from `kerro staff add`."
)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kerro"'}
MAX_TOKEN_LENGTH = 200
_UNKNOWN = "the token is unknown, expired or revoked"
_UNCHECKED = "kerro_unchecked_token"  # request.state: a token its endpoint checks itself
T = TypeVar("T")


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    """The bearer token, if it can be one: 401 without a token or with one that cannot be."""
    if credentials is None:
        raise Problem(401, "a bearer token is required", headers=_CHALLENGE)
    token = credentials.credentials
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise Problem(401, _UNKNOWN, headers=_CHALLENGE)
    return token


async def current_staff(
    context: Annotated[ApiContext, Depends(get_context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Member:
    """The caller, checked in a transaction of its own (before the endpoint's)."""
    token = _token(credentials)
    member = await context.database.run(
        functools.partial(staff.member_for_token, token=token, now=context.clock())
    )
    if member is None:
        raise Problem(401, _UNKNOWN, headers=_CHALLENGE)
    return member


@dataclass(frozen=True, slots=True)
class Caller:
    """A bearer token not checked yet: the endpoint checks it in its own transaction
    (`run_as`), so that a read costs one transaction, the token check included. A staff page
    calls the same endpoint with the member its session has already checked (`signed_in`)."""

    token: str
    signed_in: Member | None = None


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    token = _token(credentials)
    setattr(request.state, _UNCHECKED, token)  # an invalid request still answers 401 first
    return Caller(token)


def member_of(session: Session, context: ApiContext, who: Caller) -> Member:
    """The member a caller's token belongs to, in the caller's transaction; 401 otherwise."""
    if who.signed_in is not None:
        return who.signed_in
    member = staff.member_for_token(session, token=who.token, now=context.clock())
    if member is None:
        raise Problem(401, _UNKNOWN, headers=_CHALLENGE)
    return member


async def run_as(context: ApiContext, who: Caller, work: Callable[[Session, Member], T]) -> T:
    """Check the caller's token and run `work` in one transaction (a 401 rolls it back)."""

    def unit(session: Session) -> T:
        return work(session, member_of(session, context, who))

    return await context.database.run(unit)


def install(app: FastAPI) -> None:
    """An invalid request whose token is unknown answers 401, not 422, as when the token is
    checked before the request is read (`current_staff`)."""

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        token = getattr(request.state, _UNCHECKED, None)
        if isinstance(token, str):
            context = get_context(request)
            member = await context.database.run(
                functools.partial(staff.member_for_token, token=token, now=context.clock())
            )
            if member is None:
                return problem_response(401, _UNKNOWN, headers=_CHALLENGE)
        return await problems.on_validation(request, error)

    app.add_exception_handler(RequestValidationError, on_validation)


def visible_units(member: Member) -> frozenset[int] | None:
    """The units a member sees; None for every unit (admin)."""
    return None if member.role == ADMIN else member.unit_ids


def own_clients_only(member: Member) -> int | None:
    """A caseworker's id (they see only their own clients' data); None for the others."""
    return member.id if member.role == CASEWORKER else None


def sees_unit(member: Member, unit_id: int) -> bool:
    return member.role == ADMIN or unit_id in member.unit_ids


def may_read_client(member: Member, client: Client) -> bool:
    return may_read(member, unit_id=client.unit_id, caseworker_id=client.caseworker_id)


def may_read(member: Member, *, unit_id: int, caseworker_id: int | None) -> bool:
    """May the member read the data of a client of this unit and caseworker?"""
    if not sees_unit(member, unit_id):
        return False
    return member.role != CASEWORKER or caseworker_id == member.id


def manages_unit(member: Member, unit_id: int) -> bool:
    return member.role == ADMIN or (member.role == COORDINATOR and unit_id in member.unit_ids)


def require_manager(member: Member, unit_id: int) -> None:
    """Writes to a unit's clients need its coordinator (or an admin)."""
    if not manages_unit(member, unit_id):
        raise forbidden("only a coordinator of the unit or an admin may do this")


def require_admin(member: Member) -> None:
    if member.role != ADMIN:
        raise forbidden("only an admin may do this")
