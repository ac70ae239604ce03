"""The figures of reports, and the small-cell protection that decides what may be shown.

Pure: periods in Finnish local time, means with their intervals, the change against the
previous period, NPS from its counts, GAS T from its sums, and the suppression of small
groups (P5). The sums come from SQL (storage/repositories/reports.py); this module only
turns a handful of sums into figures.

Small cells, as decided for Kerro:

- A group (a unit's measure in a period, the organisation's total, a client's period) is
  shown only when it has at least MIN_GROUP respondents. A respondent is a client, counted
  once; an anonymous response has no client, and nothing may tell two anonymous responses of
  one person apart, so each anonymous response counts as one respondent. Anonymous groups
  may therefore hold fewer people than they count.
- Complementary cells: when groups are shown beside a total that they add up to (units
  beside the organisation), a suppressed group could be worked out as the total minus the
  others. So the smallest other groups are suppressed too, until at least two groups are
  suppressed and together they hold at least MIN_GROUP respondents; when that cannot be
  done, the total is suppressed as well.
- Distributions are shown only for a group that is shown, and then in full, small
  categories too: with the group's mean and count shown, any two hidden categories could be
  solved back from them (two equations, two unknowns), so hiding them would only pretend.
  A category of a shown group says how many answered so, never who.
- The change against the previous period needs both periods shown.
- A response rate (scheduled check-ins completed of those prompted) is a group of the
  clients prompted, withheld by the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from dialogs.scoring import GAS_RHO, Z95, Nps

MIN_GROUP = 5
TIME_ZONE = ZoneInfo("Europe/Helsinki")
PeriodKind = Literal["week", "month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month", "quarter", "year")

FEWER_THAN_MIN = "fewer than 5 respondents"
COMPLEMENTARY = "could be worked out from the total and the groups shown"
PREVIOUS_SUPPRESSED = "the previous period has fewer than 5 respondents"


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period in Finnish local time: [first, after) as dates, and as UTC times."""

    kind: PeriodKind
    first: dt.date
    after: dt.date

    @property
    def start(self) -> dt.datetime:
        return _utc_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        return _utc_midnight(self.after)

    @property
    def label(self) -> str:
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    def previous(self) -> Period:
        return period_of(self.kind, self.first - dt.timedelta(days=1))

    def following(self) -> Period:
        return period_of(self.kind, self.after)


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=TIME_ZONE).astimezone(dt.UTC)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(kind: PeriodKind, day: dt.date) -> Period:
    """The period of this kind that holds the day (weeks start on Monday, ISO 8601)."""
    if kind == "week":
        first = day - dt.timedelta(days=day.weekday())
        return Period(kind, first, first + dt.timedelta(days=7))
    if kind == "month":
        first = day.replace(day=1)
        return Period(kind, first, _add_months(first, 1))
    if kind == "quarter":
        first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, first, _add_months(first, 3))
    first = dt.date(day.year, 1, 1)
    return Period(kind, first, dt.date(day.year + 1, 1, 1))


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TIME_ZONE).date()


def periods_between(kind: PeriodKind, first: dt.date, last: dt.date) -> list[Period]:
    """The periods from the one holding `first` to the one holding `last`, in order."""
    found = [period_of(kind, first)]
    while found[-1].after <= last:
        found.append(found[-1].following())
    return found


# Figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moments:
    """The sums a mean and its spread come from: n, Σx and Σx²."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float | None:
        return None if self.n == 0 else self.total / self.n

    @property
    def variance(self) -> float | None:
        """The sample variance (n - 1); None below two values."""
        if self.n < 2:
            return None
        return max(self.squares - self.total * self.total / self.n, 0.0) / (self.n - 1)

    def plus(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares)


@dataclass(frozen=True, slots=True)
class Interval:
    value: float
    low: float
    high: float


def mean_interval(moments: Moments) -> Interval | None:
    """The mean with a 95% interval (normal approximation); None below two values."""
    mean, variance = moments.mean, moments.variance
    if mean is None or variance is None:
        return None
    margin = Z95 * math.sqrt(variance / moments.n)
    return Interval(mean, mean - margin, mean + margin)


def change(current: Moments, previous: Moments) -> Interval | None:
    """The difference of the means (current minus previous) with a 95% interval.

    Welch's standard error with the normal quantile, the periods taken as independent
    samples: the same clients answer in both, which makes the interval somewhat wider than
    it need be (conservative). None when either period has fewer than two values.
    """
    now, before = current.mean, previous.mean
    var_now, var_before = current.variance, previous.variance
    if now is None or before is None or var_now is None or var_before is None:
        return None
    margin = Z95 * math.sqrt(var_now / current.n + var_before / previous.n)
    difference = now - before
    return Interval(difference, difference - margin, difference + margin)


def nps_of_counts(*, promoters: int, passives: int, detractors: int) -> Nps | None:
    """NPS from its three counts, as `dialogs.scoring.nps` computes it from the ratings:
    the mean of +1/0/-1 times 100, with the variance-based 95% interval, clamped."""
    n = promoters + passives + detractors
    if n == 0:
        return None
    share_promoters, share_detractors = promoters / n, detractors / n
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


def gas_t_of_sums(
    *, weighted: float, weight_squares: float, weights: float, rho: float = GAS_RHO
) -> float | None:
    """GAS T from Σwᵢxᵢ, Σwᵢ² and Σwᵢ (Kiresuk & Sherman), as `dialogs.scoring.gas_t_score`."""
    denominator = math.sqrt((1 - rho) * weight_squares + rho * weights * weights)
    if denominator == 0:
        return None
    return 50 + 10 * weighted / denominator


# Small cells ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suppression:
    """What is withheld, by key, with why; `total` when the total is withheld too."""

    cells: dict[str, str]
    total: str | None = None

    def reason(self, key: str) -> str | None:
        return self.cells.get(key)


def small(respondents: int) -> bool:
    """Too few to show: 1 to 4 respondents (a group of none shows nothing, and hides none)."""
    return 0 < respondents < MIN_GROUP


def suppress(groups: Mapping[str, int], *, with_total: bool, unseen: int = 0) -> Suppression:
    """Which groups (key -> respondents) to withhold, shown side by side and perhaps beside
    their total. `unseen`: respondents in the total that belong to no group shown (units the
    reader does not see); the total minus the groups shown tells their sum, so they count
    as a hidden group. See the module's docstring for the rules."""
    cells = {key: FEWER_THAN_MIN for key, count in groups.items() if small(count)}
    if not with_total:
        return Suppression(cells)
    if small(sum(groups.values()) + unseen):
        return Suppression(cells, total=FEWER_THAN_MIN)
    hidden = sum(groups[key] for key in cells) + unseen
    hidden_groups = len(cells) + (1 if unseen > 0 else 0)
    others = sorted((count, key) for key, count in groups.items() if key not in cells and count > 0)

    def exposed() -> bool:
        return hidden_groups > 0 and (small(hidden) or (bool(cells) and hidden_groups < 2))

    while exposed() and others:
        count, key = others.pop(0)
        cells[key] = COMPLEMENTARY
        hidden += count
        hidden_groups += 1
    if exposed():
        return Suppression(cells, total=COMPLEMENTARY)
    return Suppression(cells)
