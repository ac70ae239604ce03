"""Errors as RFC 9457 problem details (application/problem+json) that say what is wrong."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.headers import HEADERS

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"


class ProblemBody(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class Problem(Exception):
    """Raised anywhere in a request: rolls the transaction back and answers as a problem."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def not_found(what: str) -> Problem:
    """Also for what exists but is not the caller's: a refusal does not reveal existence."""
    return Problem(404, f"no {what} with that id, or it is not yours to see")


def forbidden(detail: str) -> Problem:
    return Problem(403, detail)


def problem_response(
    status: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = ProblemBody(title=title, status=status, detail=detail, errors=errors)
    # Also here: an unexpected error's answer is made outside the app's middleware.
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        headers={**(headers or {}), **HEADERS},
        media_type=MEDIA_TYPE,
    )


def _location(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error.get("loc", ()))


async def on_validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"location": _location(item), "message": str(item.get("msg", "invalid"))}
        for item in error.errors()
    ]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors) or "invalid input"
    return problem_response(422, detail[:1000], errors=errors)


def install(app: FastAPI) -> None:
    async def on_problem(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Problem)
        return problem_response(error.status, error.detail, headers=error.headers)

    async def on_http(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        detail = (
            error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        )
        if error.status_code == 404:
            detail = "no such resource"
        elif error.status_code == 405:
            detail = "this resource does not allow that method"
        return problem_response(error.status_code, detail, headers=error.headers)

    async def on_database_away(_: Request, error: Exception) -> JSONResponse:
        log.warning("the database cannot be reached: %s", type(error).__name__)
        return problem_response(
            503, "the database cannot be reached; try again", headers={"Retry-After": "5"}
        )

    async def on_unexpected(_: Request, error: Exception) -> JSONResponse:
        log.error("unexpected error in the staff app: %s", type(error).__name__)
        return problem_response(500, "something went wrong on the server; nothing was changed")

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(sa.exc.OperationalError, on_database_away)
    app.add_exception_handler(Exception, on_unexpected)


PROBLEM_CONTENT = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemBody"}}}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation's errors are problem+json: 401, 403, 404, 409, 422 as they apply."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemBody"] = ProblemBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            wanted = ["422"]
            if operation.get("security"):
                # Refused, missing (or not the caller's), in conflict with what is stored.
                wanted += ["401", "403", "404", "409"]
            for status in wanted:
                responses[status] = {
                    "description": HTTPStatus(int(status)).phrase,
                    "content": PROBLEM_CONTENT,
                }
    return schema
