"""Dependency aliases for the endpoints, in one place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query

from api.auth import Caller, caller, current_staff
from api.context import ApiContext, get_context
from storage.repositories.staff import Member

MAX_ID = 2**31 - 1
PURPOSE_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"

ContextDep = Annotated[ApiContext, Depends(get_context)]
CurrentStaff = Annotated[Member, Depends(current_staff)]
# The caller's token, checked by the endpoint in its own transaction (api.auth.run_as).
Unchecked = Annotated[Caller, Depends(caller)]


def _id_path(description: str) -> Any:
    return Path(ge=1, le=MAX_ID, description=description)


PUBLIC_ID_PATTERN = r"^[0-9a-f]{32}$"


def _public_id_path(description: str) -> Any:
    return Path(pattern=PUBLIC_ID_PATTERN, description=description)


UnitId = Annotated[int, _id_path("a unit's id")]
ClientId = Annotated[int, _id_path("a client's id")]
GoalId = Annotated[int, _id_path("a goal's id")]
# Responses and flags have opaque ids: random, so that they order and time nothing (P1).
FlagId = Annotated[str, _public_id_path("a flag's id (opaque)")]
ResponseId = Annotated[str, _public_id_path("a response's id (opaque)")]
StaffId = Annotated[int, _id_path("a staff member's id")]


def purpose(default: str) -> Any:
    """Why the caller reads person-linked data: the `purpose` query parameter or the
    `X-Purpose` header, else the endpoint's default. Written to the audit log."""

    def read(
        purpose: Annotated[
            str | None,
            Query(pattern=PURPOSE_PATTERN, description="why you read this (audit log)"),
        ] = None,
        x_purpose: Annotated[
            str | None,
            Header(pattern=PURPOSE_PATTERN, description="why you read this (audit log)"),
        ] = None,
    ) -> str:
        return purpose or x_purpose or default

    return Depends(read)


PERSON_LINKED: dict[str, Any] = {"x-person-linked": True}
"""Marks an operation whose answer shows person-linked data, a write's answer included: it
writes an audit row (P4)."""
