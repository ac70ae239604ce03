"""The public app factory: what clients reach (health, the Telegram webhook, the web chat)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI

from bot.health import health_router
from storage.db import Database


def create_public_app(*, database: Database, routers: Sequence[APIRouter] = ()) -> FastAPI:
    app = FastAPI(title="Kerro", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router(database))
    for router in routers:
        app.include_router(router)
    return app
