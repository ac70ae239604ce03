from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url

from storage import migrate, tables
from storage.db import configure_sqlite, sync_url
from tests.conftest import _admin_connect, postgres_base_url, postgres_required


def _differences(url: str) -> list[object]:
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, tables.metadata))
    finally:
        engine.dispose()


def test_upgrade_head_on_an_empty_database_matches_the_tables(database_url: str) -> None:
    # database_url is upgraded to head from an empty database by the fixtures.
    assert _differences(database_url) == []
    assert migrate.pending(database_url) == []


def test_an_empty_sqlite_file_is_upgraded_and_repeating_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'fresh.db'}"
    migrate.upgrade(url)
    migrate.upgrade(url)
    assert _differences(url) == []


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    migrate.upgrade(url)
    engine = sa.create_engine(sync_url(url))
    configure_sqlite(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def _fresh_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    base = postgres_base_url()
    try:
        admin = _admin_connect(base)
    except psycopg.OperationalError:
        if postgres_required():
            raise
        pytest.skip("PostgreSQL is not reachable")
    name = f"kerro_mig_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin_connect(base) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0004_gives_existing_rows_opaque_ids_and_sqlite_never_reuses_an_id(
    kind: str, tmp_path: Path
) -> None:
    for url in _fresh_url(kind, tmp_path):
        migrate.upgrade(url, "0003")
        engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
        now = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
        with engine.begin() as connection:
            run = connection.execute
            run(
                sa.text("INSERT INTO unit (code, name, created_at) VALUES ('u', 'U', :n)"),
                {"n": now},
            )
            for number in (1, 2, 3):
                run(
                    sa.text(
                        "INSERT INTO response (unit_id, dialog_id, dialog_version, channel, "
                        "language, anonymous, completed, started_at, updated_at) "
                        "VALUES (1, 'd', '1', 't', 'fi', true, true, :n, :n)"
                    ),
                    {"n": now},
                )
                run(
                    sa.text(
                        "INSERT INTO flag (response_id, unit_id, level, rule, status, created_at)"
                        " VALUES (:r, 1, 'crisis', 'r', 'open', :n)"
                    ),
                    {"n": now, "r": number},
                )
            run(
                sa.text("INSERT INTO alert (flag_id, round, created_at) VALUES (3, 1, :n)"),
                {"n": now},
            )
        engine.dispose()
        migrate.upgrade(url)
        assert _differences(url) == []
        engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            for table in ("response", "flag", "alert"):
                query = sa.text(f"SELECT public_id FROM {table}")  # noqa: S608 (our names)
                ids = [row[0] for row in connection.execute(query)]
                assert ids
                assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids), table
                assert len(set(ids)) == len(ids)
            # The last flag (with its alert) erased, then a new one: its id is not given again.
            connection.execute(sa.text("DELETE FROM alert"))
            connection.execute(sa.text("DELETE FROM flag WHERE id = 3"))
            connection.execute(
                sa.text(
                    "INSERT INTO flag (public_id, response_id, unit_id, level, rule, status, "
                    "created_at) VALUES (:p, 1, 1, 'crisis', 'r', 'open', :n)"
                ),
                {"n": now, "p": "0" * 32},
            )
            new_id = connection.execute(
                sa.text("SELECT id FROM flag WHERE public_id = :p"), {"p": "0" * 32}
            ).scalar_one()
        assert new_id == 4
        # The audit log is still append-only after its table was rebuilt.
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_log (staff_id, at, action, target, purpose) "
                    "VALUES (NULL, :n, 'x', 'y', 'z')"
                ),
                {"n": now},
            )
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM audit_log"))
        engine.dispose()
