"""Liveness and readiness endpoints, mounted on both apps."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

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
        return JSONResponse(
            {
                "type": "about:blank",
                "title": "Not ready",
                "status": 503,
                "detail": "the database cannot be reached",
            },
            status_code=503,
            media_type="application/problem+json",
        )

    return router
