"""Recurrence, time zone and quiet hours (bot.schedule_times): properties over many dates."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule_times import CRON, ONCE, WEEKLY, Recurrence, ScheduleError, cron_trigger

HELSINKI = ZoneInfo("Europe/Helsinki")
QUIET = (dt.time(21, 0), dt.time(8, 0))
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2032, 12, 31))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def weekly(**kwargs: object) -> Recurrence:
    values: dict[str, object] = {
        "kind": WEEKLY,
        "tz": HELSINKI,
        "starts_on": dt.date(2026, 1, 1),
        "quiet": None,
    }
    values.update(kwargs)
    return Recurrence(**values)  # type: ignore[arg-type]


def test_a_weekly_15_00_in_helsinki_stays_at_15_00_across_both_transitions() -> None:
    recurrence = weekly(weekday=6, at=dt.time(15, 0))  # Sundays: both 2026 transitions
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    slots = list(itertools.islice(recurrence.slots_after(start), 40))
    locals_ = [slot.astimezone(HELSINKI) for slot in slots]
    assert {(t.hour, t.minute, t.weekday()) for t in locals_} == {(15, 0, 6)}
    # The UTC time moves with daylight saving: 13:00 in winter, 12:00 in summer.
    assert slots[0] == dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.UTC)
    spring = dt.datetime(2026, 3, 29, 12, 0, tzinfo=dt.UTC)  # the day summer time begins
    autumn = dt.datetime(2026, 10, 25, 13, 0, tzinfo=dt.UTC)  # the day it ends
    assert spring in slots
    assert autumn in slots


@settings(max_examples=150, deadline=None)
@given(
    start=days,
    weekday=st.integers(0, 6),
    at=times,
    every=st.integers(1, 4),
    after=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2033, 1, 1)),
)
def test_weekly_slots_keep_their_wall_clock_time_and_their_rhythm(
    start: dt.date, weekday: int, at: dt.time, every: int, after: dt.datetime
) -> None:
    recurrence = weekly(starts_on=start, weekday=weekday, at=at, every_weeks=every)
    after_utc = after.replace(tzinfo=dt.UTC)
    slots = list(itertools.islice(recurrence.slots_after(after_utc), 8))
    assert slots == sorted(slots)
    assert all(slot > after_utc for slot in slots)
    local_days = [slot.astimezone(HELSINKI).date() for slot in slots]
    assert all(day >= start and day.weekday() == weekday for day in local_days)
    assert all((b - a).days == 7 * every for a, b in itertools.pairwise(local_days))
    for slot in slots:
        local = slot.astimezone(HELSINKI)
        if (local.hour, local.minute) != (at.hour, at.minute):
            # only a time that the spring transition skips: it comes an hour later
            assert local.month == 3
            assert (local.hour - at.hour) % 24 == 1
    # No slot between `after` and the first found is missed.
    if slots:
        earlier = slots[0] - dt.timedelta(days=7 * every)
        assert earlier <= after_utc or earlier.astimezone(HELSINKI).date() < start


@settings(max_examples=200, deadline=None)
@given(
    slot=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2032, 1, 1)),
    quiet_start=st.integers(0, 23),
    quiet_end=st.integers(0, 23),
)
def test_a_slot_in_quiet_hours_waits_until_they_end(
    slot: dt.datetime, quiet_start: int, quiet_end: int
) -> None:
    start, end = dt.time(quiet_start), dt.time(quiet_end)
    recurrence = weekly(quiet=(start, end))
    instant = slot.replace(tzinfo=dt.UTC)
    send = recurrence.send_time(instant)

    def quiet(moment: dt.datetime) -> bool:
        t = moment.astimezone(HELSINKI).time()
        if start == end:
            return False
        return (t >= start or t < end) if start > end else start <= t < end

    assert send >= instant
    assert send - instant <= dt.timedelta(hours=25)
    if not quiet(instant):
        assert send == instant
    else:
        assert not quiet(send)
        local = send.astimezone(HELSINKI)
        assert (local.hour, local.minute) == (quiet_end, 0) or local.month in (3, 10)


def test_the_default_quiet_hours_move_an_evening_slot_to_eight_the_next_morning() -> None:
    recurrence = weekly(quiet=QUIET, weekday=2, at=dt.time(22, 30))
    slot = next(recurrence.slots_after(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    send = recurrence.send_time(slot)
    assert slot.astimezone(HELSINKI).time() == dt.time(22, 30)
    assert send.astimezone(HELSINKI) == dt.datetime(2026, 6, 4, 8, 0, tzinfo=HELSINKI)
    assert recurrence.upcoming(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), 5)[0] == (slot, send)


def test_cron_reads_sunday_as_zero_and_follows_the_wall_clock() -> None:
    recurrence = Recurrence(
        kind=CRON, tz=HELSINKI, starts_on=dt.date(2026, 3, 1), cron="0 15 * * 0", quiet=None
    )
    slots = list(
        itertools.islice(recurrence.slots_after(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)), 40)
    )
    assert {(s.astimezone(HELSINKI).hour, s.astimezone(HELSINKI).weekday()) for s in slots} == {
        (15, 6)
    }
    assert len({s.astimezone(dt.UTC).hour for s in slots}) == 2  # winter and summer


def test_start_and_end_dates_bound_the_slots_and_a_one_off_is_one_slot() -> None:
    recurrence = weekly(starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 31), weekday=0)
    slots = list(recurrence.slots_after(dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
    assert [s.astimezone(HELSINKI).day for s in slots] == [4, 11, 18, 25]
    once = Recurrence(
        kind=ONCE,
        tz=HELSINKI,
        starts_on=dt.date(2026, 1, 1),
        once_at=dt.datetime(2026, 5, 5, 9, 0, tzinfo=dt.UTC),
    )
    assert list(once.slots_after(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))) == [once.once_at]
    assert list(once.slots_after(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))) == []


@pytest.mark.parametrize(
    "expression", ["", "61 * * * *", "* * * *", "0 15 * * 9", "a b c d e", "0 25 * * *"]
)
def test_an_invalid_cron_is_a_schedule_error(expression: str) -> None:
    with pytest.raises(ScheduleError):
        cron_trigger(expression, HELSINKI)


@given(st.text(max_size=40))
@settings(max_examples=100, deadline=None)
def test_any_text_as_cron_is_accepted_or_a_schedule_error(expression: str) -> None:
    try:
        cron_trigger(expression, HELSINKI)
    except ScheduleError as error:  # any other exception fails the test
        outcome = str(error)
    else:
        outcome = "accepted"
    assert outcome
