"""Deferred writes: sent in order before the next statement or the commit, dropped with a
rollback, and their failures undo the whole transaction (R1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.repositories import outbox, responses, units
from storage.repositories._prepared import Prepared
from storage.tables import Outbox, Unit
from tests.bot.helpers import rows

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _message(text: str) -> dict[str, Any]:
    return {
        "channel": "test",
        "address_hmac": "h",
        "address_sealed": "s",
        "payload": {"type": "message", "text": text, "buttons": []},
        "attempts": 0,
        "not_before": NOW,
        "created_at": NOW,
    }


def test_a_later_statement_sees_the_deferred_writes_in_order(database: Database) -> None:
    with database.transaction() as session:
        outbox.enqueue(session, [_message("one"), _message("two")])
        outbox.enqueue(session, [_message("three")])
        pending = outbox.pending_for_chat(session, channel="test", address_hmac="h")
        assert [row.payload["text"] for row in pending] == ["one", "two", "three"]


def test_deferred_writes_are_committed(database: Database) -> None:
    with database.transaction() as session:
        outbox.enqueue(session, [_message("kept")])
    assert [row.payload["text"] for row in rows(database, Outbox)] == ["kept"]


class _Abort(Exception):
    pass


def test_a_rollback_drops_them_and_the_next_transaction_does_not_send_them(
    database: Database,
) -> None:
    def abandoned() -> None:
        with database.transaction() as session:
            outbox.enqueue(session, [_message("dropped")])
            raise _Abort

    with pytest.raises(_Abort):
        abandoned()
    # The pool hands the same connection out again: nothing queued on it may leak.
    with database.transaction() as session:
        units.add_unit(session, code="u", name="U", now=NOW)
    assert rows(database, Outbox) == []
    assert [unit.code for unit in rows(database, Unit)] == ["u"]


def test_a_failing_deferred_write_undoes_the_whole_transaction(database: Database) -> None:
    flag = {
        "response_id": 999_999,  # no such response: the foreign key refuses it
        "unit_id": 999_999,
        "client_id": None,
        "level": "concern",
        "rule": "r",
        "status": "open",
        "created_at": NOW,
    }

    def refused() -> None:
        with database.transaction() as session:
            units.add_unit(session, code="gone", name="Gone", now=NOW)
            outbox.enqueue(session, [_message("gone")])
            responses.add_flags(session, [flag])

    with pytest.raises(sa.exc.IntegrityError):
        refused()
    assert rows(database, Unit) == []
    assert rows(database, Outbox) == []


def test_driver_errors_of_prepared_statements_are_sqlalchemys(database: Database) -> None:
    table: sa.Table = Unit.__table__  # type: ignore[attr-defined]
    insert = Prepared(sa.insert(table), parameters=("code", "name", "created_at"))

    def twice() -> None:
        with database.transaction() as session:
            insert.execute(session, {"code": "twice", "name": "A", "created_at": NOW})
            insert.execute(session, {"code": "twice", "name": "B", "created_at": NOW})

    with pytest.raises(sa.exc.IntegrityError):
        twice()
    assert rows(database, Unit) == []


def test_a_statement_that_returns_rows_cannot_be_deferred(database: Database) -> None:
    table: sa.Table = Unit.__table__  # type: ignore[attr-defined]
    insert = Prepared(sa.insert(table).returning(table.c.id), parameters=("code", "name"))
    with database.transaction() as session, pytest.raises(ValueError, match="returns rows"):
        insert.defer(session, {"code": "x", "name": "X"})
