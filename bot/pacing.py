"""Telegram's limits for the bot as a whole: at most `rate` messages in any second, at most
one a `chat_interval` to one chat, and nothing while a 429's `retry_after` lasts.

A send holds one of `rate` tokens from the moment it starts until one second after its answer
came: Telegram counts a message when it arrives, which is somewhere between the two, so no
one-second window of arrivals can hold more than `rate`. A chat's next send may start
`chat_interval` after the answer to its last one, for the same reason.

With several processes on one PostgreSQL only the process that holds the sending leadership
(`storage.leader.LeaderLock`) sends, so these limits, kept in its memory, are the bot's; a new
leader first waits out what the last one may have sent, and a 429's pause is kept in the
database for whoever sends next (`send_pause`).
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import pacing

T = TypeVar("T")
WINDOW = 1.0  # seconds: Telegram's overall limit is per second
_IN_FLIGHT = math.inf


@dataclass
class Pacer:
    rate: float  # sends per second, overall
    chat_interval: float  # seconds between sends to one chat
    clock: Callable[[], float] = time.monotonic
    _held: list[float] = field(default_factory=list)  # when each token is free again
    _chat_free: dict[str, float] = field(default_factory=dict)
    _paused_until: float = 0.0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def capacity(self) -> int:
        return max(1, math.floor(self.rate * WINDOW))

    def budget(self) -> int:
        """How many sends could start now."""
        now = self.clock()
        if now < self._paused_until:
            return 0
        self._held = [t for t in self._held if t > now]
        return max(0, self.capacity - len(self._held))

    def wait_time(self) -> float:
        """Seconds until a send could start (0 when one could now)."""
        now = self.clock()
        if now < self._paused_until:
            return self._paused_until - now
        if self.budget() > 0:
            return 0.0
        finite = [t for t in self._held if t != _IN_FLIGHT]
        return max(0.0, min(finite) - now) if finite else 0.0

    def chat_ready(self, chat: str) -> bool:
        return self._chat_free.get(chat, 0.0) <= self.clock()

    def pause(self, seconds: float) -> None:
        """Nothing is sent for `seconds` (a 429's retry_after; a new leader's wait)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def hold_off(self, seconds: float) -> None:
        """As after a send that ended now: the overall window and every chat wait `seconds`."""
        self.pause(seconds)
        until = self.clock() + seconds
        for chat in self._chat_free:
            self._chat_free[chat] = max(self._chat_free[chat], until)

    async def send(self, chat: str, call: Callable[[], Awaitable[T]]) -> T:
        """Make one call that sends to `chat`, when the limits allow it."""
        while True:
            now = self.clock()
            wait = max(self._paused_until, self._chat_free.get(chat, 0.0)) - now
            if wait <= 0 and self.budget() > 0:
                break
            if wait <= 0:
                finite = [t for t in self._held if t != _IN_FLIGHT]
                wait = (min(finite) - now) if finite else 0.0
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                self._changed.clear()
                await self._changed.wait()  # a send in flight ends
        self._held.append(_IN_FLIGHT)
        self._chat_free[chat] = _IN_FLIGHT
        try:
            return await call()
        finally:
            ended = self.clock()
            self._held[self._held.index(_IN_FLIGHT)] = ended + WINDOW
            self._chat_free[chat] = ended + self.chat_interval
            self._changed.set()
            if len(self._chat_free) > 10_000:
                self._forget_chats(ended)

    def _forget_chats(self, now: float) -> None:
        for chat in [c for c, free in self._chat_free.items() if free <= now]:
            del self._chat_free[chat]


RATE_KEY = "web-rate"  # the keyed hash's purpose: a bucket's key shows no session or address
PRUNE_EVERY = 60.0  # seconds between deletions of buckets that have filled up again


@dataclass
class SharedBuckets:
    """Token buckets in PostgreSQL, shared by every process: the web chat's rate limits when
    several `kerro serve` processes answer behind one load balancer."""

    database: Database
    keyring: Keyring
    clock: Callable[[], float] = time.time
    _pruned: float = 0.0

    async def take(self, key: str, per_minute: float) -> bool:
        """One request under `key`: whether its bucket (`per_minute`, bursts as large) allows it."""
        now = self.clock()
        hashed = self.keyring.address_hmac(RATE_KEY, key)
        allowed = await self.database.run(
            functools.partial(
                pacing.take,
                key=hashed,
                now=now,
                per_second=per_minute / 60.0,
                capacity=max(1.0, per_minute),
            )
        )
        if now - self._pruned > PRUNE_EVERY:
            self._pruned = now
            # A bucket untouched for an hour has long filled up (a minute's worth refills it).
            await self.database.run(functools.partial(pacing.forget_full, before=now - 3600.0))
        return allowed
