"""Whatever a form, a path or a cookie holds, the staff pages answer without a 5xx, and
another unit's flag never changes."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage import tables
from storage.db import Database
from tests.api.conftest import World
from tests.api.pages.conftest import Browser, sign_in

ACTIONS = ("acknowledge", "resolve", "assign", "reply")
fields = st.dictionaries(
    st.sampled_from(["csrf", "note", "text", "staff_id", "back", "token", "email", "x"]),
    st.one_of(st.text(max_size=300), st.integers(-5, 2**40).map(str)),
    max_size=5,
)
raw_bodies = st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode))
segments = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0" * 32, "f" * 32, "1", "-1", "99999999999", "%00", "..", "a/b"]),
)
CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", ""]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    action=st.sampled_from(ACTIONS),
    form=fields,
    raw=st.one_of(st.none(), raw_bodies),
    content_type=st.sampled_from(CONTENT_TYPES),
    use_csrf=st.booleans(),
    target=st.one_of(st.none(), segments),
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_fuzzed_posts_get_no_5xx_and_leave_other_units_alone(
    browser: Browser,
    world: World,
    database: Database,
    action: str,
    form: dict[str, str],
    raw: bytes | None,
    content_type: str,
    use_csrf: bool,
    target: str | None,
) -> None:
    client = browser()
    csrf = await sign_in(client, world, "cw_a")
    flag = world.flag_b if target is None else quote(target, safe="")
    path = f"/flags/{flag}/{action}"
    if raw is None:
        data = {**form, **({"csrf": csrf} if use_csrf else {})}
        answer = await client.post(path, data=data)
    else:
        answer = await client.post(path, content=raw, headers={"content-type": content_type})
    assert answer.status_code < 500
    assert answer.status_code in (303, 400, 403, 404, 409, 413, 422) or answer.is_success
    with database.transaction() as session:
        other = session.exec(select(tables.Flag).where(tables.Flag.public_id == world.flag_b)).one()
        assert other.status == "open"
        assert other.assignee_id is None


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    page=st.sampled_from(["/flags/{}", "/clients/{}", "/units/{}/poster", "/sign-in/link/{}"]),
    segment=segments,
    cookie=st.one_of(st.none(), st.text(max_size=120)),
    query=st.dictionaries(
        st.sampled_from(["lang", "done", "notice", "staff_id", "since", "until", "before"]),
        st.text(max_size=30),
        max_size=3,
    ),
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_fuzzed_pages_get_no_5xx(
    browser: Browser,
    world: World,
    page: str,
    segment: str,
    cookie: str | None,
    query: dict[str, str],
) -> None:
    client = browser()
    if cookie is None:
        await sign_in(client, world, "admin")
    elif cookie.isascii() and cookie.isprintable() and ";" not in cookie and cookie.strip():
        client.cookies.set("kerro_staff", cookie)
    path = page.format(quote(segment, safe=""))
    answer = await client.get(path, params=query)
    assert answer.status_code < 500
    audit = await client.get("/audit", params=query)
    assert audit.status_code < 500
