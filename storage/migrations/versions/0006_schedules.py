"""schedules: planned check-ins, their runs (one per slot) and their prompt deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

- `schedule`: a unit's planned check-in (audience, dialog, recurrence, time zone, quiet hours,
  start and end dates, reminder and expiry, paused).
- `schedule_run`: one slot of a schedule, unique on (schedule_id, slot), so that a slot is
  claimed once across processes and restarts (R4); a skipped slot keeps its reason.
- `prompt_delivery`: one prompt of a run to one contact and its state (queued, sent, failed,
  started, completed, expired), unique on (run_id, contact_id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dialog_id", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("client_ids", sa.JSON(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("cron", sa.String(length=120), nullable=True),
        _time("once_at", nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("remind_after_hours", sa.Float(), nullable=True),
        sa.Column("expire_after_days", sa.Float(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _time("armed_from"),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _time("created_at"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_schedule_unit_id"), "schedule", ["unit_id"], unique=False)
    op.create_table(
        "schedule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        _time("slot"),
        _time("fired_at"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("contacts", sa.Integer(), nullable=False),
        _time("remind_at", nullable=True),
        _time("expires_at"),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedule.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "slot"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_schedule_run_schedule_id"), "schedule_run", ["schedule_id"], unique=False
    )
    op.create_table(
        "prompt_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("dialog_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        _time("queued_at"),
        _time("reminded_at", nullable=True),
        _time("expires_at"),
        sa.ForeignKeyConstraint(["run_id"], ["schedule_run.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "contact_id"),
        sqlite_autoincrement=True,
    )
    for column, unique in (
        ("public_id", True),
        ("run_id", False),
        ("contact_id", False),
        ("client_id", False),
        ("expires_at", False),
    ):
        op.create_index(
            op.f(f"ix_prompt_delivery_{column}"), "prompt_delivery", [column], unique=unique
        )
    op.create_index(
        "ix_prompt_delivery_status", "prompt_delivery", ["status", "expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("prompt_delivery")
    op.drop_table("schedule_run")
    op.drop_table("schedule")
