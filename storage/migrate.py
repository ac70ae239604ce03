"""Apply Alembic migrations programmatically (`kerro db upgrade`, `kerro serve`)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import configure_sqlite, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sync_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(sync_url(url), poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    return engine


def upgrade(url: str, revision: str = "head") -> None:
    sqlite_path = sync_url(url).database if sync_url(url).get_backend_name() == "sqlite" else None
    if sqlite_path and sqlite_path != ":memory:":
        Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def pending(url: str) -> list[str]:
    """Revisions not yet applied to the database."""
    script = ScriptDirectory.from_config(alembic_config(url))
    engine = _sync_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return [
        rev.revision
        for rev in script.walk_revisions()
        if rev.revision not in current
        and not any(c in current for c in _descendants(script, rev.revision))
    ]


def _descendants(script: ScriptDirectory, revision: str) -> set[str]:
    return {rev.revision for rev in script.iterate_revisions("heads", revision)} - {revision}
