"""Themes of open feedback as staff edited them, and the feedback texts they are counted on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from dialogs.themes import Theme as ThemeValue
from storage.tables import Answer, Response, Theme

_themes: sa.Table = Theme.__table__  # type: ignore[attr-defined]


def _value(row: Sequence[Any]) -> ThemeValue:
    key, fi, sv, en, keywords, active = row
    return ThemeValue(
        key=str(key),
        names={"fi": str(fi), "sv": str(sv), "en": str(en)},
        keywords=tuple(str(keyword) for keyword in keywords),
        active=bool(active),
    )


_COLUMNS = (
    _themes.c.key,
    _themes.c.name_fi,
    _themes.c.name_sv,
    _themes.c.name_en,
    _themes.c.keywords,
    _themes.c.active,
)


def edited_themes(session: Session, *, unit_id: int | None) -> list[ThemeValue]:
    """The organisation's edited themes (unit_id None) or one unit's own, in the order they
    were first made."""
    scope = _themes.c.unit_id.is_(None) if unit_id is None else _themes.c.unit_id == unit_id
    rows = session.connection().execute(sa.select(*_COLUMNS).where(scope).order_by(_themes.c.id))
    return [_value(row) for row in rows]


def put_theme(
    session: Session,
    *,
    unit_id: int | None,
    theme: ThemeValue,
    staff_id: int | None,
    now: dt.datetime,
) -> bool:
    """Make or replace the organisation's (unit_id None) or a unit's theme of this key; True
    when it was new."""
    scope = _themes.c.unit_id.is_(None) if unit_id is None else _themes.c.unit_id == unit_id
    values = {
        "name_fi": theme.names["fi"],
        "name_sv": theme.names["sv"],
        "name_en": theme.names["en"],
        "keywords": list(theme.keywords),
        "active": theme.active,
        "updated_at": now,
        "updated_by": staff_id,
    }
    connection = session.connection()
    changed = connection.execute(
        sa.update(_themes).where(scope, _themes.c.key == theme.key).values(**values)
    ).rowcount
    if changed:
        return False
    connection.execute(sa.insert(_themes).values(unit_id=unit_id, key=theme.key, **values))
    return True


def delete_theme(session: Session, *, unit_id: int | None, key: str) -> bool:
    """Drop the edited theme of this key (the shipped or the organisation's is in force
    again); False when there was none."""
    scope = _themes.c.unit_id.is_(None) if unit_id is None else _themes.c.unit_id == unit_id
    result = session.connection().execute(sa.delete(_themes).where(scope, _themes.c.key == key))
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class FeedbackText:
    """A free-text answer of feedback. `respondent` tells respondents apart inside this
    process only (a client, or one anonymous response: nothing links two of those) and never
    leaves the API; `client_id` is None for an anonymous answer."""

    respondent: tuple[str, int]
    client_id: int | None
    on: dt.date
    text_sealed: str


def feedback_texts(
    session: Session,
    *,
    unit_id: int,
    steps: Sequence[tuple[str, str]],
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[FeedbackText]:
    """The unit's free-text answers of the given (dialog, step)s, anonymous and in a client's
    own name, by date."""
    if not steps:
        return []
    conditions = [
        col(Response.unit_id) == unit_id,
        col(Answer.text_sealed).is_not(None),
        sa.or_(
            *(
                sa.and_(col(Response.dialog_id) == dialog, col(Answer.step_id) == step)
                for dialog, step in steps
            )
        ),
    ]
    if since is not None:
        conditions.append(col(Response.started_at) >= since)
    if until is not None:
        conditions.append(col(Response.started_at) < until)
    rows: list[Any] = list(
        session.connection().execute(
            sa.select(
                col(Response.id),
                col(Response.client_id),
                col(Response.started_at),
                col(Answer.text_sealed),
            )
            .join(Answer, col(Answer.response_id) == col(Response.id))
            .where(*conditions)
            .order_by(col(Response.started_at), col(Answer.text_sealed))
        )
    )
    found: list[FeedbackText] = []
    for response_id, client_id, started_at, sealed in rows:
        respondent = (
            ("client", int(client_id)) if client_id is not None else ("r", int(response_id))
        )
        found.append(FeedbackText(respondent, client_id, started_at.date(), str(sealed)))
    return found
