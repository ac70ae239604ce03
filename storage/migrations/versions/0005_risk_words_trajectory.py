"""risk words and trajectory: what decided a flag, and each unit's watch on the course of scores

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

- `flag.reason`: why the flag was raised, in the project's own terms: the risk screen's
  lexicon entries (and `model`), or the course of a wellbeing index ("falling 3.5 3 2.5 2").
- `flag.words_sealed`: the client's own words that decided a risk-screen flag, sealed like
  free text (P3); only on identified flags.
- `unit.trajectory`, `unit.trajectory_falls`, `unit.trajectory_drop`: whether the unit's
  check-ins raise a concern flag on a falling wellbeing index, after how many falls in a row,
  and on how big a single drop.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("flag", sa.Column("reason", sa.String(length=400), nullable=True))
    op.add_column("flag", sa.Column("words_sealed", sa.String(), nullable=True))
    op.add_column(
        "unit",
        sa.Column("trajectory", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "unit", sa.Column("trajectory_falls", sa.Integer(), nullable=False, server_default="3")
    )
    op.add_column(
        "unit", sa.Column("trajectory_drop", sa.Float(), nullable=False, server_default="1.0")
    )


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("trajectory_drop")
        batch.drop_column("trajectory_falls")
        batch.drop_column("trajectory")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(  # the flag table keeps AUTOINCREMENT (migration 0004)
        "flag", table_kwargs={"sqlite_autoincrement": True} if sqlite else {}
    ) as batch:
        batch.drop_column("words_sealed")
        batch.drop_column("reason")
