"""The trajectory signal: a wellbeing index that keeps falling, or drops at once.

Outcome-monitoring tools watch the course of a person's scores, not only each score: a
youth's or a child's wellbeing index (the mean of the answered dimensions, 1-5) that fell at
each of the last `falls` check-ins in a row, or fell at the last check-in by more than `drop`,
raises a concern flag whose reason is the course itself ("3.75 3.25 2.5 2"). Each unit sets
whether it watches the course, and the two limits (storage: the unit's `trajectory_*`
columns). Pure: it is handed the indices of an identified client's check-ins, oldest first,
the newest last; anonymous answers never have a course.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

TRAJECTORY_RULE = "trajectory"
DEFAULT_FALLS = 3  # the index fell at each of the last three check-ins (four in a row)
DEFAULT_DROP = 1.0  # on the 1-5 scale: from 3.5 to below 2.5 at once
FALLS_RANGE = (2, 6)
DROP_RANGE = (0.25, 4.0)


@dataclass(frozen=True, slots=True)
class Watch:
    """A unit's settings: on or off, how many falls in a row, how big a drop."""

    enabled: bool = True
    falls: int = DEFAULT_FALLS
    drop: float = DEFAULT_DROP


@dataclass(frozen=True, slots=True)
class Course:
    """Why the course raises a flag: `falling` (fell at each of the last check-ins) or
    `drop` (one big drop), and the indices it is about, oldest first."""

    kind: str  # falling | drop
    indices: tuple[float, ...]

    @property
    def reason(self) -> str:
        """The course as staff read it: the kind, then the indices ("falling 3.75 3.25 2.5")."""
        return " ".join([self.kind, *(_number(value) for value in self.indices)])


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def course(indices: Sequence[float], watch: Watch) -> Course | None:
    """The course that raises a flag, if the newest index (the last) ends one; else None."""
    if not watch.enabled or len(indices) < 2:
        return None
    recent = tuple(indices[-(watch.falls + 1) :])
    if len(recent) == watch.falls + 1 and all(b < a for a, b in pairwise(recent)):
        return Course("falling", recent)
    if indices[-2] - indices[-1] > watch.drop:
        return Course("drop", tuple(indices[-2:]))
    return None
