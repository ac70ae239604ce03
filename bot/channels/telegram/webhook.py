"""`POST /telegram/webhook`: authenticate, process and commit, and only then answer 2xx.

401 for a wrong or missing secret (nothing is touched), 413 for an oversized body, 400 for a
body that is not JSON or not an update (whatever its shape, however deeply nested), 503 while
the database is away (Telegram retries, nothing is lost). An update of a type the bot does not
use is acknowledged with 200 and dropped; an unexpected failure of one update is logged
(without its content) and acknowledged, so that it cannot stall the updates behind it.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from bot.http import DATABASE_AWAY, problem, read_body

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1_000_000


def webhook_router(
    *, dispatcher: Dispatcher, bot: Bot, secret: str, on_processed: Callable[[], None]
) -> APIRouter:
    router = APIRouter()
    expected = secret.encode()

    @router.post(PATH, include_in_schema=False)
    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return problem(401, "Unauthorized", f"the {SECRET_HEADER} header is wrong or missing")
        body = await read_body(request, MAX_BODY)
        if body is None:
            return problem(413, "Payload too large", f"an update is at most {MAX_BODY} bytes")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return problem(400, "Bad request", "the body is not JSON (or nested too deeply)")
        if not isinstance(data, dict):
            return problem(400, "Bad request", "an update is a JSON object")
        try:
            update = Update.model_validate(data, context={"bot": bot})
        except (ValidationError, RecursionError):
            log.info("a body that is not an update was refused (400)")
            return problem(400, "Bad request", "the body is not a Telegram update")
        try:
            update.event_type  # noqa: B018 - raises for an update type this bot does not know
        except LookupError:
            log.info("an update the bot cannot use was acknowledged and dropped")
            return JSONResponse({})
        try:
            await dispatcher.feed_update(bot, update)
        except DATABASE_AWAY:
            log.warning("update %s not processed: the database is away (503)", update.update_id)
            return problem(503, "Service unavailable", "the database is away; retry later")
        except Exception:
            log.error("update %s failed; acknowledged and dropped", update.update_id, exc_info=True)
            return JSONResponse({})
        on_processed()
        return JSONResponse({})

    return router
