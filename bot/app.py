"""The public app factory: what clients reach (health, the Telegram webhook, the web chat)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response

from bot.health import health_router
from storage.db import Database

Handler = Callable[[Request, Exception], Coroutine[Any, Any, Response]]


def create_public_app(
    *,
    database: Database,
    routers: Sequence[APIRouter] = (),
    exception_handlers: Mapping[type[Exception], Handler] | None = None,
) -> FastAPI:
    app = FastAPI(title="Kerro", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router(database))
    for router in routers:
        app.include_router(router)
    for kind, handler in (exception_handlers or {}).items():
        app.add_exception_handler(kind, handler)
    return app
