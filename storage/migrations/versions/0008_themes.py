"""themes: staff's edits of the themes of open feedback, for the organisation and per unit

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

The shipped themes are data (dialogs/data/themes.yaml); a row replaces the shipped theme of
its key, for the organisation (`unit_id` NULL) or for one unit.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name_fi", sa.String(length=100), nullable=False),
        sa.Column("name_sv", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "key"),
    )
    op.create_index(op.f("ix_theme_unit_id"), "theme", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_theme_unit_id"), table_name="theme")
    op.drop_table("theme")
