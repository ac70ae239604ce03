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
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
