"""Alembic environment: run by storage.migrate (and `alembic` for developers)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from storage import tables
from storage.db import configure_sqlite, sync_url

target_metadata = tables.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection")
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()


def _run(connection: sa.Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=sqlite,
    )
    if sqlite and not connection.in_transaction():
        # A table rebuilt by a batch migration is dropped and renamed while other tables
        # refer to it: SQLite can check foreign keys only after it (foreign_key_check, below).
        # The pragma works only outside a transaction, so it is set on the driver's connection.
        driver = connection.connection.dbapi_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with context.begin_transaction():
                context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
        return
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
