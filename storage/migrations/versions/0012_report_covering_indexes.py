"""report covering indexes: the answers and a unit's responses of a period read from indexes alone

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

_COUNTED = sa.text("skipped IS false AND number IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_answer_report",
        "answer",
        ["response_id", "measure", "number"],
        postgresql_where=_COUNTED,
        sqlite_where=_COUNTED,
    )
    # A unit's responses of a period with their ids and clients, from the index alone.
    op.drop_index("ix_response_unit_started", table_name="response")
    op.create_index(
        "ix_response_unit_started", "response", ["unit_id", "started_at", "id", "client_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_response_unit_started", table_name="response")
    op.create_index("ix_response_unit_started", "response", ["unit_id", "started_at"])
    op.drop_index("ix_answer_report", table_name="answer")
