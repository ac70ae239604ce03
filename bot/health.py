"""Liveness and readiness endpoints, mounted on both apps."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.http import problem
from storage.db import Database


def health_router(database: Database) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", response_model=None)
    async def readyz() -> dict[str, str] | JSONResponse:
        if await database.ping():
            return {"status": "ready"}
        return problem(503, "Not ready", "the database cannot be reached")

    return router
