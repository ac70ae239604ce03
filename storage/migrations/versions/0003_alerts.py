"""alerts: alert rounds and their deliveries; staff e-mail, language and Telegram link; on-call

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_STAFF_COLUMNS = (
    ("email", 254),
    ("language", 5),
    ("telegram_hmac", 64),
    ("telegram_sealed", 400),
    ("telegram_code_hash", 64),
)


def upgrade() -> None:
    op.add_column("unit", sa.Column("on_call_email", sa.String(length=254), nullable=True))
    for name, length in _STAFF_COLUMNS:
        op.add_column("staff", sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column(
        "staff", sa.Column("telegram_code_expires", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        op.f("ix_staff_telegram_code_hash"), "staff", ["telegram_code_hash"], unique=False
    )
    op.create_index("ix_flag_created_at", "flag", ["created_at"], unique=False)

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["flag_id"], ["flag.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flag_id", "round"),
    )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel", "recipient"),
    )
    op.create_index(
        "ix_alert_delivery_due", "alert_delivery", ["sent_at", "not_before"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_alert_delivery_due", table_name="alert_delivery")
    op.drop_table("alert_delivery")
    op.drop_table("alert")
    op.drop_index("ix_flag_created_at", table_name="flag")
    op.drop_index(op.f("ix_staff_telegram_code_hash"), table_name="staff")
    with op.batch_alter_table("staff") as batch:
        for name, _ in _STAFF_COLUMNS:
            batch.drop_column(name)
        batch.drop_column("telegram_code_expires")
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("on_call_email")
