"""shared limits: Telegram's 429 pause and the web chat's rate buckets, for every process

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

With several `kerro serve` processes on one PostgreSQL, one process sends to Telegram at a
time (an advisory lock); `send_pause` keeps a 429's `retry_after` for whichever process sends
next. `rate_bucket` holds the web chat's token buckets, keyed by a keyed hash.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_pause",
        sa.Column("channel", sa.String(length=20), primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rate_bucket",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_rate_bucket_at", "rate_bucket", ["at"])


def downgrade() -> None:
    op.drop_index("ix_rate_bucket_at", table_name="rate_bucket")
    op.drop_table("rate_bucket")
    op.drop_table("send_pause")
