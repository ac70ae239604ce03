"""Staff alerts: a flag reaches the right member of staff within seconds, and says nothing of
the person.

- Every committed flag gets a first round of alerts (the flag row is the trigger): to the
  client's caseworker (e-mail, their linked Telegram chat), else to the unit's on-call
  address; and to the signed webhook. An open crisis flag that nobody acknowledged within
  `escalate_after` gets a second round: the unit's coordinators and its on-call address.
- An alert holds the severity, the unit, the time and a link to the flag in the staff API:
  no message text, no name or alias, no client id, case reference or chat id. Its ids are the
  opaque public ids, and for an anonymous flag the time is only the date (P1).
- Each delivery is leased while it is sent and marked sent after; a crash mid-send sends it
  again when the lease ends (at least once). Failures back off exponentially and end as dead
  letters with a reason. Logs hold ids and reasons only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlmodel import Session

from bot.i18n import Translations, Translator
from bot.loop import WakeableLoop
from bot.messages import TELEGRAM as TELEGRAM  # an alert channel: the staff's Telegram chats
from dialogs.model import N_, NP_
from storage.crypto import Keyring, Purpose, SealError
from storage.db import Database
from storage.repositories import alerts, staff
from storage.tables import Flag, Staff, Unit, utc_now

if TYPE_CHECKING:  # aiogram takes seconds to import: only a configured bot needs it
    pass

log = logging.getLogger(__name__)

EMAIL = "email"
WEBHOOK = "webhook"
ALERT_LANGUAGE = "fi"  # when a member of staff has not chosen one

LEVELS = {"crisis": N_("crisis"), "concern": N_("concern")}
SUBJECT = N_("Kerro: a {level} flag in {unit}")
ESCALATED_SUBJECT = N_("Kerro: a {level} flag in {unit} is not acknowledged")
BODY = N_(
    "A {level} flag was raised in {unit} ({code}) at {time} UTC.\nOpen it in the staff API: {link}"
)
BODY_ANONYMOUS = N_(
    "An anonymous {level} flag was raised in {unit} ({code}) on {date}.\n"
    "Open it in the staff API: {link}"
)
ESCALATED = NP_(
    "Nobody has acknowledged it in {minutes} minute.",
    "Nobody has acknowledged it in {minutes} minutes.",
)
PRIVACY = N_("This alert holds no text and no name: read them in the staff API.")


@dataclass(frozen=True, slots=True)
class Notice:
    """What an alert says. Nothing here identifies the writer, nor orders or times an
    anonymous flag against others: opaque ids, and only the date when it is anonymous."""

    alert_id: str  # opaque
    delivery_key: str  # the same for every copy of one delivery (Message-ID)
    flag_id: str  # opaque
    level: str
    unit_code: str
    unit_name: str
    raised_at: dt.datetime
    anonymous: bool
    link: str
    escalation: bool
    escalate_minutes: int

    def raised(self) -> str:
        """When it was raised, as staff may see it: the date only when anonymous."""
        if self.anonymous:
            return self.raised_at.date().isoformat()
        return self.raised_at.isoformat()

    def subject(self, translator: Translator) -> str:
        template = ESCALATED_SUBJECT if self.escalation else SUBJECT
        return translator.gettext(template).format(
            level=translator.gettext(LEVELS.get(self.level, self.level)), unit=self.unit_name
        )

    def body(self, translator: Translator) -> str:
        level = translator.gettext(LEVELS.get(self.level, self.level))
        lines = [
            translator.gettext(BODY_ANONYMOUS).format(
                level=level,
                unit=self.unit_name,
                code=self.unit_code,
                date=self.raised(),
                link=self.link,
            )
            if self.anonymous
            else translator.gettext(BODY).format(
                level=level,
                unit=self.unit_name,
                code=self.unit_code,
                time=self.raised_at.strftime("%Y-%m-%d %H:%M"),
                link=self.link,
            )
        ]
        if self.escalation:
            lines.append(
                translator.text(
                    ESCALATED.text(self.escalate_minutes, {"minutes": str(self.escalate_minutes)})
                )
            )
        lines.append(translator.gettext(PRIVACY))
        return "\n\n".join(lines)

    def document(self) -> dict[str, object]:
        """The webhook's body."""
        return {
            "alert": self.alert_id,
            "flag": self.flag_id,
            "level": self.level,
            "unit": {"code": self.unit_code, "name": self.unit_name},
            "anonymous": self.anonymous,
            "raised_at": self.raised(),
            "escalation": self.escalation,
            "link": self.link,
        }


class AlertChannel(Protocol):
    """A way to reach staff. `address` is an e-mail address, a chat id, or empty."""

    async def send(self, *, address: str, notice: Notice, translator: Translator) -> None: ...


@dataclass
class AlertSettings:
    staff_url: str = "http://127.0.0.1:8001"
    escalate_after: dt.timedelta = dt.timedelta(minutes=15)
    lease: dt.timedelta = dt.timedelta(seconds=60)
    max_attempts: int = 8
    max_backoff: float = 600.0
    batch: int = 50
    idle_poll: float = 0.5  # seconds between looks when nothing wakes the sender
    # Flags older than this when the sender first sees them are not alerted any more.
    horizon: dt.timedelta = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class _Job:
    delivery_id: int
    channel: str
    address: str
    language: str
    attempts: int
    notice: Notice


@dataclass
class AlertSender:
    database: Database
    keyring: Keyring
    translations: Translations
    channels: Mapping[str, AlertChannel]
    settings: AlertSettings = field(default_factory=AlertSettings)
    clock: Callable[[], dt.datetime] = utc_now
    _loop: WakeableLoop = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._loop = WakeableLoop(
            self.tick,
            idle_poll=self.settings.idle_poll,
            failure="the alert sender could not read its alerts",
        )

    def wake(self) -> None:
        """A flag may have been committed: look now."""
        self._loop.wake()

    async def run_forever(self) -> None:
        log.info("alert sender started (%s)", ", ".join(sorted(self.channels)) or "no channels")
        await self._loop.run_forever()

    async def tick(self) -> int:
        """One round: plan the alerts of new and overdue flags, lease what is due, send it."""
        jobs = await self.database.run(self._plan_and_lease)
        if jobs:
            await asyncio.gather(*(self._send(job) for job in jobs))
        return len(jobs)

    def _plan_and_lease(self, session: Session) -> list[_Job]:
        now = self.clock()
        since = now - self.settings.horizon
        for flag in alerts.unalerted_flags(session, since=since, limit=self.settings.batch):
            self._add_round(session, flag=flag, round_=alerts.FIRST, now=now)
        for flag in alerts.escalation_due(
            session,
            raised_before=now - self.settings.escalate_after,
            since=since,
            limit=self.settings.batch,
        ):
            self._add_round(session, flag=flag, round_=alerts.ESCALATION, now=now)
        return self._lease(session, now=now)

    def _add_round(self, session: Session, *, flag: Flag, round_: int, now: dt.datetime) -> None:
        assert flag.id is not None
        recipients = self._recipients(session, flag=flag, round_=round_)
        added = alerts.add_round(
            session, flag_id=flag.id, round_=round_, recipients=recipients, now=now
        )
        if added is not None and not recipients:
            log.warning("flag %d: no alert recipient in round %d", flag.id, round_)

    def _recipients(self, session: Session, *, flag: Flag, round_: int) -> list[tuple[str, str]]:
        staff: list[Staff] = []
        if round_ == alerts.FIRST:
            if flag.client_id is not None:
                caseworker = alerts.caseworker_of(session, client_id=flag.client_id)
                staff = [caseworker] if caseworker is not None else []
        else:
            staff = list(alerts.coordinators_of(session, unit_id=flag.unit_id))
        recipients: list[tuple[str, str]] = []
        for member in staff:
            if EMAIL in self.channels and member.email:
                recipients.append((EMAIL, f"staff:{member.id}"))
            if TELEGRAM in self.channels and member.telegram_sealed:
                recipients.append((TELEGRAM, f"staff:{member.id}"))
        unit = session.get(Unit, flag.unit_id)
        on_call = EMAIL in self.channels and unit is not None and unit.on_call_email
        # The on-call address: for anonymous flags and clients nobody can be reached for in
        # the first round, always when a flag escalates.
        if on_call and (round_ == alerts.ESCALATION or not recipients):
            recipients.append((EMAIL, f"unit:{flag.unit_id}"))
        if WEBHOOK in self.channels:
            recipients.append((WEBHOOK, WEBHOOK))
        return recipients

    def _lease(self, session: Session, *, now: dt.datetime) -> list[_Job]:
        jobs: list[_Job] = []
        for item in alerts.due(session, now=now, limit=self.settings.batch):
            delivery = item.delivery
            assert delivery.id is not None
            if item.round == alerts.ESCALATION and item.flag.status != "open":
                alerts.dead_letter(
                    session, delivery_id=delivery.id, reason="acknowledged before escalation"
                )
                continue
            if delivery.channel not in self.channels:
                alerts.dead_letter(
                    session, delivery_id=delivery.id, reason=f"{delivery.channel} is not set up"
                )
                continue
            target = self._address(session, channel=delivery.channel, recipient=delivery.recipient)
            if target is None:
                alerts.dead_letter(session, delivery_id=delivery.id, reason="no address")
                log.warning("alert delivery %d: the recipient has no address", delivery.id)
                continue
            address, language = target
            alerts.lease(session, ids=[delivery.id], until=now + self.settings.lease)
            jobs.append(
                _Job(
                    delivery_id=delivery.id,
                    channel=delivery.channel,
                    address=address,
                    language=language,
                    attempts=delivery.attempts + 1,
                    notice=self._notice(item),
                )
            )
        return jobs

    def _address(self, session: Session, *, channel: str, recipient: str) -> tuple[str, str] | None:
        """The recipient's address on the channel and their language; None: none now."""
        kind, _, number = recipient.partition(":")
        if channel == WEBHOOK:
            return "", ALERT_LANGUAGE
        if kind == "unit":
            unit = session.get(Unit, int(number))
            if unit is None or not unit.on_call_email:
                return None
            return unit.on_call_email, ALERT_LANGUAGE
        member = staff.staff_by_id(session, staff_id=int(number))
        if member is None or not member.active:
            return None
        language = member.language or ALERT_LANGUAGE
        if channel == EMAIL:
            return (member.email, language) if member.email else None
        if member.telegram_sealed is None:
            return None
        try:
            chat = self.keyring.open(member.telegram_sealed, purpose=Purpose.STAFF_CHAT)
        except SealError:
            return None
        return chat, language

    def _notice(self, item: alerts.Due) -> Notice:
        flag, delivery = item.flag, item.delivery
        recipient = delivery.recipient.replace(":", "-")
        return Notice(
            alert_id=item.alert_public_id,
            delivery_key=f"{item.alert_public_id}.{delivery.channel}.{recipient}",
            flag_id=flag.public_id,
            level=flag.level,
            unit_code=item.unit.code,
            unit_name=item.unit.name,
            raised_at=flag.created_at,
            anonymous=flag.client_id is None,
            link=f"{self.settings.staff_url.rstrip('/')}/flags/{flag.public_id}",
            escalation=item.round == alerts.ESCALATION,
            escalate_minutes=round(self.settings.escalate_after.total_seconds() / 60),
        )

    async def _send(self, job: _Job) -> None:
        channel = self.channels[job.channel]
        translator = self.translations.get(job.language)
        try:
            # A send never outlives half its lease, so that it is not sent twice at once.
            async with asyncio.timeout(self.settings.lease.total_seconds() / 2):
                await channel.send(address=job.address, notice=job.notice, translator=translator)
        except Exception as error:
            await self._failed(job, type(error).__name__)
        else:
            now = self.clock()
            await self.database.run(
                lambda session: alerts.delivered(session, delivery_id=job.delivery_id, now=now)
            )
            log.info("alert delivery %d sent (%s)", job.delivery_id, job.channel)

    async def _failed(self, job: _Job, reason: str) -> None:
        if job.attempts >= self.settings.max_attempts:
            log.warning(
                "alert delivery %d dead after %d attempts (%s)",
                job.delivery_id,
                job.attempts,
                reason,
            )
            await self.database.run(
                lambda session: alerts.dead_letter(
                    session,
                    delivery_id=job.delivery_id,
                    reason=f"{reason} after {job.attempts} attempts",
                )
            )
            return
        delay = dt.timedelta(seconds=min(self.settings.max_backoff, 2.0**job.attempts))
        log.info("alert delivery %d failed (%s); retrying in %s", job.delivery_id, reason, delay)
        at = self.clock() + delay
        await self.database.run(
            lambda session: alerts.retry_later(session, delivery_id=job.delivery_id, at=at)
        )
