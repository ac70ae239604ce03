"""The authorisation matrix (P5): every endpoint, every kind of caller, allowed or refused,
and what each call wrote to the audit log (P4).

A refused read of one object is 404, like a missing object, so that it reveals nothing. An
allowed call writes exactly the audit rows of its `audited` column (a read, a write whose
answer shows person-linked data, a change of access); a refused one writes none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from storage import tables
from storage.db import Database
from storage.repositories import audit, schedules
from tests.api.conftest import ACTORS, World, bearer

Body = Callable[[World, str], Any] | None


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # formatted with the World's fields
    allowed: dict[str, int]  # actor -> status when allowed
    refused: int = 403  # status for the other authenticated actors
    refused_as: dict[str, int] | None = None  # exceptions to `refused`
    body: Body = None
    audited: tuple[str, ...] = ()  # the audit actions an allowed call writes, in order

    def expected(self, actor: str) -> int:
        if actor in ("none", "revoked", "expired"):
            return 401
        if actor in self.allowed:
            return self.allowed[actor]
        return (self.refused_as or {}).get(actor, self.refused)


EVERYONE = {"cw_a": 200, "cw_a2": 200, "cw_b": 200, "co_a": 200, "co_b": 200, "admin": 200}
READERS_A = {"cw_a": 200, "co_a": 200, "admin": 200}  # who may read client A's data
WRITERS_A = {"cw_a": 201, "co_a": 201, "admin": 201}
MANAGERS_A = {"co_a": 200, "admin": 200}
COORDINATORS = {"co_a": 200, "co_b": 200, "admin": 200}
# A schedule of unit A: its coordinator and admins; unit A's caseworkers see the unit but
# may not plan (403); the others do not see it (404).
SEES_NOT_PLANS_A = {"cw_a": 403, "cw_a2": 403}
SEES_UNIT_A = {"cw_a": 200, "cw_a2": 200, "co_a": 200, "admin": 200}


def client_body(world: World, actor: str) -> dict[str, Any]:
    return {"unit_id": world.unit_a, "alias": "New", "case_ref": f"N-{actor}", "audience": "child"}


def schedule_body(world: World, actor: str) -> dict[str, Any]:
    return {
        "unit_id": world.unit_a,
        "name": f"Check-in {actor}",
        "dialog_id": "youth_checkin",
        "audience": "youth",
        "recurrence": {"kind": "weekly", "weekday": 6, "at": "15:00"},
    }


def theme_body(world: World, actor: str) -> dict[str, Any]:
    names = {"fi": "Jonot", "sv": "Köer", "en": "Queues"}
    return {"name": names, "keywords": ["jono*", "queue*"], "active": True}


CASES = {
    "me": Case("GET", "/api/v1/me", EVERYONE),
    "units": Case("GET", "/api/v1/units", EVERYONE),
    "staff": Case("GET", "/api/v1/staff", EVERYONE),
    "unit.create": Case(
        "POST",
        "/api/v1/units",
        {"admin": 201},
        body=lambda w, actor: {"code": f"new-{actor}", "name": "New unit"},
    ),
    "unit.read": Case("GET", "/api/v1/units/{unit_a}", SEES_UNIT_A, refused=404),
    "unit.rename": Case(
        "PATCH",
        "/api/v1/units/{unit_a}",
        MANAGERS_A,
        refused=404,
        refused_as={"cw_a": 403, "cw_a2": 403},
        body=lambda w, actor: {"name": "Renamed"},
    ),
    "clients": Case("GET", "/api/v1/clients", EVERYONE, audited=("client.list",)),
    "client.create": Case(
        "POST",
        "/api/v1/clients",
        {"co_a": 201, "admin": 201},
        refused=404,
        refused_as={"cw_a": 403, "cw_a2": 403},
        body=client_body,
        audited=("client.create",),
    ),
    "client.read": Case(
        "GET", "/api/v1/clients/{client_a}", READERS_A, refused=404, audited=("client.read",)
    ),
    "client.update": Case(
        "PATCH",
        "/api/v1/clients/{client_a}",
        MANAGERS_A,
        refused=404,
        refused_as={"cw_a": 403},
        body=lambda w, actor: {"alias": "Changed"},
        audited=("client.update",),
    ),
    "client.reassign": Case(  # a new caseworker may see the client's data: a change of access
        "PATCH",
        "/api/v1/clients/{client_a}",
        MANAGERS_A,
        refused=404,
        refused_as={"cw_a": 403},
        body=lambda w, actor: {
            "caseworker_id": w.staff_ids["cw_a2" if actor == "co_a" else "cw_a"]
        },
        audited=("access.caseworker", "client.update"),
    ),
    "goals": Case(
        "GET", "/api/v1/clients/{client_a}/goals", READERS_A, refused=404, audited=("goal.list",)
    ),
    "goal.create": Case(
        "POST",
        "/api/v1/clients/{client_a}/goals",
        WRITERS_A,
        refused=404,
        body=lambda w, actor: {"title": "Sleep", "weight": 2},
        audited=("goal.create",),
    ),
    "goal.update": Case(
        "PATCH",
        "/api/v1/clients/{client_a}/goals/{goal_a}",
        READERS_A,
        refused=404,
        body=lambda w, actor: {"active": False},
        audited=("goal.update",),
    ),
    "timeline": Case(
        "GET",
        "/api/v1/clients/{client_a}/timeline",
        READERS_A,
        refused=404,
        audited=("client.timeline",),
    ),
    "responses.csv": Case("GET", "/api/v1/responses.csv", EVERYONE, audited=("response.export",)),
    "invite.create": Case(
        "POST",
        "/api/v1/clients/{client_a}/invites",
        WRITERS_A,
        refused=404,
        audited=("access.invite",),
    ),
    "responses": Case("GET", "/api/v1/responses", EVERYONE, audited=("response.list",)),
    "response.read": Case(
        "GET",
        "/api/v1/responses/{response_a}",
        READERS_A,
        refused=404,
        audited=("response.read",),
    ),
    "unit.comments": Case(
        "GET",
        "/api/v1/units/{unit_a}/comments",
        SEES_UNIT_A,
        refused=404,
        audited=("unit.comments",),
    ),
    "flags": Case("GET", "/api/v1/flags", EVERYONE, audited=("flag.list",)),
    "flag.read": Case(
        "GET", "/api/v1/flags/{flag_a}", READERS_A, refused=404, audited=("flag.read",)
    ),
    "flag.acknowledge": Case(
        "POST",
        "/api/v1/flags/{flag_a}/acknowledge",
        READERS_A,
        refused=404,
        audited=("flag.acknowledge",),
    ),
    "flag.assign": Case(
        "POST",
        "/api/v1/flags/{flag_a}/assign",
        MANAGERS_A,
        refused=404,
        refused_as={"cw_a": 403},
        body=lambda w, actor: {"staff_id": w.staff_ids["cw_a2"]},
        audited=("access.flag.assign", "flag.assign"),
    ),
    "flag.resolve": Case(
        "POST",
        "/api/v1/flags/{flag_a}/resolve",
        {"cw_a": 200, "co_a": 409, "admin": 409},  # the first resolves it
        refused=404,
        body=lambda w, actor: {"note": "Called, all fine"},
        audited=("flag.resolve",),
    ),
    "audit": Case("GET", "/api/v1/audit", {"admin": 200}),
    "me.revoke": Case(
        "POST",
        "/api/v1/me/revoke",
        {actor: 204 for actor in EVERYONE},
        audited=("access.token.revoke",),
    ),
    "me.telegram_link": Case(
        "POST", "/api/v1/me/telegram-link", {actor: 201 for actor in EVERYONE}
    ),
    "me.telegram_unlink": Case(
        "DELETE", "/api/v1/me/telegram-link", {actor: 204 for actor in EVERYONE}
    ),
    "themes": Case("GET", "/api/v1/themes", EVERYONE),
    "theme.put": Case("PUT", "/api/v1/themes/{theme}", {"admin": 200}, body=theme_body),
    "theme.delete": Case("DELETE", "/api/v1/themes/{theme}", {"admin": 204}),
    "unit.themes": Case("GET", "/api/v1/units/{unit_a}/themes", SEES_UNIT_A, refused=404),
    "unit.theme.put": Case(
        "PUT",
        "/api/v1/units/{unit_a}/themes/{theme}",
        MANAGERS_A,
        refused=404,
        refused_as={"cw_a": 403, "cw_a2": 403},
        body=theme_body,
    ),
    "unit.theme.delete": Case(
        "DELETE",
        "/api/v1/units/{unit_a}/themes/{theme}",
        {"co_a": 204, "admin": 204},
        refused=404,
        refused_as={"cw_a": 403, "cw_a2": 403},
    ),
    "unit.themes.counts": Case(
        "GET",
        "/api/v1/units/{unit_a}/themes/counts",
        MANAGERS_A,
        refused=404,
        refused_as={"cw_a": 403, "cw_a2": 403},
        audited=("unit.themes",),
    ),
    "unit.report": Case("GET", "/api/v1/units/{unit_a}/report", SEES_UNIT_A, refused=404),
    "unit.report.csv": Case("GET", "/api/v1/units/{unit_a}/report.csv", SEES_UNIT_A, refused=404),
    "unit.report.xlsx": Case("GET", "/api/v1/units/{unit_a}/report.xlsx", SEES_UNIT_A, refused=404),
    "unit.report.chart": Case(
        "GET", "/api/v1/units/{unit_a}/report/chart.svg", SEES_UNIT_A, refused=404
    ),
    "units.compare": Case("GET", "/api/v1/reports/units", {"co_a": 200, "co_b": 200, "admin": 200}),
    "units.compare.csv": Case(
        "GET", "/api/v1/reports/units.csv", {"co_a": 200, "co_b": 200, "admin": 200}
    ),
    "units.compare.xlsx": Case(
        "GET", "/api/v1/reports/units.xlsx", {"co_a": 200, "co_b": 200, "admin": 200}
    ),
    "units.compare.chart": Case(
        "GET", "/api/v1/reports/units/chart.svg", {"co_a": 200, "co_b": 200, "admin": 200}
    ),
    "schedules": Case("GET", "/api/v1/schedules", COORDINATORS, audited=("schedule.list",)),
    "schedule.create": Case(
        "POST",
        "/api/v1/schedules",
        {"co_a": 201, "admin": 201},
        refused=404,
        refused_as=SEES_NOT_PLANS_A,
        body=schedule_body,
        audited=("schedule.create",),
    ),
    "schedules.due": Case("GET", "/api/v1/schedules/due", EVERYONE, audited=("schedule.due",)),
    "schedule.read": Case(
        "GET",
        "/api/v1/schedules/{schedule_a}",
        MANAGERS_A,
        refused=404,
        refused_as=SEES_NOT_PLANS_A,
        audited=("schedule.read",),
    ),
    "schedule.change": Case(
        "PATCH",
        "/api/v1/schedules/{schedule_a}",
        MANAGERS_A,
        refused=404,
        refused_as=SEES_NOT_PLANS_A,
        body=lambda w, actor: {"name": "Renamed", "paused": True},
        audited=("schedule.change",),
    ),
    "schedule.preview": Case(
        "GET",
        "/api/v1/schedules/{schedule_a}/preview",
        MANAGERS_A,
        refused=404,
        refused_as=SEES_NOT_PLANS_A,
    ),
    "schedule.runs": Case(
        "GET",
        "/api/v1/schedules/{schedule_a}/runs",
        MANAGERS_A,
        refused=404,
        refused_as=SEES_NOT_PLANS_A,
    ),
    "schedule.responses": Case(
        "GET",
        "/api/v1/schedules/{schedule_a}/responses",
        MANAGERS_A,
        refused=404,
        refused_as=SEES_NOT_PLANS_A,
    ),
    "client.report": Case(
        "GET",
        "/api/v1/clients/{client_a}/report",
        READERS_A,
        refused=404,
        audited=("client.report",),
    ),
    "client.report.chart": Case(
        "GET",
        "/api/v1/clients/{client_a}/report/chart.svg",
        READERS_A,
        refused=404,
        audited=("client.report_chart",),
    ),
}


MADE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _schedule_of_unit_a(world: World, database: Database) -> int:
    """A weekly check-in of unit A's youths, made by its coordinator."""
    with database.transaction() as session:
        schedule = schedules.add_schedule(
            session,
            tables.Schedule(
                unit_id=world.unit_a,
                name="Sunday check-in",
                dialog_id="youth_checkin",
                audience="youth",
                kind="weekly",
                weekday=6,
                starts_on=dt.date(2025, 1, 1),
                armed_from=MADE,
                created_by=world.staff_ids["co_a"],
                created_at=MADE,
            ),
        )
        assert schedule.id is not None
        return schedule.id


def _order(case: Case) -> list[str]:
    """Refused callers first, so that an allowed write cannot mask a refusal."""
    return sorted(ACTORS, key=lambda actor: actor in case.allowed)


@pytest.mark.parametrize("name", list(CASES))
async def test_every_endpoint_allows_and_refuses_as_designed_and_audits_what_it_shows(
    name: str, world: World, http: httpx.AsyncClient, database: Database
) -> None:
    case = CASES[name]
    path = case.path.format(**vars(world), schedule_a=_schedule_of_unit_a(world, database))
    outcomes: dict[str, int] = {}
    written: dict[str, tuple[str, ...]] = {}
    for actor in _order(case):
        body = case.body(world, actor) if case.body is not None else None
        with database.transaction() as session:
            last = audit.last_id(session)
        response = await http.request(case.method, path, json=body, headers=bearer(world, actor))
        outcomes[actor] = response.status_code
        with database.transaction() as session:
            written[actor] = tuple(audit.actions_after(session, after_id=last))
        if not response.is_success:
            assert response.headers["content-type"] == "application/problem+json"
        # Never cached, never sniffed: answers and problems alike.
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    expected = {actor: case.expected(actor) for actor in outcomes}
    assert outcomes == expected
    audited = {
        actor: case.audited if 200 <= status < 300 else () for actor, status in expected.items()
    }
    assert written == audited


def test_the_matrix_covers_every_operation(staff_app: FastAPI) -> None:
    described = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in staff_app.openapi()["paths"].items()
        for method in operations
        if path.startswith("/api/v1/")
    }
    covered = {(case.method, re.sub(r"\{[^}]+\}", "{}", case.path)) for case in CASES.values()}
    assert described == covered
