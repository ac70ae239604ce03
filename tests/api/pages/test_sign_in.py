"""Signing in to the staff pages: a token or a one-time e-mail link becomes a session (a row,
its cookie HttpOnly and SameSite=Strict), which ends at sign-out or when idle."""

from __future__ import annotations

import hashlib
import re

from sqlmodel import select

from storage import tables
from storage.db import Database
from storage.repositories import staff
from tests.api.conftest import World
from tests.api.pages.conftest import Browser, csrf_of, sign_in
from tests.support.alert_servers import SmtpServer
from tests.support.clock import Clock

LINK = re.compile(r"https://staff\.kerro\.example(/sign-in/link/[A-Za-z0-9_-]+)")


def _sessions(database: Database) -> list[tables.StaffSession]:
    with database.transaction() as session:
        return list(session.exec(select(tables.StaffSession)).all())


async def test_a_token_makes_a_session_with_a_strict_http_only_cookie(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    page = await client.get("/sign-in")
    answer = await client.post(
        "/sign-in", data={"csrf": csrf_of(page.text), "token": world.tokens["cw_a"] or ""}
    )
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("kerro_staff="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    [row] = _sessions(database)
    assert row.staff_id == world.staff_ids["cw_a"]
    assert row.session_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in row.session_hash
    inbox = await client.get("/flags")
    assert inbox.status_code == 200
    assert "Signed in as cw_a" in inbox.text


async def test_an_unknown_revoked_or_expired_token_signs_nobody_in(
    browser: Browser, world: World, database: Database
) -> None:
    for token in ("kerro_nonsense", world.tokens["revoked"], world.tokens["expired"], ""):
        client = browser()
        page = await client.get("/sign-in")
        answer = await client.post("/sign-in", data={"csrf": csrf_of(page.text), "token": token})
        assert answer.status_code == 401
        assert "The token is unknown, expired or revoked." in answer.text
        assert "kerro_staff=" not in answer.headers.get("set-cookie", "")
    assert _sessions(database) == []


async def test_the_sign_in_form_needs_its_own_csrf_value(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    await client.get("/sign-in")
    answer = await client.post("/sign-in", data={"token": world.tokens["cw_a"] or ""})
    assert answer.status_code == 403
    stranger = browser()  # a form posted from elsewhere has no cookie to match
    answer = await stranger.post(
        "/sign-in", data={"csrf": "guess", "token": world.tokens["cw_a"] or ""}
    )
    assert answer.status_code == 403
    assert _sessions(database) == []


async def test_every_page_without_a_session_goes_to_sign_in(browser: Browser, world: World) -> None:
    client = browser()
    for path in (
        "/",
        "/flags",
        "/flags/live",
        f"/flags/{world.flag_a}",
        "/clients",
        f"/clients/{world.client_a}",
        "/units",
        f"/units/{world.unit_a}/poster",
        "/audit",
    ):
        answer = await client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/sign-in"
    answer = await client.post(f"/flags/{world.flag_a}/acknowledge", data={"csrf": "x"})
    assert answer.status_code == 303


async def test_an_idle_session_ends_and_an_active_one_lives_on(
    browser: Browser, world: World, database: Database, clock: Clock
) -> None:
    client = browser()
    await sign_in(client, world, "cw_a")
    for _ in range(3):  # activity keeps it alive past 30 minutes in all
        clock.advance(minutes=20)
        assert (await client.get("/flags")).status_code == 200
    clock.advance(minutes=31)
    answer = await client.get("/flags")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?notice=ended"
    assert _sessions(database) == []
    page = await client.get("/sign-in?notice=ended")
    assert "Your session has ended. Please sign in again." in page.text


async def test_the_inboxs_own_poll_does_not_keep_a_session_alive(
    browser: Browser, world: World, clock: Clock
) -> None:
    client = browser()
    await sign_in(client, world, "cw_a")
    for _ in range(4):  # the open inbox looks for news by itself
        clock.advance(minutes=7)
        live = await client.get("/flags/live")
        assert live.status_code == 200
    clock.advance(minutes=3)  # 31 minutes since the member's last own request
    answer = await client.get("/flags/live")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?notice=ended"


async def test_sign_out_ends_the_session(
    browser: Browser, world: World, database: Database
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    value = client.cookies["kerro_staff"]
    refused = await client.post("/sign-out", data={"csrf": ""})
    assert refused.status_code == 403
    assert len(_sessions(database)) == 1
    answer = await client.post("/sign-out", data={"csrf": csrf})
    assert answer.status_code == 303
    assert _sessions(database) == []
    again = browser()
    again.cookies.set("kerro_staff", value)
    assert (await again.get("/flags")).status_code == 303


async def _ask_for_link(client: object, address: str) -> None:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    page = await client.get("/sign-in")
    answer = await client.post(
        "/sign-in/email", data={"csrf": csrf_of(page.text), "email": address}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?notice=sent"


async def test_a_sign_in_link_by_email_works_once_and_expires(
    browser: Browser, world: World, database: Database, clock: Clock, smtp: SmtpServer
) -> None:
    with database.transaction() as session:
        staff.set_contact(
            session, staff_id=world.staff_ids["cw_a"], email="cw.a@kerro.example", language="en"
        )
    client = browser()
    await _ask_for_link(client, "CW.A@kerro.example")
    await smtp.handler.wait_for(1)
    [mail] = smtp.handler.to("cw.a@kerro.example")
    assert mail.subject == "Your sign-in link to Kerro"
    found = LINK.search(mail.decoded)
    assert found is not None
    path = found.group(1)
    with database.transaction() as session:
        [row] = session.exec(select(tables.StaffSignInLink)).all()
        assert path.rsplit("/", 1)[1] not in row.link_hash  # stored hashed only

    # Opening the link changes nothing (a mail scanner may open it); its button signs in.
    opened = await client.get(path)
    assert opened.status_code == 200
    assert _sessions(database) == []
    used = await client.post(path, data={"csrf": csrf_of(opened.text)})
    assert used.status_code == 303
    assert (await client.get("/flags")).status_code == 200

    other = browser()
    opened = await other.get(path)
    again = await other.post(path, data={"csrf": csrf_of(opened.text)})
    assert again.status_code == 410
    assert "it was used already or it has expired" in again.text
    assert len(_sessions(database)) == 1

    # A second link, used after 15 minutes, does not work.
    late = browser()
    await _ask_for_link(late, "cw.a@kerro.example")
    await smtp.handler.wait_for(2)
    found = LINK.search(smtp.handler.to("cw.a@kerro.example")[-1].decoded)
    assert found is not None
    clock.advance(minutes=15, seconds=1)
    opened = await late.get(found.group(1))
    expired = await late.post(found.group(1), data={"csrf": csrf_of(opened.text)})
    assert expired.status_code == 410
    assert len(_sessions(database)) == 1


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    browser: Browser, world: World, database: Database, smtp: SmtpServer
) -> None:
    await _ask_for_link(browser(), "nobody@kerro.example")
    assert smtp.handler.messages == []
    with database.transaction() as session:
        assert session.exec(select(tables.StaffSignInLink)).all() == []


async def test_the_language_follows_the_browser_and_the_choice(
    browser: Browser, world: World
) -> None:
    client = browser()
    page = await client.get("/sign-in", headers={"Accept-Language": "sv-FI,sv;q=0.9"})
    assert '<html lang="sv">' in page.text
    chosen = await client.get("/sign-in?lang=fi", headers={"Accept-Language": "sv"})
    assert '<html lang="fi">' in chosen.text
    kept = await client.get("/sign-in", headers={"Accept-Language": "sv"})
    assert '<html lang="fi">' in kept.text
