"""report indexes: a unit's responses by time, for a unit's report of a period

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_response_unit_started", "response", ["unit_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_response_unit_started", table_name="response")
