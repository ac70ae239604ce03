from __future__ import annotations

from pathlib import Path

import httpx

from api.app import create_staff_app
from api.context import ApiContext
from storage.crypto import Keyring
from storage.db import Database
from tests.api.conftest import World, bearer


async def test_errors_are_problem_json_that_say_what_is_wrong(
    http: httpx.AsyncClient, world: World
) -> None:
    admin = bearer(world, "admin")
    cases = [
        (await http.get("/api/v1/nothing-here", headers=admin), 404, "no such resource"),
        (await http.delete("/api/v1/units", headers=admin), 405, "method"),
        (await http.get("/api/v1/clients/0", headers=admin), 422, "client_id"),
        (await http.get("/api/v1/clients/99999", headers=admin), 404, "no client"),
        (await http.post("/api/v1/units", json={"code": "a b"}, headers=admin), 422, "code"),
        (
            await http.post(
                "/api/v1/units",
                content=b"{",
                headers={**admin, "Content-Type": "application/json"},
            ),
            422,
            "JSON",
        ),
        (await http.get("/api/v1/me"), 401, "bearer token"),
        (
            await http.post("/api/v1/units", json={"code": "a", "name": "Again"}, headers=admin),
            409,
            "exists",
        ),
        (
            await http.post(
                f"/api/v1/clients/{world.client_a}/goals",
                json={"title": "x\u0000y"},
                headers=admin,
            ),
            422,
            "pattern",
        ),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        body = response.json()
        assert body["status"] == status
        assert words.lower() in body["detail"].lower(), body


async def test_a_refused_write_leaves_nothing_behind(http: httpx.AsyncClient, world: World) -> None:
    admin = bearer(world, "admin")
    body = {
        "unit_id": world.unit_a,
        "alias": "X",
        "case_ref": "X-1",
        "audience": "youth",
        "caseworker_id": world.staff_ids["cw_b"],  # not of unit A
    }
    response = await http.post("/api/v1/clients", json=body, headers=admin)
    assert response.status_code == 409
    listed = await http.get(f"/api/v1/clients?unit_id={world.unit_a}", headers=admin)
    assert [c["case_ref"] for c in listed.json()["items"]] == ["A-1"]


async def test_a_database_that_is_away_is_a_503_problem(keyring: Keyring) -> None:
    away = Database.from_url("postgresql://postgres@127.0.0.1:1/kerro")  # nobody listens
    app = create_staff_app(context=ApiContext(database=away, keyring=keyring))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://staff") as client:
            response = await client.get("/api/v1/me", headers={"Authorization": "Bearer kerro_x"})
    finally:
        away.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "database" in response.json()["detail"]
    assert response.headers["cache-control"] == "no-store"


async def test_an_unexpected_error_is_a_500_problem_that_is_not_cached(
    keyring: Keyring, tmp_path: Path
) -> None:
    """Made outside the app's middleware, by the last resort: the headers are still there."""

    class Broken(Database):
        async def run(self, work: object) -> object:  # type: ignore[override]
            raise RuntimeError("broken")

    broken = Broken.from_url(f"sqlite:///{tmp_path / 'broken.db'}")
    app = create_staff_app(context=ApiContext(database=broken, keyring=keyring))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://staff") as client:
            response = await client.get("/api/v1/me", headers={"Authorization": "Bearer kerro_x"})
    finally:
        broken.dispose()
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
