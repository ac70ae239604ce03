"""A fuzzed stream of updates, from the Bot API's update shapes with random and missing
fields: no 5xx, and no update fails inside the bot (nothing is logged as an error)."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.telegram.conftest import Webhook

pytestmark = pytest.mark.usefixtures("unit_id")

_ids = itertools.count(900000)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.text(max_size=50),
    st.sampled_from(["/start", "/start u1", "/forget", "rating:happy", "menu:info", "private"]),
)
# JSON has no infinities or NaN, so Telegram cannot send them.
_coordinate = st.floats(allow_nan=False, allow_infinity=False)
chats = st.fixed_dictionaries(
    {"id": st.integers(-(10**12), 10**12), "type": st.sampled_from(["private", "group", "channel"])}
)
users = st.fixed_dictionaries(
    {"id": st.integers(1, 10**10), "is_bot": st.booleans(), "first_name": st.text(max_size=10)},
    optional={"language_code": st.sampled_from(["fi", "sv", "en", "de", "x" * 20])},
)
messages = st.fixed_dictionaries(
    {"message_id": st.integers(1, 10**6), "date": st.integers(0, 2**31), "chat": chats},
    optional={
        "from": users,
        "text": st.one_of(st.text(max_size=300), st.sampled_from(["/start u1", "/help", "3"])),
        "sticker": st.dictionaries(st.text(max_size=8), scalars, max_size=3),
        "photo": st.lists(st.dictionaries(st.text(max_size=8), scalars, max_size=3), max_size=2),
        "location": st.fixed_dictionaries({"latitude": _coordinate, "longitude": _coordinate}),
        "forward_origin": st.dictionaries(st.text(max_size=8), scalars, max_size=3),
    },
)
callbacks = st.fixed_dictionaries(
    {"id": st.text(max_size=10), "from": users, "chat_instance": st.text(max_size=5)},
    optional={
        "data": st.one_of(st.text(max_size=80), st.sampled_from(["rating:happy", "forget:yes"])),
        "message": messages,
    },
)
members = st.fixed_dictionaries(
    {
        "chat": chats,
        "from": users,
        "date": st.integers(0, 2**31),
        "old_chat_member": st.fixed_dictionaries(
            {"user": users, "status": st.sampled_from(["member", "kicked", "left"])}
        ),
        "new_chat_member": st.fixed_dictionaries(
            {"user": users, "status": st.sampled_from(["member", "kicked", "left"])}
        ),
    }
)
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"message": messages}),
    st.fixed_dictionaries({}, optional={"edited_message": messages}),
    st.fixed_dictionaries({}, optional={"callback_query": callbacks}),
    st.fixed_dictionaries({}, optional={"my_chat_member": members}),
    st.fixed_dictionaries({}, optional={"channel_post": messages}),
    st.dictionaries(st.text(max_size=15), scalars, max_size=4),
)


def _update(body: dict[str, Any], update_id: int | None) -> dict[str, Any]:
    return {"update_id": next(_ids) if update_id is None else update_id, **body}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=bodies,
    update_id=st.one_of(st.none(), st.integers(0, 5)),  # sometimes a replay
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_fuzzed_updates_get_no_5xx_and_fail_nowhere(
    webhook: Webhook, caplog: pytest.LogCaptureFixture, body: dict[str, Any], update_id: int | None
) -> None:
    caplog.set_level(logging.WARNING)
    response = await webhook.post(_update(body, update_id))
    assert response.status_code < 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b"\xff\xfe", 400),
        (b"{}", 400),  # no update_id: not an update
        (b'{"update_id": "one", "message": 7}', 400),
        (b'{"update_id": 1}', 200),  # an update of no type this bot uses: acknowledged
    ],
)
async def test_bodies_that_are_not_updates(webhook: Webhook, raw: bytes, status: int) -> None:
    from tests.bot.telegram.conftest import SECRET

    response = await webhook.client.post(
        webhook.url,
        content=raw,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"},
    )
    assert response.status_code == status


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_oversized_body_gets_413(webhook: Webhook) -> None:
    from tests.bot.telegram.conftest import SECRET

    response = await webhook.client.post(
        webhook.url,
        content=b'{"update_id": 1, "x": "' + b"a" * 1_100_000 + b'"}',
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 50_000 + b"]" * 50_000,
        b'{"update_id": 1, "x": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}",
        b'{"update_id": 2, "message": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    ],
    ids=["array", "extra-field", "message"],
)
async def test_a_body_nested_50000_levels_deep_gets_400_and_the_bot_goes_on(
    webhook: Webhook, raw: bytes
) -> None:
    from tests.bot.telegram.conftest import SECRET, message

    response = await webhook.client.post(
        webhook.url,
        content=raw,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    health = await webhook.client.get(webhook.url.replace("/telegram/webhook", "/healthz"))
    assert health.status_code == 200
    assert (await webhook.post(message(4090, "/help"))).status_code == 200
