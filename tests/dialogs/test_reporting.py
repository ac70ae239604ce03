"""The figures of reports and the small-cell rules, by hand."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given
from hypothesis import strategies as st

from dialogs.reporting import (
    COMPLEMENTARY,
    FEWER_THAN_MIN,
    Moments,
    change,
    gas_t_of_sums,
    mean_interval,
    nps_of_counts,
    period_of,
    periods_between,
    suppress,
)
from dialogs.scoring import gas_t_score, nps


def _moments(values: list[float]) -> Moments:
    return Moments(len(values), sum(values), sum(v * v for v in values))


def test_periods_in_finnish_time() -> None:
    month = period_of("month", dt.date(2025, 10, 15))
    assert (month.first, month.after, month.label) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
        "2025-10",
    )
    # Summer time (UTC+3) until 26 October 2025, then UTC+2.
    assert month.start == dt.datetime(2025, 9, 30, 21, 0, tzinfo=dt.UTC)
    assert month.end == dt.datetime(2025, 10, 31, 22, 0, tzinfo=dt.UTC)
    assert month.previous().label == "2025-09"
    week = period_of("week", dt.date(2026, 1, 1))
    assert (week.first, week.label) == (dt.date(2025, 12, 29), "2026-W01")
    quarter = period_of("quarter", dt.date(2025, 12, 31))
    assert (quarter.first, quarter.after, quarter.label) == (
        dt.date(2025, 10, 1),
        dt.date(2026, 1, 1),
        "2025-Q4",
    )
    assert quarter.previous().label == "2025-Q3"
    year = period_of("year", dt.date(2024, 2, 29))
    assert (year.label, year.previous().label) == ("2024", "2023")
    assert [
        p.label for p in periods_between("month", dt.date(2025, 11, 5), dt.date(2026, 2, 1))
    ] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_mean_and_change_by_hand() -> None:
    now = _moments([1, 2, 3, 4, 5])
    before = _moments([2, 2, 2, 2, 3])
    assert now.mean == 3
    assert now.variance == 2.5
    assert before.variance is not None
    assert math.isclose(before.variance, 0.2)
    interval = mean_interval(now)
    assert interval is not None
    assert (round(interval.low, 3), round(interval.high, 3)) == (1.614, 4.386)
    difference = change(now, before)
    assert difference is not None
    assert math.isclose(difference.value, 0.8)
    assert (round(difference.low, 3), round(difference.high, 3)) == (-0.64, 2.24)
    assert mean_interval(_moments([4])) is None
    assert change(now, _moments([])) is None


def test_nps_by_hand() -> None:
    found = nps_of_counts(promoters=2, passives=1, detractors=2)
    assert found is not None
    assert found.score == 0
    assert (round(found.low, 3), round(found.high, 3)) == (-78.399, 78.399)
    all_promoters = nps_of_counts(promoters=4, passives=0, detractors=0)
    assert all_promoters is not None
    assert (all_promoters.score, all_promoters.low, all_promoters.high) == (100, 100, 100)
    assert nps_of_counts(promoters=0, passives=0, detractors=0) is None


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60))
def test_nps_of_counts_is_the_scoring_nps(ratings: list[int]) -> None:
    expected = nps(ratings)
    found = nps_of_counts(
        promoters=sum(r >= 9 for r in ratings),
        passives=sum(7 <= r <= 8 for r in ratings),
        detractors=sum(r <= 6 for r in ratings),
    )
    assert expected is not None
    assert found is not None
    assert math.isclose(found.score, expected.score, abs_tol=1e-9)
    assert math.isclose(found.low, expected.low, abs_tol=1e-9)
    assert math.isclose(found.high, expected.high, abs_tol=1e-9)


@given(
    st.lists(
        st.tuples(st.integers(min_value=-2, max_value=2), st.floats(min_value=0.1, max_value=100)),
        min_size=1,
        max_size=8,
    )
)
def test_gas_t_of_sums_is_the_scoring_t(goals: list[tuple[int, float]]) -> None:
    levels = [float(level) for level, _ in goals]
    weights = [weight for _, weight in goals]
    expected = gas_t_score(levels, weights)
    found = gas_t_of_sums(
        weighted=sum(w * x for x, w in goals),
        weight_squares=sum(w * w for w in weights),
        weights=sum(weights),
    )
    assert expected is not None
    assert found is not None
    assert math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-9)


def test_small_groups_alone() -> None:
    decided = suppress({"a": 4, "b": 5, "c": 0}, with_total=False)
    assert decided.cells == {"a": FEWER_THAN_MIN}
    assert decided.total is None


def test_complementary_cell_beside_a_total() -> None:
    decided = suppress({"a": 2, "b": 9, "c": 6, "d": 0}, with_total=True)
    assert decided.cells == {"a": FEWER_THAN_MIN, "c": COMPLEMENTARY}
    assert decided.total is None


def test_two_small_cells_that_together_are_still_small() -> None:
    # a + b = 3 could be told from the total: the next smallest (c) goes too.
    decided = suppress({"a": 1, "b": 2, "c": 7, "d": 8}, with_total=True)
    assert decided.cells == {"a": FEWER_THAN_MIN, "b": FEWER_THAN_MIN, "c": COMPLEMENTARY}


def test_total_withheld_when_nothing_else_hides_the_cell() -> None:
    decided = suppress({"a": 3}, with_total=True)
    assert decided.total == FEWER_THAN_MIN
    decided = suppress({"a": 3, "b": 0}, with_total=True, unseen=0)
    assert decided.total == FEWER_THAN_MIN
    decided = suppress({"a": 2, "b": 6}, with_total=True)
    assert decided.cells == {"a": FEWER_THAN_MIN, "b": COMPLEMENTARY}
    assert decided.total is None


def test_units_the_reader_does_not_see() -> None:
    # The unseen 3 respondents would be the total minus a: a is hidden too.
    decided = suppress({"a": 8}, with_total=True, unseen=3)
    assert decided.cells == {"a": COMPLEMENTARY}
    # 7 unseen respondents together are no small group: nothing to hide.
    assert suppress({"a": 8}, with_total=True, unseen=7).cells == {}
    # A small unit is hidden in the unseen ones (2 + 7), nothing more.
    assert suppress({"a": 2, "b": 9}, with_total=True, unseen=7).cells == {"a": FEWER_THAN_MIN}


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(min_value=0, max_value=30)),
    st.integers(min_value=0, max_value=12),
)
def test_no_small_group_can_be_told_from_the_total(groups: dict[str, int], unseen: int) -> None:
    decided = suppress(groups, with_total=True, unseen=unseen)
    hidden_keys = [key for key in groups if key in decided.cells]
    for key in groups:
        if 0 < groups[key] < 5:
            assert key in decided.cells
    if decided.total is None:
        hidden = sum(groups[key] for key in hidden_keys) + unseen
        assert hidden == 0 or hidden >= 5
        if any(decided.cells[key] == FEWER_THAN_MIN for key in hidden_keys):
            assert len(hidden_keys) + (unseen > 0) >= 2
