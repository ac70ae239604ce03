"""privacy: opaque public ids, ids never reused, erasure that keeps an open flag, audit actors

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

- `response`, `flag` and `alert` get `public_id`, a random opaque id, which is all the staff
  API and the alerts show (the integer keys are one sequence for anonymous and identified
  rows, so their order and gaps would tell what was written between two rows). Existing rows
  get one here, from the database's own random source.
- On SQLite the tables whose ids travel are rebuilt with AUTOINCREMENT, so that an id is never
  given again after a deletion; on PostgreSQL sequences never reuse ids already. (env.py turns
  SQLite's foreign keys off for the rebuild and checks them all before the commit.)
- `flag.response_id` may be NULL (a flag kept after the client erased their data),
  `flag_event.staff_id` may be NULL (the erasure is the client's, not a member of staff's),
  and `audit_log.staff_id` may be NULL (a change of access from the command line or by the
  client).
- An index for the staff listing of responses, newest first: (started_at, public_id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PUBLIC = ("response", "flag", "alert")
_NO_REUSE = ("response", "answer", "flag", "flag_event", "alert", "alert_delivery", "audit_log")
_NULLABLE = {"flag": "response_id", "flag_event": "staff_id", "audit_log": "staff_id"}
_RANDOM = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
}


def _sqlite_audit_triggers() -> None:
    """The append-only triggers of migration 0002 go with the rebuilt table: made again."""
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    for table in _PUBLIC:
        op.add_column(table, sa.Column("public_id", sa.String(length=32), nullable=True))
        random = _RANDOM.get(dialect, _RANDOM["sqlite"])
        op.execute(f"UPDATE {table} SET public_id = {random}")  # noqa: S608 (our own names)
    for table in _NO_REUSE if sqlite else sorted({*_PUBLIC, *_NULLABLE}):
        with op.batch_alter_table(
            table,
            recreate="always" if sqlite else "auto",
            table_kwargs={"sqlite_autoincrement": True} if sqlite else {},
        ) as batch:
            if table in _PUBLIC:
                batch.alter_column("public_id", existing_type=sa.String(length=32), nullable=False)
                batch.create_index(batch.f(f"ix_{table}_public_id"), ["public_id"], unique=True)
            if table in _NULLABLE:
                batch.alter_column(_NULLABLE[table], existing_type=sa.Integer(), nullable=True)
    if sqlite:
        _sqlite_audit_triggers()
    op.create_index(
        "ix_response_started_public", "response", ["started_at", "public_id"], unique=False
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index("ix_response_started_public", table_name="response")
    op.execute("DELETE FROM flag_event WHERE staff_id IS NULL")
    for table in _NO_REUSE if sqlite else sorted({*_PUBLIC, *_NULLABLE}):
        if table == "audit_log":
            continue  # rows without a member of staff stay: the log is append-only
        with op.batch_alter_table(
            table,
            recreate="always" if sqlite else "auto",
            table_kwargs={"sqlite_autoincrement": False} if sqlite else {},
        ) as batch:
            if table in _PUBLIC:
                batch.drop_index(batch.f(f"ix_{table}_public_id"))
                batch.drop_column("public_id")
            if table in _NULLABLE and table != "flag":
                batch.alter_column(_NULLABLE[table], existing_type=sa.Integer(), nullable=False)
