"""Bulk writes of prepared sample data (`kerro demo`): many responses, answers and flags in a
few statements, with the same privacy as the conversation's own writes.

The values come in as the dialog engine made them (`Record`, `RaiseFlag`); texts are sealed
here, as `responses.add_answers` seals them, and an anonymous response is stored with no
client and no contact, its times the date only (P1), whatever the caller passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dialogs.model import RaiseFlag, Record
from storage.crypto import Keyring, Purpose
from storage.repositories import audit
from storage.repositories.responses import to_date
from storage.tables import Answer, Flag, FlagEvent, Response, StaffUnit, new_public_id

_responses: sa.Table = Response.__table__  # type: ignore[attr-defined]
_answers: sa.Table = Answer.__table__  # type: ignore[attr-defined]
_flags: sa.Table = Flag.__table__  # type: ignore[attr-defined]
_events: sa.Table = FlagEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class FlagHistory:
    """What became of a flag: acknowledged and perhaps resolved (with a note), by whom."""

    staff_id: int
    acknowledged_at: dt.datetime
    resolved_at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SampleFlag:
    flag: RaiseFlag
    history: FlagHistory | None = None


@dataclass(frozen=True, slots=True)
class SampleResponse:
    """One finished (or abandoned) run of a dialog, as it would have been stored."""

    unit_id: int
    client_id: int | None  # None: anonymous
    dialog_id: str
    dialog_version: str
    channel: str
    language: str
    completed: bool
    at: dt.datetime
    records: Sequence[Record]
    flags: Sequence[SampleFlag] = field(default_factory=tuple)


def add_responses(
    session: Session, *, samples: Sequence[SampleResponse], keyring: Keyring
) -> tuple[int, int, int]:
    """Store the samples; (responses, answers, flags) written."""
    if not samples:
        return 0, 0, 0
    connection = session.connection()
    response_rows = []
    for sample in samples:
        stamp = sample.at if sample.client_id is not None else to_date(sample.at)
        response_rows.append(
            {
                "public_id": new_public_id(),
                "unit_id": sample.unit_id,
                "client_id": sample.client_id,
                "contact_id": None,
                "dialog_id": sample.dialog_id,
                "dialog_version": sample.dialog_version,
                "channel": sample.channel,
                "language": sample.language,
                "anonymous": sample.client_id is None,
                "completed": sample.completed,
                "started_at": stamp,
                "updated_at": stamp,
            }
        )
    ids = [
        int(row[0])
        for row in connection.execute(
            sa.insert(_responses).returning(_responses.c.id, sort_by_parameter_order=True),
            response_rows,
        )
    ]
    answer_rows = []
    flag_rows = []
    histories: list[FlagHistory | None] = []
    for response_id, sample in zip(ids, samples, strict=True):
        stamp = sample.at if sample.client_id is not None else to_date(sample.at)
        for record in sample.records:
            sealed = (
                None
                if record.text is None
                else keyring.seal(record.text, purpose=Purpose.ANSWER_TEXT)
            )
            answer_rows.append(
                {
                    "response_id": response_id,
                    "step_id": record.step_id,
                    "measure": record.measure,
                    "goal_id": record.goal_id,
                    "number": record.number,
                    "choice": record.choice,
                    "text_sealed": sealed,
                    "skipped": record.skipped,
                    "dialog_version": sample.dialog_version,
                    "recorded_at": stamp,
                }
            )
        for item in sample.flags:
            history = item.history
            status = "open"
            if history is not None:
                status = "resolved" if history.resolved_at is not None else "acknowledged"
            flag_rows.append(
                {
                    "public_id": new_public_id(),
                    "response_id": response_id,
                    "unit_id": sample.unit_id,
                    "client_id": sample.client_id,
                    "level": item.flag.level.value,
                    "rule": item.flag.rule,
                    "status": status,
                    # A flag keeps its exact time inside; staff see an anonymous one's date.
                    "created_at": sample.at,
                    "assignee_id": None,
                }
            )
            histories.append(history)
    if answer_rows:
        connection.execute(sa.insert(_answers), answer_rows)
    if flag_rows:
        flag_ids = [
            int(row[0])
            for row in connection.execute(
                sa.insert(_flags).returning(_flags.c.id, sort_by_parameter_order=True), flag_rows
            )
        ]
        _add_events(session, flag_ids=flag_ids, histories=histories, keyring=keyring)
    return len(ids), len(answer_rows), len(flag_rows)


def _add_events(
    session: Session,
    *,
    flag_ids: Sequence[int],
    histories: Sequence[FlagHistory | None],
    keyring: Keyring,
) -> None:
    rows = []
    for flag_id, history in zip(flag_ids, histories, strict=True):
        if history is None:
            continue
        base = {"flag_id": flag_id, "staff_id": history.staff_id, "assignee_id": None}
        rows.append(
            {**base, "action": "acknowledge", "note_sealed": None, "at": history.acknowledged_at}
        )
        if history.resolved_at is not None:
            note = (
                None
                if history.note is None
                else keyring.seal(history.note, purpose=Purpose.FLAG_NOTE)
            )
            rows.append(
                {**base, "action": "resolve", "note_sealed": note, "at": history.resolved_at}
            )
    if rows:
        session.connection().execute(sa.insert(_events), rows)


def add_units(
    session: Session, *, staff_id: int, unit_ids: Sequence[int], now: dt.datetime
) -> None:
    """Let a member of staff work in these units too (a change of access, audited)."""
    have = set(
        session.exec(select(col(StaffUnit.unit_id)).where(StaffUnit.staff_id == staff_id)).all()
    )
    new = sorted(set(unit_ids) - have)
    if not new:
        return
    for unit_id in new:
        session.add(StaffUnit(staff_id=staff_id, unit_id=unit_id))
    session.flush()
    shown = ",".join(str(unit_id) for unit_id in new)
    audit.access_change(
        session, by=None, what="staff", target=f"staff/{staff_id} units +{shown}", now=now
    )
