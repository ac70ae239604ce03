"""The staff app factory: the staff API under /api/v1, and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from api import (
    audit,
    auth,
    clients,
    docs,
    enrolment,
    flags,
    pages,
    problems,
    reports,
    responses,
    schedules,
    staff,
    themes,
    timeline,
    units,
)
from api.context import ApiContext
from api.headers import NoStore
from bot import alert_coverage
from bot.health import health_router
from storage.repositories.units import list_units as units_of

PREFIX = "/api/v1"


def create_staff_app(*, context: ApiContext) -> FastAPI:
    app = FastAPI(
        title="Kerro staff API",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # api.docs serves it, with its assets
        redoc_url=None,
    )
    app.state.kerro = context
    app.add_middleware(NoStore)
    problems.install(app)
    auth.install(app)
    api = APIRouter(prefix=PREFIX)
    for module in (
        staff,
        units,
        clients,
        timeline,
        enrolment,
        responses,
        flags,
        audit,
        schedules,
        themes,
        reports,
    ):
        api.include_router(module.router)
    app.include_router(api)
    docs.install(app, prefix=PREFIX)
    pages.install(app, context)
    channels = context.alert_channels
    app.include_router(
        health_router(
            context.database,
            warnings=lambda session: alert_coverage.warnings(channels, units_of(session)),
        )
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            app.openapi_schema = problems.document(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
