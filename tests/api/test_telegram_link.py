"""POST /me/telegram-link: a one-time code and a t.me deep link for a staff alert chat,
stored only as its SHA-256; DELETE drops the linked chat."""

from __future__ import annotations

import hashlib

import httpx

from storage import tables
from storage.db import Database
from tests.api.conftest import World, bearer
from tests.bot.helpers import all_cells, rows


async def test_a_code_and_a_deep_link_are_given_once_and_only_a_hash_is_kept(
    http: httpx.AsyncClient, world: World, database: Database
) -> None:
    answer = await http.post("/api/v1/me/telegram-link", headers=bearer(world, "cw_a"))
    assert answer.status_code == 201
    body = answer.json()
    code = body["code"]
    assert len(code) >= 20
    assert body["link"] == f"https://t.me/kerro_test_bot?start={code}"
    assert body["expires_at"].startswith("2026-")
    [member] = [m for m in rows(database, tables.Staff) if m.id == world.staff_ids["cw_a"]]
    assert member.telegram_code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert not [cell for cell in all_cells(database) if code in cell[2]]
    again = (await http.post("/api/v1/me/telegram-link", headers=bearer(world, "cw_a"))).json()
    assert again["code"] != code


async def test_unlinking_deletes_the_chat_address(
    http: httpx.AsyncClient, world: World, database: Database
) -> None:
    with database.transaction() as session:
        member = session.get(tables.Staff, world.staff_ids["co_a"])
        assert member is not None
        member.telegram_hmac, member.telegram_sealed = "h" * 64, "v1.sealed"
        session.add(member)
    answer = await http.delete("/api/v1/me/telegram-link", headers=bearer(world, "co_a"))
    assert answer.status_code == 204
    [member] = [m for m in rows(database, tables.Staff) if m.id == world.staff_ids["co_a"]]
    assert (member.telegram_hmac, member.telegram_sealed) == (None, None)
