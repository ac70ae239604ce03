from __future__ import annotations

import datetime as dt

import httpx

from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories.responses import to_date
from tests.api.conftest import World, _add_response, bearer
from tests.bot.helpers import rows
from tests.support.clock import Clock


async def _ids(http: httpx.AsyncClient, world: World, actor: str, query: str = "") -> list[str]:
    response = await http.get(f"/api/v1/responses{query}", headers=bearer(world, actor))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_each_reader_lists_only_their_clients_responses_with_the_text_opened(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    with database.transaction() as session:
        _add_response(
            session,
            keyring,
            unit_id=world.unit_a,
            client_id=None,
            when=to_date(clock()),
            note="anonymous words",
        )
    assert await _ids(http, world, "cw_a") == [world.response_a]
    assert await _ids(http, world, "cw_a2") == []
    assert await _ids(http, world, "co_b") == [world.response_b]
    # Both at the same time: ordered by their opaque ids, so either way round.
    assert sorted(await _ids(http, world, "admin")) == sorted([world.response_b, world.response_a])
    page = (await http.get("/api/v1/responses", headers=bearer(world, "co_a"))).json()
    [item] = page["items"]
    assert item["client_id"] == world.client_a
    assert {"step_id": "note", "text": "I'm tired"}.items() <= item["answers"][1].items()
    # The stored text is sealed.
    assert all("tired" not in (a.text_sealed or "") for a in rows(database, tables.Answer))


async def test_keyset_pages_cover_every_response_once_and_filters_apply(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    with database.transaction() as session:
        for day in range(7):
            _add_response(
                session,
                keyring,
                unit_id=world.unit_a,
                client_id=world.client_a,
                when=clock() - dt.timedelta(days=10 + day),
                note=None,
                dialog_id="child_checkin",
            )
    seen: list[str] = []
    started: list[str] = []
    query = "?limit=3"
    while True:
        page = (await http.get(f"/api/v1/responses{query}", headers=bearer(world, "co_a"))).json()
        seen += [item["id"] for item in page["items"]]
        started += [item["started_at"] for item in page["items"]]
        if page["next_before"] is None:
            break
        query = f"?limit=3&before={page['next_before']}"
    # Newest first, each once; the cursor holds the last row's own time and opaque id.
    assert started == sorted(started, reverse=True)
    assert len(seen) == len(set(seen)) == 8
    forged = await http.get(
        "/api/v1/responses?before=bm90LWEtY3Vyc29y", headers=bearer(world, "co_a")
    )
    assert forged.status_code == 422
    assert len(await _ids(http, world, "co_a", "?dialog_id=child_checkin")) == 7
    since = (clock() - dt.timedelta(days=12)).isoformat().replace("+00:00", "Z")
    assert len(await _ids(http, world, "co_a", f"?since={since}")) == 4
    naive = await http.get(
        "/api/v1/responses?since=2026-01-01T00:00:00", headers=bearer(world, "co_a")
    )
    assert naive.status_code == 422
    assert "since" in naive.json()["detail"]


async def test_a_units_anonymous_text_is_withheld_under_five_respondents(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    url = f"/api/v1/units/{world.unit_a}/comments"
    for count in range(1, 6):
        with database.transaction() as session:
            _add_response(
                session,
                keyring,
                unit_id=world.unit_a,
                client_id=None,
                when=to_date(clock()),
                note=f"comment {count}",
                dialog_id="open_feedback",
            )
        body = (await http.get(url, headers=bearer(world, "co_a"))).json()
        if count < 5:
            assert body == {"respondents": 0, "suppressed": True, "comments": []}
    assert body["suppressed"] is False
    assert body["respondents"] == 5
    assert sorted(c["text"] for c in body["comments"]) == [f"comment {n}" for n in range(1, 6)]
    assert set(body["comments"][0]) == {"date", "dialog_id", "step_id", "text"}


async def test_answers_without_text_do_not_pad_the_group_whose_words_are_shown(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    """One person's comment and four kiosk taps (a smiley each, no text): still one writer,
    so the comment stays withheld; four more people who write lift the limit."""
    url = f"/api/v1/units/{world.unit_a}/comments"
    with database.transaction() as session:
        _add_response(
            session,
            keyring,
            unit_id=world.unit_a,
            client_id=None,
            when=to_date(clock()),
            note="the only comment",
            dialog_id="open_feedback",
        )
        for _ in range(4):
            _add_response(
                session,
                keyring,
                unit_id=world.unit_a,
                client_id=None,
                when=to_date(clock()),
                note=None,
                dialog_id="open_feedback",
            )
    body = (await http.get(url, headers=bearer(world, "co_a"))).json()
    assert body == {"respondents": 0, "suppressed": True, "comments": []}
    with database.transaction() as session:
        for count in range(4):
            _add_response(
                session,
                keyring,
                unit_id=world.unit_a,
                client_id=None,
                when=to_date(clock()),
                note=f"comment {count}",
                dialog_id="open_feedback",
            )
    body = (await http.get(url, headers=bearer(world, "co_a"))).json()
    assert body["suppressed"] is False
    assert body["respondents"] == 5
