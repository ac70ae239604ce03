"""What a caseworker reaches on the staff pages: their own clients and flags, never another
unit's or another caseworker's, whatever the URL or form says; a form without its session's
CSRF token changes nothing; every page of person-linked data writes the API's audit row."""

from __future__ import annotations

from sqlmodel import select

from storage import tables
from storage.db import Database
from tests.api.conftest import World
from tests.api.pages.conftest import Browser, sign_in


def _flag(database: Database, public_id: str) -> tables.Flag:
    with database.transaction() as session:
        found = session.exec(select(tables.Flag).where(tables.Flag.public_id == public_id)).one()
        session.expunge(found)
        return found


def _actions(database: Database, staff_id: int) -> list[str]:
    with database.transaction() as session:
        rows = session.exec(
            select(tables.AuditEntry)
            .where(tables.AuditEntry.staff_id == staff_id)
            .order_by(tables.AuditEntry.id)  # type: ignore[arg-type]
        ).all()
        return [row.action for row in rows]


async def test_the_inbox_shows_my_flags_and_writes_the_apis_audit_row(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    await sign_in(client, world, "cw_a")
    page = await client.get("/flags")
    assert world.flag_a in page.text
    assert world.flag_b not in page.text
    assert "Youth A" in page.text
    assert "Youth B" not in page.text
    live = await client.get("/flags/live")
    assert world.flag_a in live.text
    assert "<html" not in live.text
    assert _actions(database, world.staff_ids["cw_a"]) == ["flag.list", "flag.list", "flag.list"]


async def test_a_caseworker_cannot_reach_another_units_or_caseworkers_data_by_url(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    await sign_in(client, world, "cw_a")
    before = _actions(database, world.staff_ids["cw_a"])
    for path in (
        f"/flags/{world.flag_b}",
        f"/clients/{world.client_b}",
        f"/units/{world.unit_b}/poster",
        "/flags/" + "0" * 32,
        "/clients/999999",
        "/flags/not-an-id",
        "/clients/-1",
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert "not yours to see" in answer.text
        assert "Youth B" not in answer.text
    assert (await client.get("/audit")).status_code == 403
    assert _actions(database, world.staff_ids["cw_a"]) == before  # refused: nothing disclosed

    other = browser()
    await sign_in(other, world, "cw_a2")  # same unit, not the client's caseworker
    assert (await other.get(f"/clients/{world.client_a}")).status_code == 404
    assert (await other.get(f"/flags/{world.flag_a}")).status_code == 404
    page = await other.get("/clients")
    assert "Youth A" not in page.text


async def test_a_caseworker_cannot_change_another_units_flag_or_invite_its_client_by_form(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    for path, data in (
        (f"/flags/{world.flag_b}/acknowledge", {"csrf": csrf}),
        (f"/flags/{world.flag_b}/resolve", {"csrf": csrf, "note": "done"}),
        (f"/flags/{world.flag_b}/assign", {"csrf": csrf, "staff_id": str(world.staff_ids["cw_a"])}),
        (f"/clients/{world.client_b}/invite", {"csrf": csrf}),
    ):
        answer = await client.post(path, data=data)
        assert answer.status_code == 404, path
    # A caseworker may not assign even their own flag: a coordinator's work.
    answer = await client.post(
        f"/flags/{world.flag_a}/assign",
        data={"csrf": csrf, "staff_id": str(world.staff_ids["cw_a2"])},
    )
    assert answer.status_code == 403
    assert _flag(database, world.flag_b).status == "open"
    assert _flag(database, world.flag_a).assignee_id is None
    with database.transaction() as session:
        assert session.exec(select(tables.Invite)).all() == []


async def test_a_coordinator_cannot_assign_a_flag_to_someone_of_another_unit(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "co_a")
    page = await client.get(f"/flags/{world.flag_a}")
    assert "cw_b" not in page.text  # only the flag's unit's staff are offered
    answer = await client.post(
        f"/flags/{world.flag_a}/assign",
        data={"csrf": csrf, "staff_id": str(world.staff_ids["cw_b"])},
    )
    assert answer.status_code == 409
    assert _flag(database, world.flag_a).assignee_id is None
    answer = await client.post(
        f"/flags/{world.flag_a}/assign",
        data={"csrf": csrf, "staff_id": str(world.staff_ids["cw_a2"])},
    )
    assert answer.status_code == 303
    assert _flag(database, world.flag_a).assignee_id == world.staff_ids["cw_a2"]


async def test_a_form_without_its_sessions_csrf_token_changes_nothing(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    other = browser()
    other_csrf = await sign_in(other, world, "cw_a")  # the same member, another session
    assert other_csrf != csrf
    before = _actions(database, world.staff_ids["cw_a"])
    for data in ({"back": "inbox"}, {"csrf": ""}, {"csrf": other_csrf}, {"csrf": csrf + "0"}):
        answer = await client.post(f"/flags/{world.flag_a}/acknowledge", data=data)
        assert answer.status_code == 403
        assert "Nothing was changed" in answer.text
        answer = await client.post(f"/flags/{world.flag_a}/resolve", data={**data, "note": "x"})
        assert answer.status_code == 403
        answer = await client.post(f"/clients/{world.client_a}/invite", data=data)
        assert answer.status_code == 403
    assert _flag(database, world.flag_a).status == "open"
    assert _actions(database, world.staff_ids["cw_a"]) == before
    with database.transaction() as session:
        assert session.exec(select(tables.Invite)).all() == []
        assert session.exec(select(tables.FlagEvent)).all() == []


async def test_acknowledge_and_resolve_write_the_apis_rows(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    answer = await client.post(
        f"/flags/{world.flag_a}/acknowledge", data={"csrf": csrf, "back": "inbox"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/flags?done=acknowledged"
    assert _flag(database, world.flag_a).status == "acknowledged"
    page = await client.get(f"/flags/{world.flag_a}")
    assert "I&#39;m tired" in page.text  # the flagged response's text, opened for the reader
    assert (
        await client.post(f"/flags/{world.flag_a}/resolve", data={"csrf": csrf, "note": ""})
    ).status_code == 400
    answer = await client.post(
        f"/flags/{world.flag_a}/resolve", data={"csrf": csrf, "note": "Called, all well."}
    )
    assert answer.status_code == 303
    assert _flag(database, world.flag_a).status == "resolved"
    page = await client.get(f"/flags/{world.flag_a}")
    assert "Called, all well." in page.text
    again = await client.post(f"/flags/{world.flag_a}/acknowledge", data={"csrf": csrf})
    assert again.status_code == 409
    assert _actions(database, world.staff_ids["cw_a"]) == [
        "flag.list",  # the inbox after signing in
        "flag.acknowledge",
        "flag.read",
        "flag.resolve",
        "flag.read",
    ]


async def test_a_client_page_and_an_invite_with_its_qr_code(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    listing = await client.get("/clients")
    assert "Youth A" in listing.text
    page = await client.get(f"/clients/{world.client_a}")
    assert page.status_code == 200
    assert "A-1" in page.text
    invite = await client.post(f"/clients/{world.client_a}/invite", data={"csrf": csrf})
    assert invite.status_code == 200
    assert "https://kerro.example/chat/i/" in invite.text
    assert "https://t.me/kerro_test_bot?start=" in invite.text
    assert "<svg" in invite.text
    with database.transaction() as session:
        assert len(session.exec(select(tables.Invite)).all()) == 1
    assert _actions(database, world.staff_ids["cw_a"]) == [
        "flag.list",
        "client.list",
        "client.read",
        "client.timeline",
        "access.invite",
        "client.read",
    ]


async def test_the_audit_log_is_for_admins_with_filters(
    browser: Browser, world: World, database: Database
) -> None:
    worker = browser()
    await sign_in(worker, world, "cw_a")
    await worker.get(f"/clients/{world.client_a}")
    admin = browser()
    await sign_in(admin, world, "admin")
    page = await admin.get(f"/audit?staff_id={world.staff_ids['cw_a']}")
    assert page.status_code == 200
    assert "client.timeline" in page.text
    assert "flag.list" in page.text
    only_client = await admin.get(
        f"/audit?client_id={world.client_a}&since=2026-03-02&until=2026-03-02"
    )
    assert "client.read" in only_client.text
    assert f"client/{world.client_b}" not in only_client.text
    later = await admin.get("/audit?since=2026-03-03")
    assert "No entries." in later.text
    bad = await admin.get("/audit?since=yesterday")
    assert bad.status_code == 400
    coordinator = browser()
    await sign_in(coordinator, world, "co_a")
    assert (await coordinator.get("/audit")).status_code == 403


async def test_a_unit_poster_for_the_wall(browser: Browser, world: World) -> None:
    client = browser()
    await sign_in(client, world, "co_a")
    units = await client.get("/units")
    assert f"/units/{world.unit_a}/poster" in units.text
    assert f"/units/{world.unit_b}/poster" not in units.text
    poster = await client.get(f"/units/{world.unit_a}/poster")
    assert "https://kerro.example/chat/a" in poster.text
    assert "<svg" in poster.text
