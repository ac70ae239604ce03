"""The busiest reads (the flag inbox, the response listing, a client's timeline) check the
caller's token in the read's own transaction: one transaction a request, its audit row
included. An invalid request with an unknown token still answers 401 before 422."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from storage.db import Database
from tests.api.conftest import World, bearer

HOT = ("/api/v1/flags", "/api/v1/responses", "/api/v1/clients/{client}/timeline")


@pytest.mark.parametrize("path", HOT)
async def test_a_busy_read_is_one_transaction_with_its_token_check_and_audit_row(
    http: httpx.AsyncClient, world: World, database: Database, path: str
) -> None:
    begun: list[Any] = []

    def count(connection: Any) -> None:
        begun.append(connection)

    sa.event.listen(database.engine, "begin", count)
    try:
        answer = await http.get(path.format(client=world.client_a), headers=bearer(world, "co_a"))
    finally:
        sa.event.remove(database.engine, "begin", count)
    assert answer.status_code == 200
    assert len(begun) == 1


async def test_a_listing_audits_the_clients_it_shows(http: httpx.AsyncClient, world: World) -> None:
    listed = await http.get("/api/v1/responses?purpose=review", headers=bearer(world, "co_a"))
    shown = sorted({item["client_id"] for item in listed.json()["items"]})
    assert shown == [world.client_a]
    log = await http.get("/api/v1/audit", headers=bearer(world, "admin"))
    entry = log.json()["items"][0]
    assert (entry["action"], entry["purpose"], entry["client_ids"]) == (
        "response.list",
        "review",
        shown,
    )
    assert entry["staff_id"] == world.staff_ids["co_a"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/flags?limit=0", "/api/v1/responses?before=x", "/api/v1/clients/0/timeline"],
)
async def test_an_invalid_request_answers_401_for_an_unknown_token_and_422_for_a_known_one(
    http: httpx.AsyncClient, world: World, path: str
) -> None:
    for actor in ("revoked", "expired"):
        refused = await http.get(path, headers=bearer(world, actor))
        assert refused.status_code == 401, actor
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="kerro"'
    unknown = await http.get(path, headers={"Authorization": "Bearer kerro_unknown"})
    assert unknown.status_code == 401
    missing = await http.get(path)
    assert missing.status_code == 401
    invalid = await http.get(path, headers=bearer(world, "co_a"))
    assert invalid.status_code == 422
    assert invalid.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", HOT)
async def test_a_busy_read_refuses_revoked_and_expired_tokens(
    http: httpx.AsyncClient, world: World, path: str
) -> None:
    for actor in ("revoked", "expired", "none"):
        answer = await http.get(path.format(client=world.client_a), headers=bearer(world, actor))
        assert answer.status_code == 401, actor


async def test_a_listed_response_is_the_same_json_as_the_response_read_alone(
    http: httpx.AsyncClient, world: World
) -> None:
    co = bearer(world, "co_a")
    listed = await http.get("/api/v1/responses", headers=co)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert items, "the world has responses of unit A"
    for item in items:
        alone = (await http.get(f"/api/v1/responses/{item['id']}", headers=co)).json()
        # The same moment; the page writes UTC as +00:00, the model as Z (as before).
        assert dt.datetime.fromisoformat(alone.pop("started_at")) == dt.datetime.fromisoformat(
            item.pop("started_at")
        )
        assert alone == item
    texts = [a["text"] for item in items for a in item["answers"] if a["text"] is not None]
    assert texts, "a note is opened on the page"
    assert all(isinstance(a["skipped"], bool) for item in items for a in item["answers"])
