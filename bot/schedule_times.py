"""When a schedule's prompts go out: recurrence, time zone and quiet hours, as pure functions.

A schedule names wall-clock times in its time zone ("every 2 weeks on Monday at 15:00",
or a crontab); each is a *slot*, an instant in UTC. A weekly 15:00 in Helsinki is 13:00 UTC
in winter and 12:00 UTC in summer: the slot follows the wall clock across daylight saving.
A wall-clock time that a spring transition skips comes at the same time after the gap (an
hour later); one that an autumn transition repeats comes once, at its first occurrence.

A slot inside the quiet hours is sent when they end (its *send time*); the slot itself,
not the send time, is what a run claims, so that moving the quiet hours never repeats one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

WEEKLY, CRON, ONCE = "weekly", "cron", "once"
KINDS = (WEEKLY, CRON, ONCE)
DEFAULT_ZONE = "Europe/Helsinki"
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead a search for the next slot may look (a cron that names 31 February).
_HORIZON = dt.timedelta(days=366 * 5)


class ScheduleError(ValueError):
    """A schedule that cannot be: the message says what is wrong, for the person who made it."""


def parse_time(text: str, what: str = "a time") -> dt.time:
    match = _HHMM.match(text)
    if match is None:
        raise ScheduleError(f"{what} must look like HH:MM (00:00 to 23:59), not {text!r}")
    return dt.time(int(match[1]), int(match[2]))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r} (e.g. Europe/Helsinki)") from None


def _standard_cron(expression: str) -> str:
    """A standard crontab's day of week (0 and 7 Sunday) in the day names APScheduler reads
    the same way (its numbers start from Monday)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError("a cron expression has five fields: minute hour day month weekday")
    fields[4] = re.sub(r"[0-7]", lambda m: _DAY_NAMES[int(m[0])], fields[4])
    return " ".join(fields)


def cron_trigger(expression: str, tz: ZoneInfo) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(_standard_cron(expression), timezone=tz)
    except ScheduleError:
        raise
    except (ValueError, KeyError, TypeError) as error:
        raise ScheduleError(f"invalid cron expression {expression!r}: {error}") from None


def wall_clock(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time on a day in a zone (see the module's note)."""
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Recurrence:
    kind: str
    tz: ZoneInfo
    starts_on: dt.date
    ends_on: dt.date | None = None
    every_weeks: int = 1
    weekday: int = 0  # Monday 0
    at: dt.time = dt.time(15, 0)
    cron: str | None = None
    once_at: dt.datetime | None = None
    quiet: tuple[dt.time, dt.time] | None = (dt.time(21, 0), dt.time(8, 0))

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScheduleError(f"the recurrence is one of {', '.join(KINDS)}")
        if self.kind == WEEKLY and not (1 <= self.every_weeks <= 52 and 0 <= self.weekday <= 6):
            raise ScheduleError("every 1 to 52 weeks, on a weekday 0 (Monday) to 6 (Sunday)")
        if self.kind == CRON:
            cron_trigger(self.cron or "", self.tz)
        if self.kind == ONCE and (self.once_at is None or self.once_at.tzinfo is None):
            raise ScheduleError("a one-off prompt needs its time, with a UTC offset")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ScheduleError("the end date is before the start date")

    def _first(self) -> dt.datetime:
        return wall_clock(self.starts_on, dt.time(0, 0), self.tz)

    def _last(self) -> dt.datetime | None:
        if self.ends_on is None:
            return None
        return wall_clock(self.ends_on + dt.timedelta(days=1), dt.time(0, 0), self.tz)

    def slots_after(self, after: dt.datetime) -> Iterator[dt.datetime]:
        """The slots later than `after`, in order, within the start and end dates."""
        after = max(after, self._first() - dt.timedelta(microseconds=1))
        last = self._last()
        for slot in self._raw_after(after):
            if last is not None and slot >= last:
                return
            yield slot

    def _raw_after(self, after: dt.datetime) -> Iterator[dt.datetime]:
        if self.kind == ONCE:
            assert self.once_at is not None
            if self.once_at > after:
                yield self.once_at.astimezone(dt.UTC)
            return
        if self.kind == CRON:
            trigger = cron_trigger(self.cron or "", self.tz)
            now = after + dt.timedelta(seconds=1)
            limit = after + _HORIZON
            while True:
                fire = trigger.get_next_fire_time(None, now.replace(microsecond=0))
                if fire is None or fire > limit:
                    return
                yield fire.astimezone(dt.UTC)
                now = fire.astimezone(dt.UTC) + dt.timedelta(seconds=1)
        period = 7 * self.every_weeks
        monday = self.starts_on - dt.timedelta(days=self.starts_on.weekday())
        first_day = monday + dt.timedelta(days=self.weekday)
        if first_day < self.starts_on:
            first_day += dt.timedelta(days=period)
        local_day = after.astimezone(self.tz).date()
        k = max(0, (local_day - first_day).days // period - 1)
        for n in itertools.count(k):
            slot = wall_clock(first_day + dt.timedelta(days=n * period), self.at, self.tz)
            if slot > after:
                yield slot

    def send_time(self, slot: dt.datetime) -> dt.datetime:
        """When a slot goes out: at once, or where it falls in the quiet hours, when they end."""
        if self.quiet is None or self.quiet[0] == self.quiet[1]:
            return slot
        start, end = self.quiet
        local = slot.astimezone(self.tz)
        time, day = local.time().replace(tzinfo=None), local.date()
        if start > end:  # over midnight, e.g. 21:00-08:00
            if time >= start:
                return max(slot, wall_clock(day + dt.timedelta(days=1), end, self.tz))
            if time < end:
                return max(slot, wall_clock(day, end, self.tz))
            return slot
        if start <= time < end:
            return max(slot, wall_clock(day, end, self.tz))
        return slot

    def upcoming(self, after: dt.datetime, count: int) -> list[tuple[dt.datetime, dt.datetime]]:
        """The next `count` (slot, send time) pairs whose send time is later than `after`."""
        found: list[tuple[dt.datetime, dt.datetime]] = []
        horizon = after - dt.timedelta(days=2)  # a slot in quiet hours may still be ahead
        for slot in self.slots_after(horizon):
            send = self.send_time(slot)
            if send > after:
                found.append((slot, send))
            if len(found) >= count or slot > after + _HORIZON:
                break
        return found
