"""Property test: whatever a chat sends, in whatever order and however often, the service
neither raises nor stores a repeated update twice, and the dialog can always be finished."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.messages import Kind
from bot.service import ConversationService
from storage import tables
from storage.db import Database
from tests.bot.helpers import Chat, rows

pytestmark = pytest.mark.usefixtures("unit_id")

_chats = itertools.count(1)

updates = st.lists(
    st.tuples(
        st.sampled_from([Kind.TEXT, Kind.CHOICE, Kind.BEGIN]),
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["1", "5", "skip", "yes", "joy:3", "note:skip", "x:y", "", "10"]),
        ),
        st.integers(0, 6),  # update keys repeat: replays
    ),
    max_size=25,
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dialog_id=st.sampled_from(["youth_checkin", "parent_service", "info"]), sequence=updates)
async def test_any_update_stream_is_handled(
    service: ConversationService,
    database: Database,
    dialog_id: str,
    sequence: list[tuple[Kind, str, int]],
) -> None:
    chat = Chat(service, f"prop-{next(_chats)}")
    await chat.begin(dialog_id, language="en")
    seen: set[str] = set()
    for kind, payload, key in sequence:
        update_key = f"{chat.address}-{key}"
        payload = dialog_id if kind is Kind.BEGIN else payload
        handled = await chat.send(kind, payload, key=update_key, unit_code="u1")
        assert handled.duplicate == (update_key in seen)
        seen.add(update_key)
    for _ in range(30):
        handled = await chat.send(Kind.TEXT, "skip")
        if handled.finished:
            break
    assert handled.finished
    assert rows(database, tables.Outbox) == []
