"""The check-in scheduler against both databases: a slot reaches each eligible contact once;
quiet hours, /stop, a blocked chat and withdrawn consent are respected; the prompt's button
starts the check-in; one reminder, to those who have not started; expiry; late slots."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from bot.messages import TELEGRAM, Kind, Message
from bot.scheduler import CheckinScheduler
from bot.service import ConversationService
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import contacts, outbox, prompt_deliveries, schedules
from tests.bot.helpers import Chat, rows
from tests.bot.scheduler.conftest import PARENT, YOUTHS, World, add_schedule
from tests.support.clock import Clock


def prompts_to(database: Database, keyring: Keyring, address: str) -> list[dict[str, object]]:
    chat = ChatKey(TELEGRAM, keyring.address_hmac(TELEGRAM, address))
    with database.transaction() as session:
        return [row.payload for row in outbox.pending_for_chat(session, chat=chat)]


def deliveries(database: Database) -> list[tables.PromptDelivery]:
    return rows(database, tables.PromptDelivery)


def statuses(database: Database, world: World) -> dict[str, str]:
    by_contact = {contact: address for address, contact in world.contacts.items()}
    return {by_contact[d.contact_id]: d.status for d in deliveries(database)}


def to_slot(clock: Clock) -> None:
    """From Monday 14:35 UTC to 15:00 UTC: the slot of Mondays 17:00 in Helsinki."""
    clock.now = dt.datetime(2026, 3, 2, 15, 0, 5, tzinfo=dt.UTC)


async def test_a_slot_reaches_each_eligible_contact_once(
    database: Database,
    keyring: Keyring,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    service: ConversationService,
) -> None:
    schedule_id = add_schedule(database, clock, world.unit_id)
    stopped = Chat(service, YOUTHS[2], channel=TELEGRAM)
    await stopped.send(Kind.COMMAND, "stop")  # /stop: no more prompts
    with database.transaction() as session:
        blocked = ChatKey(TELEGRAM, keyring.address_hmac(TELEGRAM, YOUTHS[3]))
        contacts.set_chat_active(session, chat=blocked, active=False)  # 403 from Telegram
        contacts.set_consent(
            session, contact_id=world.contacts[YOUTHS[4]], prompts=False, address_sealed=None
        )
    assert await scheduler.sync() == 0  # 14:35 UTC: nothing is due yet
    to_slot(clock)
    assert await scheduler.sync() == 2
    assert await scheduler.sync() == 0  # the same slot again: claimed already
    second = CheckinScheduler(
        database=database,
        translations=scheduler.translations,
        settings=scheduler.settings,
        clock=clock,
    )
    assert await second.catch_up(schedule_id) == 0  # another process finds it claimed
    runs = rows(database, tables.ScheduleRun)
    assert [(r.status, r.contacts) for r in runs] == [("sent", 2)]
    assert runs[0].slot == dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    assert statuses(database, world) == {YOUTHS[0]: "queued", YOUTHS[1]: "queued"}
    for address in (*YOUTHS[2:], PARENT):  # stopped, blocked, withdrawn; not a youth
        assert prompts_to(database, keyring, address) == []
    (payload,) = prompts_to(database, keyring, YOUTHS[0])
    message = Message.from_payload(payload)
    assert message.text.startswith("Hi! It's time for a check-in")
    assert message.buttons[0].data.startswith("prompt:")
    assert message.buttons[0].label == "Start the check-in"


async def test_the_prompts_button_starts_the_check_in_and_its_end_completes_it(
    database: Database,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    service: ConversationService,
) -> None:
    add_schedule(database, clock, world.unit_id)
    to_slot(clock)
    await scheduler.sync()
    chat = Chat(service, YOUTHS[0], channel=TELEGRAM)
    await chat.deliver()
    await scheduler.upkeep()  # the prompt left the outbox: sent
    assert statuses(database, world) == {a: "sent" if a == YOUTHS[0] else "queued" for a in YOUTHS}
    (prompt,) = chat.received
    await chat.send(Kind.CHOICE, prompt.buttons[0].data, reference={"message_id": 1})
    assert statuses(database, world)[YOUTHS[0]] == "started"
    assert chat.acknowledged[-1].label == "Start the check-in"
    first_question = chat.received[-1].text
    # Pressing it again resumes: the open question, not a new check-in.
    await chat.send(Kind.CHOICE, prompt.buttons[0].data)
    assert chat.received[-1].text == first_question
    for _ in range(40):
        handled = await chat.send(Kind.TEXT, "skip")
        if handled.finished:
            break
    assert handled.finished
    assert statuses(database, world)[YOUTHS[0]] == "completed"
    assert statuses(database, world)[YOUTHS[1]] == "queued"
    with database.transaction() as session:
        open_ = prompt_deliveries.due_for_client(session, world.clients[YOUTHS[1]], clock())
        assert [(d.status, d.dialog_id) for d in open_] == [("queued", "youth_checkin")]
        assert prompt_deliveries.due_for_client(session, world.clients[YOUTHS[0]], clock()) == []


async def test_the_reminder_goes_once_and_only_to_those_who_have_not_started(
    database: Database,
    keyring: Keyring,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    service: ConversationService,
) -> None:
    add_schedule(database, clock, world.unit_id, remind_after_hours=24.0)
    to_slot(clock)
    await scheduler.sync()
    starter = Chat(service, YOUTHS[0], channel=TELEGRAM)
    await starter.deliver()
    await starter.send(Kind.CHOICE, starter.received[0].buttons[0].data)
    idle = Chat(service, YOUTHS[1], channel=TELEGRAM)
    await idle.deliver()
    clock.advance(hours=23)
    assert await scheduler.upkeep() == 0
    clock.advance(hours=1, seconds=1)
    assert await scheduler.upkeep() == 4  # all but the one who started
    assert await scheduler.upkeep() == 0
    clock.advance(hours=30)
    assert await scheduler.upkeep() == 0
    await idle.deliver()
    await starter.deliver()
    reminders = [m for m in idle.received if m.text.startswith("A reminder")]
    assert len(reminders) == 1
    assert reminders[0].buttons[0].data == idle.received[0].buttons[0].data
    assert not [m for m in starter.received if m.text.startswith("A reminder")]
    assert prompts_to(database, keyring, YOUTHS[0]) == []


async def test_an_expired_prompt_expires_and_its_button_says_so(
    database: Database,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    service: ConversationService,
) -> None:
    add_schedule(database, clock, world.unit_id, expire_after_days=2.0)
    to_slot(clock)
    await scheduler.sync()
    chat = Chat(service, YOUTHS[0], channel=TELEGRAM)
    await chat.deliver()
    clock.advance(days=2, seconds=1)
    await scheduler.upkeep()
    assert set(statuses(database, world).values()) == {"expired"}
    await chat.send(Kind.CHOICE, chat.received[0].buttons[0].data)
    assert chat.received[-1].text.startswith("This check-in has closed")


async def test_a_blocked_chat_fails_and_a_delivered_one_is_sent(
    database: Database,
    keyring: Keyring,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    service: ConversationService,
) -> None:
    add_schedule(database, clock, world.unit_id)
    to_slot(clock)
    await scheduler.sync()
    await Chat(service, YOUTHS[0], channel=TELEGRAM).deliver()
    with database.transaction() as session:  # what the sender does on a 403
        blocked = ChatKey(TELEGRAM, keyring.address_hmac(TELEGRAM, YOUTHS[1]))
        contacts.set_chat_active(session, chat=blocked, active=False)
        outbox.drop_chat(session, chat=blocked)
    await scheduler.upkeep()
    found = {(d.status, d.reason) for d in deliveries(database)}
    assert found == {("sent", None), ("failed", "the person has blocked the bot"), ("queued", None)}
    assert statuses(database, world)[YOUTHS[1]] == "failed"


async def test_quiet_hours_hold_a_late_evening_slot_until_morning(
    database: Database, keyring: Keyring, clock: Clock, world: World, scheduler: CheckinScheduler
) -> None:
    add_schedule(database, clock, world.unit_id, at_time="22:30")  # Mondays, Helsinki
    clock.now = dt.datetime(2026, 3, 2, 20, 31, tzinfo=dt.UTC)  # 22:31 in Helsinki
    assert await scheduler.sync() == 0
    clock.now = dt.datetime(2026, 3, 3, 5, 59, tzinfo=dt.UTC)  # 07:59
    assert await scheduler.sync() == 0
    clock.now = dt.datetime(2026, 3, 3, 6, 0, 1, tzinfo=dt.UTC)  # 08:00
    assert await scheduler.sync() == len(YOUTHS)
    (run,) = rows(database, tables.ScheduleRun)
    assert run.slot == dt.datetime(2026, 3, 2, 20, 30, tzinfo=dt.UTC)  # the slot, not the hour
    assert len(prompts_to(database, keyring, YOUTHS[0])) == 1


async def test_a_slot_found_too_late_is_skipped_with_its_reason_and_a_late_one_is_sent(
    database: Database, clock: Clock, world: World, scheduler: CheckinScheduler
) -> None:
    schedule_id = add_schedule(database, clock, world.unit_id, audience="parent")
    clock.now = dt.datetime(2026, 3, 2, 15, 45, tzinfo=dt.UTC)  # 45 min late; grace is 30
    assert await scheduler.sync() == 0
    clock.now = dt.datetime(2026, 3, 9, 15, 20, tzinfo=dt.UTC)  # 20 min late: still sent
    assert await scheduler.sync() == 1
    with database.transaction() as session:
        found = schedules.runs_of(session, schedule_id=schedule_id, limit=10)
    assert [(r.run.status, r.counts) for r in found] == [
        ("sent", {"queued": 1}),
        ("skipped", {}),
    ]
    assert found[1].run.reason is not None
    assert "over the grace time of 30 min" in found[1].run.reason


async def test_a_paused_schedule_sends_nothing_and_resuming_skips_what_was_missed(
    database: Database, clock: Clock, world: World, scheduler: CheckinScheduler
) -> None:
    schedule_id = add_schedule(database, clock, world.unit_id, paused=True)
    to_slot(clock)
    assert await scheduler.sync() == 0
    with database.transaction() as session:
        session.connection().execute(
            sa.update(tables.Schedule)
            .where(sa.column("id") == schedule_id)
            .values(paused=False, armed_from=clock())
        )
    assert await scheduler.sync() == 0
    assert rows(database, tables.ScheduleRun) == []
    clock.advance(days=7)
    assert await scheduler.sync() == len(YOUTHS)


async def test_forget_erases_the_clients_deliveries(
    database: Database,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
    service: ConversationService,
) -> None:
    add_schedule(database, clock, world.unit_id)
    to_slot(clock)
    await scheduler.sync()
    with database.transaction() as session:
        contacts.forget_client(session, client_id=world.clients[YOUTHS[0]])
    assert sorted(d.client_id for d in deliveries(database)) == sorted(
        world.clients[address] for address in YOUTHS[1:]
    )


async def test_two_schedulers_at_once_send_each_reminder_once(
    database: Database,
    keyring: Keyring,
    clock: Clock,
    world: World,
    scheduler: CheckinScheduler,
) -> None:
    add_schedule(database, clock, world.unit_id, remind_after_hours=1.0)
    to_slot(clock)
    second = CheckinScheduler(
        database=database,
        translations=scheduler.translations,
        settings=scheduler.settings,
        clock=clock,
    )
    counts = await asyncio.gather(scheduler.sync(), second.sync())
    assert sorted(counts) == [0, len(YOUTHS)]
    clock.advance(hours=1, seconds=1)
    reminded = await asyncio.gather(scheduler.upkeep(), second.upkeep(), scheduler.upkeep())
    assert sum(reminded) == len(YOUTHS)
    for address in YOUTHS:
        texts = [Message.from_payload(p).text for p in prompts_to(database, keyring, address)]
        assert [t[:12] for t in texts] == ["Hi! It's tim", "A reminder: "]
