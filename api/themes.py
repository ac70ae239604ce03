"""Themes of open feedback, for social reporting: the themes in force (shipped, the
organisation's, a unit's own), their editing (admins for the organisation, coordinators for
their units), and a unit's theme counts by month with example quotes.

The counts open the unit's feedback texts (anonymous, and parents' given in their own name),
so they are a person-linked read: audited, for a unit's coordinators and admins only. A month
whose feedback came from fewer than 5 respondents is withheld, and the period's figures count
only the months shown; quotes are given only for a theme that at least 5 respondents wrote
about, at most one a respondent, with numbers, addresses and names inside a sentence hidden
(`dialogs.themes.redact`).

Editing themes shows no person-linked data and changes nobody's access, so it writes no
audit row; each edited theme keeps who changed it last, and when.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlmodel import Session

from api import audit
from api.auth import require_admin, require_manager, sees_unit
from api.context import ApiContext
from api.deps import PERSON_LINKED, ContextDep, CurrentStaff, UnitId, purpose
from api.fields import Moment, Name
from api.problems import Problem, not_found
from api.texts import UNREADABLE, open_text
from dialogs import themes as theming
from dialogs.themes import Lemmatizer, Theme, ThemeError, ThemeMatcher
from storage.repositories import themes as stored
from storage.repositories import units
from storage.repositories.staff import Member

router = APIRouter(tags=["themes"])

MIN_GROUP = 5
MAX_QUOTES = 10
SHIPPED = theming.load_defaults()
Source = Literal["shipped", "organisation", "unit"]
ThemeKey = Annotated[
    str, Path(pattern=theming.KEY_PATTERN, description="a theme's key: a-z, 0-9 and _")
]
Keyword = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=theming.MAX_KEYWORD_LENGTH,
        pattern=r"^[^\x00-\x1f\x7f]*[^\W_][^\x00-\x1f\x7f]*$",  # a letter or digit
    ),
]


class ThemeNames(BaseModel):
    fi: Name
    sv: Name
    en: Name


class ThemeIn(BaseModel):
    name: ThemeNames
    keywords: list[Keyword] = Field(
        min_length=1,
        max_length=theming.MAX_KEYWORDS,
        description="patterns: `word` (any inflected form), `stem*`, `*part*`; alternatives "
        "`a|b`; several slots make a phrase",
    )
    active: bool = Field(default=True, description="false hides the theme here")


class ThemeOut(BaseModel):
    key: str
    name: ThemeNames
    keywords: list[str]
    active: bool
    source: Source = Field(description="where the theme in force comes from")

    @classmethod
    def of(cls, placed: theming.Placed) -> ThemeOut:
        theme = placed.theme
        assert placed.source in ("shipped", "organisation", "unit")
        return cls(
            key=theme.key,
            name=ThemeNames(**theme.names),
            keywords=list(theme.keywords),
            active=theme.active,
            source=placed.source,
        )


class MonthCounts(BaseModel):
    month: str = Field(description="YYYY-MM (UTC)")
    suppressed: bool = Field(description=f"fewer than {MIN_GROUP} respondents wrote")
    respondents: int | None = Field(description="who wrote feedback; null when suppressed")
    themes: dict[str, int] | None = Field(
        description="respondents whose feedback speaks of each theme; null when suppressed"
    )


class Quote(BaseModel):
    month: str
    text: str


class ThemeTotal(BaseModel):
    key: str
    name: ThemeNames
    respondents: int = Field(description="in the months shown")
    quotes: list[Quote]
    quotes_withheld: bool = Field(description=f"fewer than {MIN_GROUP} respondents: no quotes")


class ThemeCounts(BaseModel):
    unit_id: int
    min_group: int = MIN_GROUP
    respondents: int = Field(description="who wrote feedback in the months shown")
    months: list[MonthCounts]
    themes: list[ThemeTotal]
    note: str = Field(
        description="what was withheld, and why",
    )


_lemma_caches: weakref.WeakKeyDictionary[Lemmatizer, Lemmatizer] = weakref.WeakKeyDictionary()


def _lemmatizer(context: ApiContext) -> Lemmatizer | None:
    """The context's lemmatizer behind a cache shared by the requests (analysis is the cost)."""
    lemmatizer = context.lemmatizer
    if lemmatizer is None:
        return None
    cached = _lemma_caches.get(lemmatizer)
    if cached is None:
        cached = lru_cache(maxsize=100_000)(lambda word: tuple(lemmatizer(word)))
        _lemma_caches[lemmatizer] = cached
    return cached


def _theme(key: str, body: ThemeIn) -> Theme:
    try:
        keywords = theming.check_keywords(body.keywords, "keywords")
    except ThemeError as error:
        raise Problem(422, str(error)) from None
    return Theme(key, body.name.model_dump(), keywords, body.active)


def _in_force(session: Session, unit_id: int | None) -> list[theming.Placed]:
    organisation = stored.edited_themes(session, unit_id=None)
    unit = [] if unit_id is None else stored.edited_themes(session, unit_id=unit_id)
    return theming.in_force(SHIPPED, organisation, unit)


def _visible_unit(session: Session, member: Member, unit_id: int) -> None:
    if units.unit_by_id(session, unit_id=unit_id) is None or not sees_unit(member, unit_id):
        raise not_found("unit")


@router.get("/themes")
async def list_themes(member: CurrentStaff, context: ContextDep) -> list[ThemeOut]:
    """The organisation's themes in force: the shipped ones, as the admins edited them."""

    def work(session: Session) -> list[ThemeOut]:
        return [ThemeOut.of(placed) for placed in _in_force(session, None)]

    return await context.database.run(work)


@router.put("/themes/{key}")
async def put_theme(
    key: ThemeKey, body: ThemeIn, member: CurrentStaff, context: ContextDep
) -> ThemeOut:
    """Make or replace a theme of the organisation (admins); every unit without its own
    theme of this key counts by it."""
    require_admin(member)
    theme = _theme(key, body)

    def work(session: Session) -> ThemeOut:
        stored.put_theme(
            session, unit_id=None, theme=theme, staff_id=member.id, now=context.clock()
        )
        return ThemeOut.of(theming.Placed(theme, "organisation"))

    return await context.database.run(work)


@router.delete("/themes/{key}", status_code=204)
async def delete_theme(key: ThemeKey, member: CurrentStaff, context: ContextDep) -> Response:
    """Drop the organisation's edit of a theme: the shipped theme of the key (if any) is in
    force again (admins). Dropping what is not there changes nothing."""
    require_admin(member)

    def work(session: Session) -> None:
        stored.delete_theme(session, unit_id=None, key=key)

    await context.database.run(work)
    return Response(status_code=204)


@router.get("/units/{unit_id}/themes")
async def list_unit_themes(
    unit_id: UnitId, member: CurrentStaff, context: ContextDep
) -> list[ThemeOut]:
    """The unit's themes in force: shipped, the organisation's, the unit's own."""

    def work(session: Session) -> list[ThemeOut]:
        _visible_unit(session, member, unit_id)
        return [ThemeOut.of(placed) for placed in _in_force(session, unit_id)]

    return await context.database.run(work)


@router.put("/units/{unit_id}/themes/{key}")
async def put_unit_theme(
    unit_id: UnitId, key: ThemeKey, body: ThemeIn, member: CurrentStaff, context: ContextDep
) -> ThemeOut:
    """Make or replace the unit's own theme of this key (its coordinators, admins); with
    `active` false it hides the organisation's theme in the unit."""
    theme = _theme(key, body)

    def work(session: Session) -> ThemeOut:
        _visible_unit(session, member, unit_id)
        require_manager(member, unit_id)
        stored.put_theme(
            session, unit_id=unit_id, theme=theme, staff_id=member.id, now=context.clock()
        )
        return ThemeOut.of(theming.Placed(theme, "unit"))

    return await context.database.run(work)


@router.delete("/units/{unit_id}/themes/{key}", status_code=204)
async def delete_unit_theme(
    unit_id: UnitId, key: ThemeKey, member: CurrentStaff, context: ContextDep
) -> Response:
    """Drop the unit's own theme of this key (its coordinators, admins)."""

    def work(session: Session) -> None:
        _visible_unit(session, member, unit_id)
        require_manager(member, unit_id)
        stored.delete_theme(session, unit_id=unit_id, key=key)

    await context.database.run(work)
    return Response(status_code=204)


def _spread(items: list[stored.FeedbackText], count: int) -> list[stored.FeedbackText]:
    """`count` items spread over the period (the list is by date), one a respondent."""
    seen: set[tuple[str, int]] = set()
    unique = []
    for item in items:
        if item.respondent not in seen:
            seen.add(item.respondent)
            unique.append(item)
    if len(unique) <= count:
        return unique
    step = len(unique) / count
    return [unique[int(index * step)] for index in range(count)]


@router.get("/units/{unit_id}/themes/counts", openapi_extra=PERSON_LINKED)
async def theme_counts(
    unit_id: UnitId,
    member: CurrentStaff,
    context: ContextDep,
    why: Annotated[str, purpose("social reporting")],
    since: Moment | None = None,
    until: Moment | None = None,
    quotes: Annotated[int, Query(ge=0, le=MAX_QUOTES, description="quotes a theme")] = 3,
) -> ThemeCounts:
    """What the unit's feedback speaks of, by month (its coordinators, admins)."""

    def work(session: Session) -> ThemeCounts:
        _visible_unit(session, member, unit_id)
        require_manager(member, unit_id)
        active = theming.active_themes(_in_force(session, unit_id))
        matcher = ThemeMatcher(active, _lemmatizer(context))
        texts = stored.feedback_texts(
            session, unit_id=unit_id, steps=theming.FEEDBACK_STEPS, since=since, until=until
        )
        by_month: dict[str, list[tuple[stored.FeedbackText, str, tuple[str, ...]]]] = defaultdict(
            list
        )
        for item in texts:
            text = open_text(context, item.text_sealed)
            found = () if text == UNREADABLE else matcher.themes_of(text)
            by_month[item.on.strftime("%Y-%m")].append((item, text, found))
        months: list[MonthCounts] = []
        shown: list[tuple[str, stored.FeedbackText, str, tuple[str, ...]]] = []
        withheld = 0
        for month in sorted(by_month):
            entries = by_month[month]
            respondents = {item.respondent for item, _, _ in entries}
            if len(respondents) < MIN_GROUP:
                withheld += 1
                months.append(
                    MonthCounts(month=month, suppressed=True, respondents=None, themes=None)
                )
                continue
            per_theme: dict[str, set[tuple[str, int]]] = {theme.key: set() for theme in active}
            for item, text, found in entries:
                shown.append((month, item, text, found))
                for key in found:
                    per_theme[key].add(item.respondent)
            months.append(
                MonthCounts(
                    month=month,
                    suppressed=False,
                    respondents=len(respondents),
                    themes={key: len(who) for key, who in per_theme.items()},
                )
            )
        totals: list[ThemeTotal] = []
        quoted_clients: set[int] = set()
        for theme in active:
            about = [(m, item, text) for m, item, text, found in shown if theme.key in found]
            who = {item.respondent for _, item, _ in about}
            enough = len(who) >= MIN_GROUP
            picked: list[Quote] = []
            if enough and quotes:
                months_of = {id(item): m for m, item, _ in about}
                texts_of = {id(item): text for _, item, text in about}
                for item in _spread([item for _, item, _ in about], quotes):
                    picked.append(
                        Quote(month=months_of[id(item)], text=theming.redact(texts_of[id(item)]))
                    )
                    if item.client_id is not None:
                        quoted_clients.add(item.client_id)
            totals.append(
                ThemeTotal(
                    key=theme.key,
                    name=ThemeNames(**theme.names),
                    respondents=len(who),
                    quotes=picked,
                    quotes_withheld=not enough,
                )
            )
        audit.record(
            session,
            member,
            action="unit.themes",
            target=f"unit/{unit_id}/themes/counts?since={since or ''}&until={until or ''}",
            purpose=why,
            client_ids=sorted(quoted_clients),
            now=context.clock(),
        )
        note = (
            f"{withheld} month(s) withheld: fewer than {MIN_GROUP} respondents wrote; the "
            "totals count only the months shown. Quotes only for themes that at least "
            f"{MIN_GROUP} respondents wrote about, with numbers, addresses and names hidden."
        )
        return ThemeCounts(
            unit_id=unit_id,
            respondents=len({item.respondent for _, item, _, _ in shown}),
            months=months,
            themes=totals,
            note=note,
        )

    return await context.database.run(work)
