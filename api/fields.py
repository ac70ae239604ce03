"""Field types for request bodies and query parameters: bounded, clean, timezone-aware."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StringConstraints,
    WithJsonSchema,
)

from bot.messages import CODE_PATTERN

Language = Literal["fi", "sv", "en"]
Audience = Literal["youth", "child", "parent"]
_ALLOWED_CONTROLS = {"\n", "\t"}
# The same rule in the schema: no control characters but a newline and a tab.
CLEAN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"


def _clean(value: str) -> str:
    for char in value:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cs":
            raise ValueError("control characters and lone surrogates are not allowed")
    return value


_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day_start(value: object) -> object:
    """A plain date (`2026-11-01`) is the moment its day begins, 00:00 UTC."""
    if isinstance(value, str) and _PLAIN_DATE.match(value):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a date") from error
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0), tzinfo=dt.UTC)
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as error:
        raise ValueError("the time is out of range") from error


Name = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=CLEAN), AfterValidator(_clean)
]
Alias = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=CLEAN), AfterValidator(_clean)
]
CaseRef = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=CLEAN), AfterValidator(_clean)
]
Title = Annotated[
    str, StringConstraints(min_length=1, max_length=300, pattern=CLEAN), AfterValidator(_clean)
]
Note = Annotated[
    str, StringConstraints(min_length=1, max_length=2000, pattern=CLEAN), AfterValidator(_clean)
]
# An e-mail address, checked for shape only (the SMTP server says whether it exists).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f<>,;]+@[^@\s\x00-\x1f\x7f<>,;]+\.[^@\s\x00-\x1f\x7f<>,;]+$"
Email = Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN)]
UnitCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
DialogId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
# A time with its offset, or a plain date (the start of that day, UTC).
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_day_start),
    AfterValidator(_utc),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "format": "date"},
            ],
            "description": "a time with its offset, or a date: the start of that day, 00:00 UTC",
        }
    ),
]
