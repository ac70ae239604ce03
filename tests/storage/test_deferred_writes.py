"""Deferred writes: sent in order before the next statement or the commit, dropped with a
rollback, and their failures undo the whole transaction (R1)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dialogs.model import FlagLevel, RaiseFlag
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import outbox, responses, units
from storage.repositories._prepared import Prepared
from storage.tables import Outbox, Unit
from tests.bot.helpers import rows

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


CHAT = ChatKey("test", "h")


def _enqueue(session: Session, *texts: str) -> None:
    payloads = [{"type": "message", "text": text, "buttons": []} for text in texts]
    outbox.enqueue(session, chat=CHAT, address_sealed="s", payloads=payloads, now=NOW)


def test_a_later_statement_sees_the_deferred_writes_in_order(database: Database) -> None:
    with database.transaction() as session:
        _enqueue(session, "one", "two")
        _enqueue(session, "three")
        pending = outbox.pending_for_chat(session, chat=CHAT)
        assert [row.payload["text"] for row in pending] == ["one", "two", "three"]


def test_deferred_writes_are_committed(database: Database) -> None:
    with database.transaction() as session:
        _enqueue(session, "kept")
    assert [row.payload["text"] for row in rows(database, Outbox)] == ["kept"]


class _Abort(Exception):
    pass


def test_a_rollback_drops_them_and_the_next_transaction_does_not_send_them(
    database: Database,
) -> None:
    def abandoned() -> None:
        with database.transaction() as session:
            _enqueue(session, "dropped")
            raise _Abort

    with pytest.raises(_Abort):
        abandoned()
    # The pool hands the same connection out again: nothing queued on it may leak.
    with database.transaction() as session:
        units.add_unit(session, code="u", name="U", now=NOW)
    assert rows(database, Outbox) == []
    assert [unit.code for unit in rows(database, Unit)] == ["u"]


def test_a_failing_deferred_write_undoes_the_whole_transaction(database: Database) -> None:
    def refused() -> None:
        with database.transaction() as session:
            units.add_unit(session, code="gone", name="Gone", now=NOW)
            _enqueue(session, "gone")
            responses.add_flags(  # no such response: the foreign key refuses it
                session,
                response_id=999_999,
                unit_id=999_999,
                client_id=None,
                flags=[RaiseFlag("r", FlagLevel.CONCERN)],
                now=NOW,
            )

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
