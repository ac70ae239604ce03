"""Scores over stored answers: the wellbeing index, NPS with its confidence interval, GAS T."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WELLBEING_DIMENSIONS = ("joy", "belonging", "coping", "physical")
GAS_RHO = 0.3
Z95 = 1.959963984540054


def wellbeing_index(scores: Iterable[float | None]) -> float | None:
    """The mean of the answered dimensions (1-5); None when none was answered."""
    answered = [score for score in scores if score is not None]
    if not answered:
        return None
    for score in answered:
        if not 1 <= score <= 5:
            raise ValueError(f"a wellbeing score is 1-5, got {score}")
    return sum(answered) / len(answered)


@dataclass(frozen=True, slots=True)
class Nps:
    score: float
    low: float
    high: float
    n: int
    promoters: int
    passives: int
    detractors: int


def nps(ratings: Iterable[float]) -> Nps | None:
    """Net promoter score (-100..+100) with a 95% confidence interval; None without ratings.

    The interval is the normal approximation for the mean of +1 (promoter, 9-10),
    0 (passive, 7-8) and -1 (detractor, 0-6), clamped to the scale.
    """
    promoters = passives = detractors = 0
    for rating in ratings:
        if not 0 <= rating <= 10:
            raise ValueError(f"an NPS rating is 0-10, got {rating}")
        if rating >= 9:
            promoters += 1
        elif rating >= 7:
            passives += 1
        else:
            detractors += 1
    n = promoters + passives + detractors
    if n == 0:
        return None
    share_promoters = promoters / n
    share_detractors = detractors / n
    mean = share_promoters - share_detractors
    variance = share_promoters + share_detractors - mean * mean
    margin = Z95 * math.sqrt(max(variance, 0.0) / n)
    return Nps(
        score=100 * mean,
        low=max(-100.0, 100 * (mean - margin)),
        high=min(100.0, 100 * (mean + margin)),
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


GAS_WEIGHT_MIN = 0.1  # the range a goal's weight is given in (the staff API checks it)
GAS_WEIGHT_MAX = 100.0


def gas_weight(stored: float) -> float:
    """A stored goal weight as the score uses it: one that is not a positive finite number
    (written before the range was checked, or by hand) counts as 1."""
    return stored if math.isfinite(stored) and stored > 0 else 1.0


def gas_t_score(
    levels: Sequence[float], weights: Sequence[float] | None = None, *, rho: float = GAS_RHO
) -> float | None:
    """Kiresuk & Sherman's GAS T-score over goals rated -2..+2; None without goals.

    T = 50 + 10·Σ(wᵢxᵢ) / √((1-ρ)·Σwᵢ² + ρ·(Σwᵢ)²)

    The score does not change when every weight is multiplied by the same number, so the
    weights are divided by the largest first: the sums neither overflow nor vanish, and any
    positive finite weights give a finite score (5e-324 and 1e308 beside each other too).
    """
    if not levels:
        return None
    weights = [1.0] * len(levels) if weights is None else list(weights)
    if len(weights) != len(levels):
        raise ValueError("give one weight per goal")
    for level in levels:
        if not -2 <= level <= 2:
            raise ValueError(f"a GAS level is -2..+2, got {level}")
    if not all(math.isfinite(weight) and weight > 0 for weight in weights):
        raise ValueError("GAS weights must be positive finite numbers")
    largest = max(weights)
    scaled = [weight / largest for weight in weights]  # in (0, 1], the largest exactly 1
    weighted = math.fsum(w * x for w, x in zip(scaled, levels, strict=True))
    denominator = math.sqrt(
        (1 - rho) * math.fsum(w * w for w in scaled) + rho * math.fsum(scaled) ** 2
    )
    return 50 + 10 * weighted / denominator
