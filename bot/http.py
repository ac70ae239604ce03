"""The public edge's vocabulary: reading a request body within a limit, "the database is away",
and problem+json (RFC 9457) answers. Used by the Telegram webhook, the web chat and health."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse

# What a request meets while the database cannot be reached: answered 503, retried later.
DATABASE_AWAY = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
PROBLEM_TYPE = "application/problem+json"


def problem_body(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def problem(
    status: int, title: str, detail: str, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, title, detail),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers=headers,
    )


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None when it is (or declares itself) longer than `limit` bytes.

    Read in chunks, so that an oversized body is refused without holding all of it.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)
