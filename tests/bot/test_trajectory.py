"""The trajectory signal in the conversation service: an identified youth's falling wellbeing
index raises one concern flag, with the course as its reason, in the same transaction as the
check-in's answers; a rise does not, anonymous answers never do, and a unit can turn it off."""

from __future__ import annotations

import pytest

from bot.service import ConversationService
from dialogs.trajectory import TRAJECTORY_RULE
from storage import tables
from storage.db import Database
from storage.repositories import trajectory
from tests.bot.helpers import Chat, rows
from tests.bot.test_service import enrol
from tests.support.clock import Clock

pytestmark = pytest.mark.usefixtures("unit_id")


async def checkin(chat: Chat, clock: Clock, scores: tuple[int, int, int, int]) -> None:
    """A whole youth check-in a week after the last one: four scores, no note."""
    clock.advance(days=7)
    await chat.begin("youth_checkin", language="en")
    handled = await chat.say(*(str(score) for score in scores), "skip")
    assert handled.finished


def course_flags(database: Database) -> list[tables.Flag]:
    return [flag for flag in rows(database, tables.Flag) if flag.rule == TRAJECTORY_RULE]


async def test_three_falls_in_a_row_raise_one_concern_with_the_course(
    service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = Chat(service, "3001")
    client_id = enrol(service, chat)
    for scores in ((4, 4, 4, 4), (4, 4, 3, 3), (3, 3, 3, 3)):  # 4, 3.5, 3: two falls
        await checkin(chat, clock, scores)
    assert course_flags(database) == []
    await checkin(chat, clock, (3, 2, 3, 2))  # 2.5: the third fall in a row
    [flag] = course_flags(database)
    assert (flag.level, flag.client_id, flag.unit_id) == ("concern", client_id, 1)
    assert flag.reason == "falling 4 3.5 3 2.5"
    assert flag.words_sealed is None
    last = rows(database, tables.Response)[-1]
    assert flag.response_id == last.id  # on the check-in that ended the course


async def test_one_big_drop_raises_a_concern_and_a_rise_does_not(
    service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = Chat(service, "3002")
    enrol(service, chat)
    for scores in ((2, 2, 2, 2), (3, 3, 3, 3), (4, 5, 4, 5)):  # a rise
        await checkin(chat, clock, scores)
    assert course_flags(database) == []
    await checkin(chat, clock, (4, 4, 4, 4))  # 4.5 -> 4: a small fall
    assert course_flags(database) == []
    await checkin(chat, clock, (2, 3, 2, 3))  # 4 -> 2.5: a drop of 1.5
    [flag] = course_flags(database)
    assert (flag.level, flag.reason) == ("concern", "drop 4 2.5")


async def test_anonymous_answers_never_have_a_course(
    service: ConversationService, database: Database, clock: Clock
) -> None:
    chat = Chat(service, "3003")  # not enrolled: every check-in is anonymous
    for scores in ((5, 5, 5, 5), (4, 4, 4, 4), (3, 3, 3, 3), (2, 2, 2, 2)):
        await checkin(chat, clock, scores)
    assert len(rows(database, tables.Response)) == 4
    assert all(response.anonymous for response in rows(database, tables.Response))
    assert course_flags(database) == []


async def test_a_unit_that_does_not_watch_the_course_gets_no_flag(
    service: ConversationService, database: Database, clock: Clock, unit_id: int
) -> None:
    with database.transaction() as session:
        trajectory.set_watch(session, unit_id=unit_id, enabled=False, falls=3, drop=1.0)
    chat = Chat(service, "3004")
    enrol(service, chat)
    await checkin(chat, clock, (5, 5, 5, 5))
    await checkin(chat, clock, (2, 2, 2, 2))
    assert course_flags(database) == []
    with database.transaction() as session:
        trajectory.set_watch(session, unit_id=unit_id, enabled=True, falls=2, drop=4.0)
    await checkin(chat, clock, (2, 2, 2, 3))  # 2 -> 2.25, then down twice
    await checkin(chat, clock, (2, 2, 2, 2))
    await checkin(chat, clock, (2, 2, 2, 1))
    [flag] = course_flags(database)
    assert flag.reason == "falling 2.25 2 1.75"
