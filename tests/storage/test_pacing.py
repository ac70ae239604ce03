"""The limits shared through the database: a channel's 429 pause and the token buckets."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.db import Database
from storage.repositories import pacing

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def test_a_pause_keeps_the_later_of_two(database: Database) -> None:
    with database.transaction() as session:
        assert pacing.paused_until(session, channel="telegram") is None
        pacing.pause(session, channel="telegram", until=T0 + dt.timedelta(seconds=30))
        pacing.pause(session, channel="telegram", until=T0 + dt.timedelta(seconds=5))
    with database.transaction() as session:
        assert pacing.paused_until(session, channel="telegram") == T0 + dt.timedelta(seconds=30)
        pacing.pause(session, channel="telegram", until=T0 + dt.timedelta(seconds=60))
        assert pacing.paused_until(session, channel="telegram") == T0 + dt.timedelta(seconds=60)


def test_a_bucket_allows_its_capacity_then_refills_with_time(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite runs one process: its buckets stay in memory")

    def take(now: float, key: str = "k") -> bool:
        with database.transaction() as session:
            return pacing.take(session, key=key, now=now, per_second=1.0, capacity=3.0)

    assert [take(100.0) for _ in range(4)] == [True, True, True, False]
    assert take(100.0, key="other")  # a bucket of its own
    assert not take(100.5)  # half a token back: not enough
    assert take(101.0)  # one whole token back
    assert not take(101.0)
    assert [take(200.0) for _ in range(4)] == [True, True, True, False]  # full again, no more
    with database.transaction() as session:
        assert pacing.forget_full(session, before=150.0) == 1  # "other", untouched since 100
