"""The Telegram outbox sender: per chat in order, within Telegram's limits, at least once.

- A chat's messages go in id order; the next waits until the one before it was sent.
- At most one send a `chat_interval` per chat, and `rate` in any second overall (`Pacer`).
- 429: the whole sender pauses for `retry_after`, and the messages wait that long; the pause
  is kept in the database for every process.
- Several processes on one PostgreSQL: only the one holding the sending leadership sends
  (`bot.pacing`), so the limits hold for the bot as a whole.
- 403 (the person blocked the bot): the chat goes inactive, its waiting messages are dropped.
- Other errors: retried with exponential backoff, and after `max_attempts` kept aside as a
  dead letter with the reason.
- A message is leased while it is sent and deleted after; a crash mid-send sends it again
  when the lease ends, and a restart picks up whatever was committed but not yet sent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from sqlmodel import Session

from bot.channels.telegram.render import keyboard, merge, split
from bot.loop import WakeableLoop
from bot.messages import TELEGRAM, Acknowledgement, Message, Outgoing, outgoing_from_payload
from bot.pacing import WINDOW, Pacer
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.leader import LeaderLock
from storage.repositories import contacts, outbox, pacing
from storage.tables import utc_now

log = logging.getLogger(__name__)

CHANNEL = TELEGRAM
CHECKMARK = "✓"
SENDING_LEADER = 0x6B657272  # the advisory lock's key: "kerr"


@dataclass
class SenderSettings:
    rate: float = 30.0  # sends per second, overall
    chat_interval: float = 1.0  # seconds between sends to one chat
    max_attempts: int = 8
    lease: dt.timedelta = dt.timedelta(seconds=30)
    batch: int = 100
    idle_poll: float = 0.5  # seconds between looks at the outbox when nothing wakes the sender
    max_merge: int = 10
    leader_check: float = 1.0  # seconds between looks at the sending leadership


@dataclass
class _Job:
    address_hmac: str
    chat_id: str
    ids: list[int]
    items: list[Outgoing]
    attempts: int


@dataclass
class TelegramSender:
    database: Database
    bot: Bot
    keyring: Keyring
    settings: SenderSettings = field(default_factory=SenderSettings)
    clock: Callable[[], dt.datetime] = utc_now
    leader: LeaderLock | None = None  # None: this process is the only sender
    pacer: Pacer = field(init=False)
    _loop: WakeableLoop = field(init=False, repr=False)
    _leading: bool = False
    _leader_checked: float = -math.inf

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.settings.rate, self.settings.chat_interval)
        self._loop = WakeableLoop(
            self.tick,
            idle_poll=self.settings.idle_poll,
            failure="the telegram sender could not read the outbox",
        )

    def wake(self) -> None:
        """New messages were committed: look at the outbox now."""
        self._loop.wake()

    async def run_forever(self) -> None:
        log.info("telegram sender started")
        try:
            await self._loop.run_forever()
        finally:
            if self.leader is not None and self._leading:
                await asyncio.to_thread(self.leader.release)

    async def leads(self) -> bool:
        """Whether this process sends now; looked at once a `leader_check`."""
        if self.leader is None:
            return True
        now = time.monotonic()
        if now - self._leader_checked < self.settings.leader_check:
            return self._leading
        self._leader_checked = now
        leading = await asyncio.to_thread(self.leader.hold)
        if leading and not self._leading:
            await self._take_over()
        self._leading = leading
        return leading

    async def _take_over(self) -> None:
        """Become the sender: wait out what the last one may have sent, and its 429 pause."""
        until = await self.database.run(
            lambda session: pacing.paused_until(session, channel=CHANNEL)
        )
        if self.leader is not None and self.leader.shared:
            self.pacer.hold_off(max(WINDOW, self.settings.chat_interval))
        if until is not None:
            self.pacer.pause((until - self.clock()).total_seconds())

    async def tick(self) -> int:
        """One round: lease what may be sent now, send it, record the outcome."""
        if not await self.leads():
            await asyncio.sleep(self.settings.idle_poll)
            return 0
        budget = self.pacer.budget()
        if budget == 0:
            # The rate is used up: wait for the first token to come back (not the idle poll),
            # so that the next round follows as soon as the limit allows it.
            await asyncio.sleep(min(self.pacer.wait_time(), 1.0) or 0.01)
            budget = self.pacer.budget()
            if budget == 0:
                return 0
        jobs = await self.database.run(lambda session: self._lease(session, budget))
        if not jobs:
            return 0
        outcomes = await asyncio.gather(*(self._send(job) for job in jobs))
        # What was sent is recorded in one transaction for the round: a crash before it sends
        # those messages again when their lease ends (at least once), as a crash mid-send does.
        sent = [row_id for ids in outcomes for row_id in ids]
        if sent:
            await self.database.run(lambda session: outbox.delivered(session, ids=sent))
        return len(jobs)

    def _lease(self, session: Session, budget: int) -> list[_Job]:
        now = self.clock()
        heads = outbox.due_heads(
            session, channel=CHANNEL, now=now, limit=min(budget * 4, self.settings.batch)
        )
        jobs: list[_Job] = []
        for head in heads:
            if len(jobs) >= budget:
                break
            if not self.pacer.chat_ready(head.address_hmac):
                continue
            rows = [head]
            if isinstance(outgoing_from_payload(head.payload), Message):
                rows.extend(self._mergeable(session, head))
            ids = [row.id for row in rows if row.id is not None]
            outbox.lease(session, ids=ids, until=now + self.settings.lease)
            jobs.append(
                _Job(
                    address_hmac=head.address_hmac,
                    chat_id=self.keyring.open(head.address_sealed, purpose=Purpose.CHAT_ADDRESS),
                    ids=ids,
                    items=[outgoing_from_payload(row.payload) for row in rows],
                    attempts=head.attempts + 1,
                )
            )
        return jobs

    def _mergeable(self, session: Session, head: tables.Outbox) -> list[tables.Outbox]:
        """The chat's next messages that can go out with the head as one Telegram message."""
        assert head.id is not None
        following = outbox.followers(
            session,
            chat=ChatKey(CHANNEL, head.address_hmac),
            after_id=head.id,
            limit=self.settings.max_merge,
        )
        taken: list[tables.Outbox] = []
        previous = outgoing_from_payload(head.payload)
        for row in following:
            item = outgoing_from_payload(row.payload)
            if not isinstance(item, Message) or not isinstance(previous, Message):
                break
            if previous.buttons:
                break
            taken.append(row)
            previous = item
        return taken

    async def _send(self, job: _Job) -> list[int]:
        """Send one job; returns its outbox ids when it was sent, [] when it was not."""
        try:
            for item in job.items:
                if isinstance(item, Acknowledgement):
                    await self._acknowledge(job.chat_id, item)
            messages = [item for item in job.items if isinstance(item, Message)]
            for message in merge(messages):
                await self._send_message(job, message)
        except TelegramRetryAfter as error:
            self.pacer.pause(error.retry_after)
            log.warning("telegram asked to wait %s s (429)", error.retry_after)
            at = self.clock() + dt.timedelta(seconds=error.retry_after)

            def wait(session: Session) -> None:
                outbox.retry_later(session, ids=job.ids, at=at)
                pacing.pause(session, channel=CHANNEL, until=at)

            await self.database.run(wait)
        except TelegramForbiddenError:
            log.info("a chat blocked the bot (403): its messages are dropped")
            await self.database.run(lambda session: self._blocked(session, job))
        except TelegramBadRequest as error:
            reason = f"bad request: {error.message[:150]}"
            log.warning("telegram refused outbox rows %s (400)", job.ids)
            await self.database.run(
                lambda session: outbox.dead_letter(session, ids=job.ids, reason=reason)
            )
        except Exception as error:
            await self._failed(job, type(error).__name__)
        else:
            return job.ids
        return []

    async def _failed(self, job: _Job, reason: str) -> None:
        if job.attempts >= self.settings.max_attempts:
            log.warning("outbox rows %s dead after %d attempts (%s)", job.ids, job.attempts, reason)
            await self.database.run(
                lambda session: outbox.dead_letter(
                    session, ids=job.ids, reason=f"{reason} after {job.attempts} attempts"
                )
            )
            return
        delay = dt.timedelta(seconds=min(300.0, 2.0**job.attempts))
        log.info("outbox rows %s failed (%s); retrying in %s", job.ids, reason, delay)
        at = self.clock() + delay
        await self.database.run(lambda session: outbox.retry_later(session, ids=job.ids, at=at))

    def _blocked(self, session: Session, job: _Job) -> None:
        chat = ChatKey(CHANNEL, job.address_hmac)
        contacts.set_chat_active(session, chat=chat, active=False)
        outbox.drop_chat(session, chat=chat)

    async def _send_message(self, job: _Job, message: Message) -> None:
        pieces = split(message.text)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self.pacer.send(
                job.address_hmac,
                functools.partial(
                    self.bot.send_message,
                    chat_id=job.chat_id,
                    text=piece,
                    parse_mode="HTML",
                    reply_markup=keyboard(message.buttons) if last else None,
                ),
            )

    async def _acknowledge(self, chat_id: str, ack: Acknowledgement) -> None:
        """Stop the button's spinner, and show the answer in place of the buttons."""
        query_id = ack.reference.get("callback_query_id")
        message_id = ack.reference.get("message_id")
        question = ack.reference.get("text")
        try:
            if isinstance(query_id, str):
                await self.bot.answer_callback_query(callback_query_id=query_id)
            if isinstance(message_id, int):
                if ack.label is not None and isinstance(question, str):
                    text = split(f"{question}\n\n{CHECKMARK} {ack.label}")[0]
                    await self.bot.edit_message_text(
                        chat_id=chat_id, message_id=message_id, text=text, parse_mode="HTML"
                    )
                else:
                    await self.bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=None
                    )
        except TelegramBadRequest:
            # Too old to answer, already edited, or gone: the reply that follows matters more.
            log.info("a button could not be acknowledged (400); going on")
