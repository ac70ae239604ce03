"""Liveness and readiness endpoints, mounted on both apps."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session

from bot.http import problem
from storage.db import Database


def health_router(
    database: Database, *, warnings: Callable[[Session], list[str]] | None = None
) -> APIRouter:
    """`warnings` reads what an operator should hear about (a ready app still says it)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", response_model=None)
    async def readyz() -> dict[str, object] | JSONResponse:
        if await database.ping():
            found = [] if warnings is None else await database.run(warnings)
            return {"status": "ready", "warnings": found} if found else {"status": "ready"}
        return problem(503, "Not ready", "the database cannot be reached")

    return router
