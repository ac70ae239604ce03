"""The check-in scheduler: the schedule rows are the truth; APScheduler is only the timer.

At start, and again every `sync_every` seconds (so that changes made through another
process's staff API reach this one), the scheduler reads the live schedules, sends what is
due and arms one timer per schedule at its next send time. A change through this process's
staff API syncs at once (`changed`). A restart therefore rebuilds every timer from the rows.

Sending a slot claims it: its run is inserted, unique on (schedule, slot), with one delivery
per eligible contact and their prompts in the outbox, in one transaction. Of several
processes on one PostgreSQL, one inserts the run; the others find it taken. A process killed
mid-way leaves nothing (the transaction dies with it), and the slot is sent by whoever looks
next, within the grace time. A slot found later than that is skipped, with the reason.

Each round also does the upkeep of the deliveries: a queued prompt that left the outbox is
sent (or failed), a reminder goes once to those who have not started, and what is past its
expiry expires.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from sqlmodel import Session

from bot import scheduler_prompts
from bot.i18n import Translations
from bot.schedule_times import Recurrence, parse_time, zone
from storage import tables
from storage.db import Database
from storage.repositories import prompt_deliveries, schedules

log = logging.getLogger(__name__)

SYNC_JOB = "sync"
MAX_CATCH_UP = 100  # slots looked at per schedule and round; the rest in the next round
REMINDERS_PER_ROUND = 1000


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    sync_every: float = 30.0  # seconds between reads of the schedule rows
    grace: dt.timedelta = dt.timedelta(hours=1)  # how late a slot may still be sent
    # For failure drills only: hold a firing's transaction open this long before it commits.
    hold: float = 0.0


def recurrence_of(schedule: tables.Schedule) -> Recurrence:
    """A schedule row's recurrence (raises ScheduleError when the row cannot be one)."""
    quiet = None
    if schedule.quiet_start and schedule.quiet_end:
        quiet = (parse_time(schedule.quiet_start), parse_time(schedule.quiet_end))
    return Recurrence(
        kind=schedule.kind,
        tz=zone(schedule.timezone),
        starts_on=schedule.starts_on,
        ends_on=schedule.ends_on,
        every_weeks=schedule.every_weeks,
        weekday=schedule.weekday,
        at=parse_time(schedule.at_time),
        cron=schedule.cron,
        once_at=schedule.once_at,
        quiet=quiet,
    )


@dataclass(frozen=True, slots=True)
class Due:
    slot: dt.datetime
    send_at: dt.datetime


def due_slots(
    schedule: tables.Schedule, *, last: dt.datetime | None, now: dt.datetime
) -> list[Due]:
    """The slots of a schedule whose send time has come, not claimed yet, oldest first."""
    after = schedule.armed_from - dt.timedelta(microseconds=1)
    if last is not None:
        after = max(after, last)
    recurrence = recurrence_of(schedule)
    found: list[Due] = []
    for slot in recurrence.slots_after(after):
        send_at = recurrence.send_time(slot)
        if send_at > now or len(found) >= MAX_CATCH_UP:
            break
        found.append(Due(slot, send_at))
    return found


def next_send(schedule: tables.Schedule, *, now: dt.datetime) -> dt.datetime | None:
    upcoming = recurrence_of(schedule).upcoming(max(now, schedule.armed_from), 1)
    return upcoming[0][1] if upcoming else None


class CheckinScheduler:
    def __init__(
        self,
        *,
        database: Database,
        translations: Translations,
        settings: SchedulerSettings,
        clock: Callable[[], dt.datetime] = tables.utc_now,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.database = database
        self.translations = translations
        self.settings = settings
        self.clock = clock
        self.on_queued = on_queued  # wakes the outbox's sender
        self._timer: AsyncIOScheduler | None = None

    async def start(self) -> None:
        """Start the timer: a sync now, then every `sync_every` seconds."""
        timer = AsyncIOScheduler(timezone=dt.UTC)
        timer.add_job(
            self.sync,
            "interval",
            seconds=self.settings.sync_every,
            id=SYNC_JOB,
            next_run_time=dt.datetime.now(dt.UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        timer.start()
        self._timer = timer

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.shutdown(wait=False)
            self._timer = None

    def changed(self) -> None:
        """A schedule was made or changed here: sync now rather than at the next round."""
        if self._timer is not None:
            job = self._timer.get_job(SYNC_JOB)
            if job is not None:
                job.modify(next_run_time=dt.datetime.now(dt.UTC))

    async def sync(self) -> int:
        """Send what is due, do the deliveries' upkeep, arm the timers; how many prompts."""
        try:
            live = await self.database.run(schedules.live_schedules)
            queued = 0
            for schedule in live:
                assert schedule.id is not None
                queued += await self.catch_up(schedule.id)
            self._arm(live)
            queued += await self.upkeep()
        except Exception:  # the database may be away for a while: the next round tries again
            log.warning("the check-in scheduler's round failed", exc_info=True)
            return 0
        return queued

    def _arm(self, live: Sequence[tables.Schedule], *, only: bool = False) -> None:
        """One timer per schedule at its next send time; with `only`, the others stay."""
        if self._timer is None:
            return
        now = self.clock()
        wanted: set[str] = set()
        for schedule in live:
            send_at = next_send(schedule, now=now)
            if send_at is None:
                continue
            job_id = f"schedule-{schedule.id}"
            wanted.add(job_id)
            self._timer.add_job(
                self._fire,
                "date",
                run_date=send_at,
                args=[schedule.id],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=None,  # a late timer still looks: catch_up judges the grace
            )
        for job in [] if only else self._timer.get_jobs():
            if job.id.startswith("schedule-") and job.id not in wanted:
                job.remove()

    async def _fire(self, schedule_id: int) -> None:
        try:
            queued = await self.catch_up(schedule_id)
            schedule = await self.database.run(
                functools.partial(schedules.schedule_by_id, schedule_id=schedule_id)
            )
            if schedule is not None and not schedule.paused:
                self._arm([schedule], only=True)
            log.debug("schedule %d: %d prompt(s) queued", schedule_id, queued)
        except Exception:
            log.warning("schedule %d: firing failed", schedule_id, exc_info=True)

    async def catch_up(self, schedule_id: int) -> int:
        """Send (or skip, when too late) every due slot of a schedule; prompts queued."""
        now = self.clock()

        def read(session: Session) -> list[Due]:
            schedule = schedules.schedule_by_id(session, schedule_id=schedule_id)
            if schedule is None or schedule.paused:
                return []
            last = schedules.last_slot(session, schedule_id=schedule_id)
            return due_slots(schedule, last=last, now=now)

        queued = 0
        for due in await self.database.run(read):
            late = now - due.send_at
            if late > self.settings.grace:
                await self.database.run(functools.partial(self._skip, schedule_id, due, late))
                continue
            log.info("schedule %d: sending the slot %s", schedule_id, due.slot.isoformat())
            count = await self.database.run(functools.partial(self._send, schedule_id, due))
            if count:
                queued += count
                if self.on_queued is not None:
                    self.on_queued()
        return queued

    def _skip(self, schedule_id: int, due: Due, late: dt.timedelta, session: Session) -> None:
        minutes = int(late.total_seconds() // 60)
        grace = int(self.settings.grace.total_seconds() // 60)
        schedules.claim_run(
            session,
            schedule_id=schedule_id,
            slot=due.slot,
            now=self.clock(),
            status=schedules.SKIPPED,
            expires_at=due.send_at,
            reason=f"not sent: found {minutes} min late, over the grace time of {grace} min",
        )

    def _send(self, schedule_id: int, due: Due, session: Session) -> int:
        schedule = schedules.schedule_by_id(session, schedule_id=schedule_id)
        if schedule is None or schedule.paused:
            return 0
        now = self.clock()
        remind = schedule.remind_after_hours
        count = schedules.plan_run(
            session,
            schedule=schedule,
            slot=due.slot,
            now=now,
            remind_at=None if remind is None else due.send_at + dt.timedelta(hours=remind),
            expires_at=due.send_at + dt.timedelta(days=schedule.expire_after_days),
            payload=self._payload,
        )
        if self.settings.hold and count is not None:
            time.sleep(self.settings.hold)  # a failure drill: kill the process now
        return count or 0

    def _payload(self, language: str, public_id: str) -> dict[str, object]:
        return scheduler_prompts.prompt(self.translations.get(language), public_id)

    async def upkeep(self) -> int:
        """Deliveries: sent or failed, expired, and the reminders due; reminders queued."""
        now = self.clock()

        def work(session: Session) -> int:
            prompt_deliveries.refresh_sent(session)
            prompt_deliveries.expire(session, now=now)
            reminders = prompt_deliveries.take_reminders(
                session, now=now, limit=REMINDERS_PER_ROUND
            )
            for reminder in reminders:
                translator = self.translations.get(reminder.language)
                prompt_deliveries.queue_message(
                    session,
                    reminder=reminder,
                    payload=scheduler_prompts.prompt(translator, reminder.public_id, reminder=True),
                    now=now,
                )
            return len(reminders)

        reminded = await self.database.run(work)
        if reminded and self.on_queued is not None:
            self.on_queued()
        return reminded
