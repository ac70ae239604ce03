"""The trajectory signal at the end of a check-in (dialogs/trajectory.py).

When an identified youth's or child's check-in that asked the wellbeing dimensions ends, its
index is set beside the indices of their earlier check-ins, in the same transaction as the
answers; a course that keeps falling, or one big drop, adds a concern flag with the course as
its reason. Anonymous answers never have a course: nothing links them to earlier ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from dialogs.model import FlagLevel, Output, RaiseFlag, Record, State
from dialogs.scoring import WELLBEING_DIMENSIONS, wellbeing_index
from dialogs.trajectory import TRAJECTORY_RULE, Watch, course
from storage.repositories import trajectory
from storage.tables import Conversation


def with_course(
    session: Session,
    *,
    conversation: Conversation,
    state: State,
    outputs: list[Output],
    client_id: int | None,
) -> list[Output]:
    """The step's outputs, with a trajectory flag added when the check-in ends one."""
    if (
        not state.finished
        or state.anonymous is not False
        or client_id is None
        or conversation.contact_id is None
        or conversation.unit_id is None
    ):
        return outputs
    scores = _scores(outputs)
    if conversation.response_id is not None:
        scores.extend(
            trajectory.stored_scores(
                session, response_id=conversation.response_id, measures=WELLBEING_DIMENSIONS
            )
        )
    scores = [score for score in scores if 1 <= score <= 5]
    if not scores:  # a dialog without the wellbeing dimensions, or all skipped
        return outputs
    found = _flag(session, conversation, client_id, scores)
    return outputs if found is None else [*outputs, found]


def _scores(outputs: Sequence[Output]) -> list[float]:
    return [
        output.number
        for output in outputs
        if isinstance(output, Record)
        and output.measure in WELLBEING_DIMENSIONS
        and output.number is not None
        and not output.skipped
    ]


def _flag(
    session: Session, conversation: Conversation, client_id: int, scores: list[float]
) -> RaiseFlag | None:
    assert conversation.unit_id is not None
    settings = trajectory.watch_of(session, unit_id=conversation.unit_id)
    if settings is None or not settings[0]:
        return None
    watch = Watch(*settings)
    index = wellbeing_index(scores)
    if index is None:
        return None
    earlier = trajectory.earlier_scores(
        session,
        client_id=client_id,
        measures=WELLBEING_DIMENSIONS,
        before_response_id=conversation.response_id,
        limit=watch.falls,
    )
    indices = [value for value in map(wellbeing_index, earlier) if value is not None]
    found = course([*indices, index], watch)
    if found is None:
        return None
    return RaiseFlag(TRAJECTORY_RULE, FlagLevel.CONCERN, reason=found.reason)
