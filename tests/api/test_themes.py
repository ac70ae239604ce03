"""The themes of a unit's feedback through the staff API: counts by month, months of fewer than
5 respondents withheld, quotes only for themes that 5 wrote about, who may see and edit what,
and an edit that changes the counts. Both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from dialogs.model import Record
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import audit, responses
from tests.api.conftest import World, bearer

MARCH = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
APRIL = dt.datetime(2026, 4, 8, 9, 0, tzinfo=dt.UTC)
COUNTS = "/api/v1/units/{}/themes/counts"


def feedback(
    database: Database,
    keyring: Keyring,
    *,
    unit_id: int,
    when: dt.datetime,
    texts: list[str],
    client_id: int | None = None,
    dialog: tuple[str, str] = ("open_feedback", "comment"),
) -> None:
    """One response per text, anonymous unless a client is given."""
    with database.transaction() as session:
        for text in texts:
            stamp = when if client_id is not None else responses.to_date(when)
            response = tables.Response(
                unit_id=unit_id,
                client_id=client_id,
                dialog_id=dialog[0],
                dialog_version="1",
                channel="web",
                language="fi",
                anonymous=client_id is None,
                completed=True,
                started_at=stamp,
                updated_at=stamp,
            )
            response_id = responses.insert(session, response)
            responses.add_answers(
                session,
                response_id=response_id,
                dialog_version="1",
                recorded_at=stamp,
                records=[Record(dialog[1], dialog[1], text=text)],
                keyring=keyring,
            )


WAITING = [
    "Jouduin odottamaan vastausta viikkoja.",
    "Jonot ovat liian pitkiä.",
    "Odotin tapaamista kuukauden.",
    "Odotusaika oli kohtuuton, soita 040 123 4567.",
    "Odottaminen on raskasta.",
]


async def _counts(http: httpx.AsyncClient, world: World, actor: str, **query: Any) -> Any:
    response = await http.get(
        COUNTS.format(world.unit_a), params=query, headers=bearer(world, actor)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _month(body: Any, month: str) -> Any:
    return next(item for item in body["months"] if item["month"] == month)


def _theme(body: Any, key: str) -> Any:
    return next(item for item in body["themes"] if item["key"] == key)


async def test_counts_by_month_withhold_small_months_and_quote_only_groups_of_five(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    # March: 6 respondents, 5 wrote about waiting, 1 praised; April: 3 respondents only.
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING)
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=["Kiitos Annalle!"])
    feedback(database, keyring, unit_id=world.unit_a, when=APRIL, texts=WAITING[:3])
    # Another unit's feedback and a check-in's note to the worker are not counted.
    feedback(database, keyring, unit_id=world.unit_b, when=MARCH, texts=WAITING)
    body = await _counts(http, world, "co_a")
    march, april = _month(body, "2026-03"), _month(body, "2026-04")
    assert march["suppressed"] is False
    assert march["respondents"] == 6
    assert march["themes"]["waiting"] == 5
    assert march["themes"]["praise"] == 1
    assert march["themes"]["reachability"] == 1  # "soita" in the fourth
    assert april == {"month": "2026-04", "suppressed": True, "respondents": None, "themes": None}
    assert body["respondents"] == 6  # the months shown only
    waiting, praise = _theme(body, "waiting"), _theme(body, "praise")
    assert waiting["respondents"] == 5  # April's three are not derivable from the totals
    assert waiting["quotes_withheld"] is False
    assert len(waiting["quotes"]) == 3
    assert all(quote["month"] == "2026-03" for quote in waiting["quotes"])
    quoted = " ".join(quote["text"] for quote in waiting["quotes"])
    assert "040" not in quoted
    assert praise["respondents"] == 1
    assert praise["quotes_withheld"] is True
    assert praise["quotes"] == []
    assert "Annalle" not in str(body)
    assert "1 month(s) withheld" in body["note"]


async def test_more_quotes_on_request_and_none_with_zero(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING)
    many = await _counts(http, world, "admin", quotes=10)
    assert len(_theme(many, "waiting")["quotes"]) == 5  # one a respondent
    none = await _counts(http, world, "admin", quotes=0)
    assert _theme(none, "waiting")["quotes"] == []
    assert _theme(none, "waiting")["respondents"] == 5


async def test_four_respondents_give_no_quotes_and_withhold_their_month(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING[:4])
    body = await _counts(http, world, "co_a")
    assert _month(body, "2026-03")["suppressed"] is True
    assert _theme(body, "waiting") == {
        "key": "waiting",
        "name": {"fi": "Odottaminen ja odotusajat", "sv": "Väntan och väntetider",
                 "en": "Waiting times"},
        "respondents": 0,
        "quotes": [],
        "quotes_withheld": True,
    }  # fmt: skip


async def test_a_client_counts_once_and_a_quote_of_theirs_is_audited_with_them(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    parent = ("parent_service", "better")
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING[:4])
    feedback(
        database,
        keyring,
        unit_id=world.unit_a,
        when=MARCH,
        texts=["Odotin soittoa viikon.", "Jonossa taas."],
        client_id=world.client_a,
        dialog=parent,
    )
    body = await _counts(http, world, "co_a", quotes=10, purpose="annual report")
    assert _month(body, "2026-03")["respondents"] == 5  # 4 anonymous, and client A once
    assert _theme(body, "waiting")["respondents"] == 5
    assert len(_theme(body, "waiting")["quotes"]) == 5
    with database.transaction() as session:
        entries = audit.query(
            session,
            staff_id=world.staff_ids["co_a"],
            client_id=None,
            since=None,
            until=None,
            before_id=None,
            limit=5,
        )
    assert entries[0].action == "unit.themes"
    assert entries[0].purpose == "annual report"
    assert entries[0].client_ids == (world.client_a,)


async def test_since_and_until_choose_the_months(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING)
    feedback(database, keyring, unit_id=world.unit_a, when=APRIL, texts=WAITING)
    body = await _counts(http, world, "co_a", since="2026-04-01", until="2026-05-01")
    assert [month["month"] for month in body["months"]] == ["2026-04"]


async def test_editing_a_theme_changes_the_counts(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING)
    before = await _counts(http, world, "co_a")
    assert _month(before, "2026-03")["themes"]["waiting"] == 5
    names = {"fi": "Jonot", "sv": "Köer", "en": "Queues"}
    path = f"/api/v1/units/{world.unit_a}/themes/waiting"
    edited = await http.put(
        path, json={"name": names, "keywords": ["jono*"]}, headers=bearer(world, "co_a")
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["source"] == "unit"
    after = await _counts(http, world, "co_a")
    assert _month(after, "2026-03")["themes"]["waiting"] == 1
    assert _theme(after, "waiting")["name"] == names
    # Unit B still counts by the shipped theme.
    listed = await http.get(f"/api/v1/units/{world.unit_b}/themes", headers=bearer(world, "co_b"))
    waiting_b = next(item for item in listed.json() if item["key"] == "waiting")
    assert waiting_b["source"] == "shipped"
    # Turned off in the unit, the theme is no longer counted; dropped, the shipped one is back.
    off = await http.put(
        path,
        json={"name": names, "keywords": ["jono*"], "active": False},
        headers=bearer(world, "co_a"),
    )
    assert off.status_code == 200
    assert "waiting" not in _month(await _counts(http, world, "co_a"), "2026-03")["themes"]
    dropped = await http.delete(path, headers=bearer(world, "co_a"))
    assert dropped.status_code == 204
    assert _month(await _counts(http, world, "co_a"), "2026-03")["themes"]["waiting"] == 5


async def test_an_admin_edits_the_organisations_themes_and_every_unit_follows(
    world: World, http: httpx.AsyncClient, database: Database, keyring: Keyring
) -> None:
    feedback(database, keyring, unit_id=world.unit_a, when=MARCH, texts=WAITING)
    names = {"fi": "Jonotus", "sv": "Kö", "en": "Queueing"}
    body = {"name": names, "keywords": ["jono*", "odotusaika"]}
    refused = await http.put("/api/v1/themes/queues", json=body, headers=bearer(world, "co_a"))
    assert refused.status_code == 403
    made = await http.put("/api/v1/themes/queues", json=body, headers=bearer(world, "admin"))
    assert made.status_code == 200, made.text
    listed = await http.get("/api/v1/themes", headers=bearer(world, "cw_a"))
    queues = next(item for item in listed.json() if item["key"] == "queues")
    assert queues == {**body, "key": "queues", "active": True, "source": "organisation"}
    counts = await _counts(http, world, "co_a")
    assert _month(counts, "2026-03")["themes"]["queues"] == 2
    assert (
        await http.delete("/api/v1/themes/queues", headers=bearer(world, "admin"))
    ).status_code == 204
    listed = await http.get("/api/v1/themes", headers=bearer(world, "admin"))
    assert "queues" not in [item["key"] for item in listed.json()]


@pytest.mark.parametrize(
    ("actor", "status"),
    [("cw_a", 403), ("cw_b", 404), ("co_b", 404), ("none", 401), ("co_a", 200), ("admin", 200)],
)
async def test_only_the_units_coordinators_and_admins_read_its_themes(
    world: World, http: httpx.AsyncClient, actor: str, status: int
) -> None:
    response = await http.get(COUNTS.format(world.unit_a), headers=bearer(world, actor))
    assert response.status_code == status
    if status != 200:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {"name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": []},
        {"name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["**"]},
        {"name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["!!!"]},
        {"name": {"fi": "a", "sv": "b"}, "keywords": ["x"]},
        {"name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["x\u0000"]},
        {"name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["x" * 101]},
    ],
)
async def test_a_bad_theme_is_refused_with_a_reason_and_nothing_is_stored(
    world: World, http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    path = f"/api/v1/units/{world.unit_a}/themes/bad"
    response = await http.put(path, json=body, headers=bearer(world, "co_a"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]
    listed = await http.get(f"/api/v1/units/{world.unit_a}/themes", headers=bearer(world, "co_a"))
    assert "bad" not in [item["key"] for item in listed.json()]


async def test_a_bad_theme_key_is_refused(world: World, http: httpx.AsyncClient) -> None:
    body = {"name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["x"]}
    response = await http.put("/api/v1/themes/Bad-Key", json=body, headers=bearer(world, "admin"))
    assert response.status_code == 422
