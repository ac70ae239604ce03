from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.scoring import GAS_RHO, gas_t_score, gas_weight, nps, wellbeing_index


def test_gas_three_goals_at_plus_one_is_63_7() -> None:
    # 50 + 10·3 / √(0.7·3 + 0.3·9) = 50 + 30 / √4.8 = 63.69
    score = gas_t_score([1, 1, 1])
    assert score is not None
    assert round(score, 1) == 63.7


def test_gas_all_expected_is_50() -> None:
    assert gas_t_score([0, 0, 0, 0]) == 50


def test_gas_one_goal_much_worse() -> None:
    # 50 + 10·(-2) / √(0.7 + 0.3) = 30
    assert gas_t_score([-2]) == pytest.approx(30.0)


def test_gas_weights() -> None:
    # Σwx = 2·2 + 1·(-1) = 3; Σw² = 5; (Σw)² = 9 -> 50 + 30/√(3.5 + 2.7)
    score = gas_t_score([2, -1], [2, 1])
    assert score == pytest.approx(50 + 30 / math.sqrt(6.2))


def test_gas_refuses_bad_input() -> None:
    assert gas_t_score([]) is None
    with pytest.raises(ValueError, match=r"-2\.\.\+2"):
        gas_t_score([3])
    with pytest.raises(ValueError, match="one weight per goal"):
        gas_t_score([1, 1], [1])
    with pytest.raises(ValueError, match="positive"):
        gas_t_score([1], [0])


@given(st.lists(st.integers(-2, 2), min_size=1, max_size=12))
def test_gas_is_symmetric_and_bounded(levels: list[int]) -> None:
    score = gas_t_score(levels)
    mirrored = gas_t_score([-x for x in levels])
    assert score is not None
    assert mirrored is not None
    assert score - 50 == pytest.approx(50 - mirrored)
    assert 0 < score < 100


def test_nps_hand_worked() -> None:
    # 5 promoters, 3 passives, 2 detractors of 10: NPS = 50 - 20 = 30.
    result = nps([10, 9, 9, 10, 9, 8, 7, 7, 3, 6])
    assert result is not None
    assert (result.promoters, result.passives, result.detractors, result.n) == (5, 3, 2, 10)
    assert result.score == pytest.approx(30.0)
    # variance = 0.5 + 0.2 - 0.3² = 0.61; margin = 1.96·√(0.061) = 0.4841
    assert result.low == pytest.approx(30 - 48.41, abs=0.01)
    assert result.high == pytest.approx(30 + 48.41, abs=0.01)


def test_nps_all_promoters_has_no_spread() -> None:
    result = nps([9, 10, 10])
    assert result is not None
    assert (result.score, result.low, result.high) == (100.0, 100.0, 100.0)


def test_nps_edges() -> None:
    assert nps([]) is None
    with pytest.raises(ValueError, match="0-10"):
        nps([11])


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_interval_holds_the_score(ratings: list[int]) -> None:
    result = nps(ratings)
    assert result is not None
    assert -100 <= result.low <= result.score <= result.high <= 100


def test_wellbeing_index_is_the_mean_of_answered() -> None:
    assert wellbeing_index([4, None, 2, 3]) == 3
    assert wellbeing_index([None, None]) is None
    with pytest.raises(ValueError, match="1-5"):
        wellbeing_index([6])


POSITIVE_FINITE = st.floats(
    min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=False, allow_subnormal=True
)
LEVEL = st.floats(min_value=-2, max_value=2, allow_nan=False)
# |T - 50| <= 10 * 2 * Σw / sqrt(rho * (Σw)²) = 20 / sqrt(rho)
FARTHEST = 20 / math.sqrt(GAS_RHO)


@given(st.lists(st.tuples(LEVEL, POSITIVE_FINITE), min_size=1, max_size=12))
def test_gas_is_finite_and_bounded_for_any_positive_finite_weights(
    goals: list[tuple[float, float]],
) -> None:
    levels = [level for level, _ in goals]
    weights = [weight for _, weight in goals]
    score = gas_t_score(levels, weights)
    assert score is not None
    assert math.isfinite(score)
    assert 50 - FARTHEST - 1e-9 <= score <= 50 + FARTHEST + 1e-9
    if all(level == 0 for level in levels):
        assert score == 50
    if all(level == levels[0] for level in levels) and levels[0] >= 0.01:
        assert score > 50


@given(st.lists(st.tuples(LEVEL, st.floats(min_value=0.1, max_value=100)), min_size=1, max_size=12))
def test_gas_agrees_with_the_formula_where_it_can_be_computed_directly(
    goals: list[tuple[float, float]],
) -> None:
    weights = [weight for _, weight in goals]
    weighted = sum(weight * level for level, weight in goals)
    direct = 50 + 10 * weighted / math.sqrt(
        (1 - GAS_RHO) * sum(w * w for w in weights) + GAS_RHO * sum(weights) ** 2
    )
    assert gas_t_score([level for level, _ in goals], weights) == pytest.approx(direct)


def test_gas_with_the_weights_that_broke_a_timeline() -> None:
    # 5e-324 squared is 0 and 1.7e308 squared overflows: the score is still the weighted one.
    assert gas_t_score([2], [5e-324]) == pytest.approx(50 + 20 / math.sqrt(1))
    assert gas_t_score([1, -1], [5e-324, 5e-324]) == pytest.approx(50)
    assert gas_t_score([2, 2], [1.7e308, 1.7e308]) == pytest.approx(gas_t_score([2, 2]))
    with pytest.raises(ValueError, match="positive finite"):
        gas_t_score([1], [math.inf])


@given(st.floats())
def test_a_stored_weight_is_always_usable(stored: float) -> None:
    weight = gas_weight(stored)
    assert math.isfinite(weight)
    assert weight > 0
    assert gas_t_score([1], [weight]) is not None
