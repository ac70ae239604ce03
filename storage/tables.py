"""SQLModel tables. Migrations in storage/migrations must match these (a test checks).

Privacy by construction (DESIGN.md P1-P3):
- a chat address is stored only as a keyed HMAC (`address_hmac`), and encrypted
  (`address_sealed`) only where a message must still be sent to it: an outbox row until it is
  delivered, or a contact who agreed to prompts;
- an anonymous response has no client, contact or chat reference, and its times are dates;
- free text is stored sealed (AES-GCM), never in plain text.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utc_now() -> dt.datetime:
    """Now, in UTC: every clock of Kerro's (the service's, the senders', the staff app's)."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _time(**kwargs: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kwargs)


PUBLIC_ID_LENGTH = 32


def new_public_id() -> str:
    """An opaque id for staff to see: random, so it orders and times nothing (P1).

    Responses, flags and alerts keep integer keys inside the database; those are one
    sequence for anonymous and identified rows alike, so the staff API never shows them.
    """
    return secrets.token_hex(PUBLIC_ID_LENGTH // 2)


def _public_id() -> Any:
    return Field(
        default_factory=new_public_id, max_length=PUBLIC_ID_LENGTH, unique=True, index=True
    )


# Tables whose ids travel (in alerts, audit rows, links): on SQLite, AUTOINCREMENT, so that
# an id is never given again after a deletion (PostgreSQL's sequences never reuse one).
_NO_REUSE: dict[str, Any] = {"sqlite_autoincrement": True}


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    created_at: dt.datetime = _time()
    # Where alerts go for the unit's anonymous flags, and for clients without a caseworker.
    on_call_email: str | None = Field(default=None, max_length=254)
    # The trajectory signal (dialogs/trajectory.py): on or off, falls in a row, a single drop.
    trajectory: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    trajectory_falls: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    trajectory_drop: float = Field(default=1.0, sa_column_kwargs={"server_default": "1.0"})


class Client(SQLModel, table=True):
    """A pseudonymous client: an alias and the case-system reference, never a real name."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "case_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    alias: str = Field(max_length=100)
    case_ref: str = Field(max_length=100)
    audience: str = Field(max_length=20)  # youth | child | parent
    language: str = Field(max_length=5)
    created_at: dt.datetime = _time()
    caseworker_id: int | None = Field(default=None, foreign_key="staff.id", index=True)


class Goal(SQLModel, table=True):
    """A goal of the client plan, rated on the GAS levels -2..+2."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    title: str = Field(max_length=300)
    weight: float = 1.0
    position: int = 0
    active: bool = True
    # What each GAS level means for this goal: {"-2": "...", ..., "2": "..."}.
    levels: dict[str, str] | None = Field(default=None, sa_type=sa.JSON)


class Contact(SQLModel, table=True):
    """A chat that is linked to a client (enrolment). Anonymous chats have no contact row."""

    __table_args__ = (sa.UniqueConstraint("channel", "address_hmac"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_hmac: str = Field(max_length=64)
    address_sealed: str | None = Field(default=None, max_length=400)  # only with prompt consent
    client_id: int = Field(foreign_key="client.id", index=True)
    language: str = Field(max_length=5)
    active: bool = True  # False while the person has blocked the bot
    prompts: bool = True  # check-in prompts wanted (/stop turns them off)
    created_at: dt.datetime = _time()


class Conversation(SQLModel, table=True):
    """The running state of one chat's dialog; deleted when the dialog ends or expires."""

    __table_args__ = (sa.UniqueConstraint("channel", "address_hmac"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_hmac: str = Field(max_length=64)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # None: the info dialog
    dialog_id: str = Field(max_length=40)
    language: str = Field(max_length=5)
    state: dict[str, Any] = Field(sa_type=sa.JSON)
    response_id: int | None = Field(default=None, foreign_key="response.id")
    updated_at: dt.datetime = _time()
    expires_at: dt.datetime = _time(index=True)


class Response(SQLModel, table=True):
    """One run of a dialog. Anonymous: no client, no contact, dates only (P1)."""

    __table_args__ = _NO_REUSE
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = _public_id()
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    dialog_id: str = Field(max_length=40, index=True)
    dialog_version: str = Field(max_length=12)
    channel: str = Field(max_length=20)
    language: str = Field(max_length=5)
    anonymous: bool
    completed: bool = False
    started_at: dt.datetime = _time()
    updated_at: dt.datetime = _time()


class Answer(SQLModel, table=True):
    """An answer; staff never see its id (answers are read through their response)."""

    __table_args__ = _NO_REUSE
    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    step_id: str = Field(max_length=40)
    measure: str = Field(max_length=40)
    goal_id: int | None = Field(default=None, foreign_key="goal.id")
    number: float | None = None
    choice: str | None = Field(default=None, max_length=40)
    text_sealed: str | None = None
    skipped: bool = False
    dialog_version: str = Field(max_length=12)
    recorded_at: dt.datetime = _time()


class Flag(SQLModel, table=True):
    """A flag for staff. Anonymous (no client): staff see only its date (P1).

    `response_id` is None once the client erased their data (`/forget`) while the flag was
    not yet resolved: the flag stays, without any text, so that the worker knows.
    """

    __table_args__ = _NO_REUSE
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = _public_id()
    response_id: int | None = Field(default=None, foreign_key="response.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    level: str = Field(max_length=10)  # crisis | concern
    rule: str = Field(max_length=40)
    status: str = Field(default="open", max_length=12)  # open | acknowledged | resolved
    created_at: dt.datetime = _time()
    assignee_id: int | None = Field(default=None, foreign_key="staff.id")
    # Why it was raised (the risk screen's entries, or a wellbeing course); the client's own
    # words that decided it, sealed (Purpose.FLAG_WORDS), on identified flags only.
    reason: str | None = Field(default=None, max_length=400)
    words_sealed: str | None = None


class ProcessedUpdate(SQLModel, table=True):
    """Claimed inbound updates: a repeat of (channel, update_key) is dropped (R2)."""

    __tablename__ = "processed_update"
    channel: str = Field(max_length=20, primary_key=True)
    update_key: str = Field(max_length=100, primary_key=True)
    processed_at: dt.datetime = _time(index=True)


class Outbox(SQLModel, table=True):
    """A message to deliver, in id order per chat (R3). Deleted once delivered."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    address_hmac: str = Field(max_length=64)
    address_sealed: str = Field(max_length=400)
    payload: dict[str, Any] = Field(sa_type=sa.JSON)
    attempts: int = 0
    not_before: dt.datetime = _time()
    dead_reason: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = _time()


class Staff(SQLModel, table=True):
    """A member of staff: a caseworker, coordinator or admin, scoped to units."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    role: str = Field(max_length=20)  # caseworker | coordinator | admin
    active: bool = True
    created_at: dt.datetime = _time()
    email: str | None = Field(default=None, max_length=254)  # for alerts
    language: str | None = Field(default=None, max_length=5)  # of alerts; None: Finnish
    # A linked staff Telegram chat for alerts, as for clients: a keyed HMAC and sealed.
    telegram_hmac: str | None = Field(default=None, max_length=64)
    telegram_sealed: str | None = Field(default=None, max_length=400)
    # A pending one-time link code, stored only as its SHA-256.
    telegram_code_hash: str | None = Field(default=None, max_length=64, index=True)
    telegram_code_expires: dt.datetime | None = _time(default=None, nullable=True)


class StaffUnit(SQLModel, table=True):
    __tablename__ = "staff_unit"
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class StaffToken(SQLModel, table=True):
    """A personal bearer token, stored only as its SHA-256 (shown once, when it is made)."""

    __tablename__ = "staff_token"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = _time()
    expires_at: dt.datetime = _time()
    revoked_at: dt.datetime | None = _time(default=None, nullable=True)


class FlagEvent(SQLModel, table=True):
    """A change of a flag: acknowledged, assigned, resolved (with a note)."""

    __tablename__ = "flag_event"
    __table_args__ = _NO_REUSE
    id: int | None = Field(default=None, primary_key=True)
    flag_id: int = Field(foreign_key="flag.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # None: the client
    action: str = Field(max_length=20)  # acknowledge | assign | resolve | erase
    assignee_id: int | None = Field(default=None, foreign_key="staff.id")
    note_sealed: str | None = None
    at: dt.datetime = _time()


class AuditEntry(SQLModel, table=True):
    """One staff read of person-linked data, or one change of who may see it (P4).

    Append-only (a trigger refuses changes). `staff_id` is None when no member of staff
    acted: the command line (tokens, staff), or the client themself (enrolment, erasure).
    """

    __tablename__ = "audit_log"
    __table_args__ = _NO_REUSE
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    at: dt.datetime = _time(index=True)
    # The endpoint, e.g. "client.read"; changes of access start with "access.".
    action: str = Field(max_length=60)
    target: str = Field(max_length=300)  # what was asked for, e.g. "client/12"
    purpose: str = Field(max_length=200)


class AuditClient(SQLModel, table=True):
    """The clients whose data one audited read disclosed."""

    __tablename__ = "audit_client"
    audit_id: int = Field(foreign_key="audit_log.id", primary_key=True)
    # No foreign key: the log outlives what it refers to.
    client_id: int = Field(primary_key=True, index=True)


class Invite(SQLModel, table=True):
    """A single-use enrolment code for a client, stored only as its SHA-256."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_by: int = Field(foreign_key="staff.id")
    created_at: dt.datetime = _time()
    expires_at: dt.datetime = _time()
    used_at: dt.datetime | None = _time(default=None, nullable=True)


class Alert(SQLModel, table=True):
    """A round of alerts for a flag: 1 when it is raised, 2 when a crisis flag escalates.

    The flag row itself is what triggers round 1: the alert sender makes this row for every
    flag that has none, so a flag committed is a flag alerted (docs/ARCHITECTURE.md).
    """

    __table_args__ = (sa.UniqueConstraint("flag_id", "round"), _NO_REUSE)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = _public_id()  # what a webhook receiver and an e-mail see
    flag_id: int = Field(foreign_key="flag.id")
    round: int
    created_at: dt.datetime = _time()


class AlertDelivery(SQLModel, table=True):
    """One alert to one recipient on one channel: leased while sent, kept once sent.

    The recipient is a reference (`staff:<id>`, `unit:<id>`, `webhook`), never an address.
    """

    __tablename__ = "alert_delivery"
    __table_args__ = (sa.UniqueConstraint("alert_id", "channel", "recipient"), _NO_REUSE)
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id")
    channel: str = Field(max_length=20)  # email | telegram | webhook
    recipient: str = Field(max_length=40)
    attempts: int = 0
    not_before: dt.datetime = _time()
    sent_at: dt.datetime | None = _time(default=None, nullable=True)
    dead_reason: str | None = Field(default=None, max_length=200)


class Theme(SQLModel, table=True):
    """A theme of open feedback, as staff edited it: the organisation's (`unit_id` None) or a
    unit's own. It replaces the shipped theme of the same key (dialogs/data/themes.yaml), and a
    unit's replaces the organisation's; `active` False hides the theme there."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    key: str = Field(max_length=40)
    name_fi: str = Field(max_length=100)
    name_sv: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    # Patterns of words: `word`, `stem*`, `*part*`; alternatives `a|b`; a phrase of slots.
    keywords: list[str] = Field(sa_type=sa.JSON)
    active: bool = True
    updated_at: dt.datetime = _time()
    updated_by: int | None = Field(default=None, foreign_key="staff.id")


class StaffSession(SQLModel, table=True):
    """A signed-in member of staff on the staff pages: the cookie's value is stored only as its
    SHA-256; the CSRF secret binds every form to the session; idle ones are refused."""

    __tablename__ = "staff_session"
    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    csrf_secret: str = Field(max_length=64)
    created_at: dt.datetime = _time()
    last_seen: dt.datetime = _time()


class StaffSignInLink(SQLModel, table=True):
    """A one-time sign-in link sent by e-mail: stored as its SHA-256, used once, short-lived."""

    __tablename__ = "staff_sign_in_link"
    id: int | None = Field(default=None, primary_key=True)
    link_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: dt.datetime = _time()
    expires_at: dt.datetime = _time()
    used_at: dt.datetime | None = _time(default=None, nullable=True)


class SendPause(SQLModel, table=True):
    """A channel's sending paused for every process: Telegram answered 429 with `retry_after`."""

    __tablename__ = "send_pause"
    channel: str = Field(primary_key=True, max_length=20)
    until: dt.datetime = _time()


class RateBucket(SQLModel, table=True):
    """A token bucket of a rate limit shared by every process (the web chat's, on PostgreSQL).

    The key is a keyed hash (of a session or an address), never the value itself.
    """

    __tablename__ = "rate_bucket"
    key: str = Field(primary_key=True, max_length=64)
    tokens: float
    at: float = Field(index=True)  # seconds since the epoch when last counted
    allowed: bool = True  # whether the last request counted was let through


class Schedule(SQLModel, table=True):
    """A planned check-in for a unit's clients: the rows are the truth, the timer follows them.

    Recurrence: `weekly` (every `every_weeks` weeks on `weekday` at `at_time`), `cron` (a
    five-field crontab), or `once` (at `once_at`: a one-off prompt). Times are wall-clock
    times in `timezone`; a slot inside the quiet hours waits until they end.
    """

    __table_args__ = _NO_REUSE
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=100)
    dialog_id: str = Field(max_length=40)
    audience: str = Field(max_length=20)  # youth | child | parent | clients
    client_ids: list[int] | None = Field(default=None, sa_type=sa.JSON)  # audience "clients"
    kind: str = Field(max_length=10)  # weekly | cron | once
    every_weeks: int = 1
    weekday: int = 0  # Monday 0 .. Sunday 6
    at_time: str = Field(default="15:00", max_length=5)  # HH:MM
    cron: str | None = Field(default=None, max_length=120)
    once_at: dt.datetime | None = _time(default=None, nullable=True)
    timezone: str = Field(default="Europe/Helsinki", max_length=64)
    # No quiet hours when None (the staff API's default is 21:00-08:00). No default here: a
    # table default would silently replace an explicit None.
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    starts_on: dt.date
    ends_on: dt.date | None = None
    remind_after_hours: float | None = None
    expire_after_days: float = 7.0
    paused: bool = False
    # Slots before this instant are not sent (set when the schedule is made or resumed).
    armed_from: dt.datetime = _time()
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: dt.datetime = _time()


class ScheduleRun(SQLModel, table=True):
    """One slot of a schedule, claimed once: unique on (schedule, slot) across processes (R4).

    `status` is `sent` (its deliveries were queued) or `skipped` (with the `reason`).
    """

    __tablename__ = "schedule_run"
    __table_args__ = (sa.UniqueConstraint("schedule_id", "slot"), _NO_REUSE)
    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="schedule.id", index=True)
    slot: dt.datetime = _time()  # the nominal time, before quiet hours
    fired_at: dt.datetime = _time()
    status: str = Field(max_length=10)  # sent | skipped
    reason: str | None = Field(default=None, max_length=200)
    contacts: int = 0
    remind_at: dt.datetime | None = _time(default=None, nullable=True)
    expires_at: dt.datetime = _time()


class PromptDelivery(SQLModel, table=True):
    """One prompt of one run to one contact, and how far the person got with it.

    `status`: queued, sent, failed (`reason`), started, completed, expired. The prompt's
    button carries the opaque `public_id`.
    """

    __tablename__ = "prompt_delivery"
    __table_args__ = (sa.UniqueConstraint("run_id", "contact_id"), _NO_REUSE)
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = _public_id()
    run_id: int = Field(foreign_key="schedule_run.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    dialog_id: str = Field(max_length=40)
    channel: str = Field(max_length=20)
    status: str = Field(default="queued", max_length=10)
    reason: str | None = Field(default=None, max_length=200)
    queued_at: dt.datetime = _time()
    reminded_at: dt.datetime | None = _time(default=None, nullable=True)
    expires_at: dt.datetime = _time(index=True)


metadata = SQLModel.metadata

sa.Index("ix_outbox_chat_order", Outbox.channel, Outbox.address_hmac, Outbox.id)  # type: ignore[arg-type]
sa.Index("ix_flag_created_at", Flag.created_at)  # type: ignore[arg-type]
# The staff listing of responses: newest first, keyset on (started_at, public_id).
sa.Index("ix_response_started_public", Response.started_at, Response.public_id)  # type: ignore[arg-type]
sa.Index("ix_alert_delivery_due", AlertDelivery.sent_at, AlertDelivery.not_before)  # type: ignore[arg-type]
sa.Index("ix_prompt_delivery_status", PromptDelivery.status, PromptDelivery.expires_at)  # type: ignore[arg-type]

# The answers that count in reports, by their response, read from the index alone (0012).
_COUNTED = sa.text("skipped IS false AND number IS NOT NULL")
sa.Index(
    "ix_answer_report",
    Answer.response_id,  # type: ignore[arg-type]
    Answer.measure,
    Answer.number,  # type: ignore[arg-type]
    postgresql_where=_COUNTED,
    sqlite_where=_COUNTED,
)
# A unit's report of a period (migrations 0010 and 0012): its responses with their ids and
# clients from the index alone.
sa.Index(
    "ix_response_unit_started",
    Response.unit_id,  # type: ignore[arg-type]
    Response.started_at,  # type: ignore[arg-type]
    Response.id,  # type: ignore[arg-type]
    Response.client_id,  # type: ignore[arg-type]
)

# Rows read with Core are turned into models with `model_construct`, which needs the mappers
# set up; an ORM query would do that on first use, but such a read may come first.
sa.orm.configure_mappers()
