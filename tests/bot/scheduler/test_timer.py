"""APScheduler as the timer, on the real clock: a schedule's timer fires at its send time
(long before the next sync); a schedule made after the start is timed once the scheduler is
told of the change; a new scheduler (a restart) rebuilds its timers from the rows and sends
a slot it missed within the grace time."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable

from bot.i18n import Translations
from bot.scheduler import CheckinScheduler, SchedulerSettings
from storage import tables
from storage.db import Database
from tests.bot.helpers import rows
from tests.bot.scheduler.conftest import World, add_schedule
from tests.support.clock import Clock


async def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False


def one_off(database: Database, world: World, at: dt.datetime) -> int:
    clock = Clock()
    clock.now = tables.utc_now()
    return add_schedule(
        database,
        clock,
        world.unit_id,
        kind="once",
        once_at=at,
        quiet_start=None,
        quiet_end=None,
        armed_from=min(clock.now, at),
        starts_on=clock.now.date() - dt.timedelta(days=1),
    )


def runs_of(database: Database, schedule_id: int) -> list[tables.ScheduleRun]:
    return [run for run in rows(database, tables.ScheduleRun) if run.schedule_id == schedule_id]


async def test_timers_fire_follow_changes_and_are_rebuilt_after_a_restart(
    database: Database, translations: Translations, world: World
) -> None:
    hourly = SchedulerSettings(sync_every=3600.0)  # only the timers can send in this test

    def make() -> CheckinScheduler:
        return CheckinScheduler(database=database, translations=translations, settings=hourly)

    first_id = one_off(database, world, tables.utc_now() + dt.timedelta(seconds=1.5))
    scheduler = make()
    await scheduler.start()
    try:
        await asyncio.sleep(0.5)
        assert runs_of(database, first_id) == []  # armed, not yet due
        assert await wait_for(lambda: len(runs_of(database, first_id)) == 1, 10)
        later_id = one_off(database, world, tables.utc_now() + dt.timedelta(seconds=1))
        scheduler.changed()
        assert await wait_for(lambda: len(runs_of(database, later_id)) == 1, 10)
    finally:
        scheduler.stop()
    missed_id = one_off(database, world, tables.utc_now() - dt.timedelta(minutes=5))
    restarted = make()
    await restarted.start()
    try:
        assert await wait_for(lambda: len(runs_of(database, missed_id)) == 1, 10)
    finally:
        restarted.stop()
    counts = [run.contacts for run in rows(database, tables.ScheduleRun)]
    assert counts == [5, 5, 5]  # the unit's five youths, each slot once
