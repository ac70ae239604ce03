"""report indexes: a unit's responses by time, for a unit's report of a period

Revision ID: 0011
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_response_unit_started", "response", ["unit_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_response_unit_started", table_name="response")
