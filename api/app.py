"""The staff app factory."""

from __future__ import annotations

from fastapi import FastAPI

from bot.health import health_router
from storage.db import Database


def create_staff_app(*, database: Database) -> FastAPI:
    app = FastAPI(
        title="Kerro staff API",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.include_router(health_router(database))
    return app
