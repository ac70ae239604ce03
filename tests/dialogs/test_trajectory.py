"""The trajectory signal on hand-made courses of a wellbeing index (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialogs.trajectory import Course, Watch, course

WATCH = Watch()  # three falls in a row, or a drop of more than 1.0


def test_three_falls_in_a_row_raise_the_course() -> None:
    found = course([4.0, 3.5, 3.25, 2.75], WATCH)
    assert found == Course("falling", (4.0, 3.5, 3.25, 2.75))
    assert found.reason == "falling 4 3.5 3.25 2.75"


def test_two_falls_are_not_yet_a_course_but_the_unit_may_say_so() -> None:
    assert course([4.0, 3.5, 3.0], WATCH) is None
    assert course([4.0, 3.5, 3.0], Watch(falls=2)) == Course("falling", (4.0, 3.5, 3.0))


def test_a_fall_broken_by_a_rise_starts_again() -> None:
    assert course([4.0, 3.5, 3.75, 3.25, 3.0], WATCH) is None
    assert course([4.0, 3.5, 3.5, 3.25, 3.0], WATCH) is None  # level is not a fall


def test_one_big_drop_raises_the_course() -> None:
    found = course([3.0, 4.0, 2.75], WATCH)
    assert found == Course("drop", (4.0, 2.75))
    assert found.reason == "drop 4 2.75"
    assert course([4.0, 3.0], WATCH) is None  # exactly the limit is not more than it
    assert course([4.0, 3.0], Watch(drop=0.5)) == Course("drop", (4.0, 3.0))


def test_a_rise_a_single_check_in_or_a_unit_that_does_not_watch_raise_nothing() -> None:
    assert course([2.0, 3.0, 4.0, 5.0], WATCH) is None
    assert course([2.0], WATCH) is None
    assert course([], WATCH) is None
    assert course([5.0, 4.0, 3.0, 2.0, 1.0], Watch(enabled=False)) is None


@given(st.lists(st.floats(min_value=1, max_value=5), min_size=1, max_size=12))
def test_a_course_that_never_falls_never_raises(values: list[float]) -> None:
    assert course(sorted(values), WATCH) is None


@given(st.lists(st.floats(min_value=1, max_value=5), min_size=2, max_size=12))
def test_a_raised_course_always_ends_lower_than_it_began(values: list[float]) -> None:
    found = course(values, WATCH)
    if found is not None:
        assert found.indices[-1] < found.indices[0]
        assert found.indices[-1] == values[-1]
