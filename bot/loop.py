"""The wake-or-sleep worker loop of the senders (the outbox's to Telegram, the alerts').

A worker does rounds (`tick`, which returns how much it did). While a round finds work the
next follows at once; otherwise the loop sleeps until it is woken (something was committed
that the worker may want) or until its idle poll is over. A failed round (the database may
be away for a while) is logged and tried again after the idle poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class WakeableLoop:
    def __init__(
        self, tick: Callable[[], Awaitable[int]], *, idle_poll: float, failure: str
    ) -> None:
        self._tick = tick
        self._idle_poll = idle_poll
        self._failure = failure  # what a failed round is logged as
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look now: something the worker may want was committed."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            try:
                done = await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away for a while: try again soon
                log.warning(self._failure, exc_info=True)
                done = 0
            if done == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._idle_poll)
