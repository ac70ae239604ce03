"""Delivering a chat's outbox rows in order; a row is deleted only after it was sent (R3)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from bot.messages import Outgoing, outgoing_from_payload
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import outbox

Send = Callable[[Outgoing], Awaitable[None]]


async def deliver_chat(
    database: Database, *, chat: ChatKey, send: Send, together: bool = False
) -> int:
    """Send every pending message of one chat, oldest first; returns how many were sent.

    Each message is deleted in its own transaction after it was sent, so a crash repeats at
    most the message that was being sent (at least once, in order). With `together`, all are
    deleted in one transaction after the last was sent: for a channel whose `send` only
    collects the messages into one answer (a web page), which reaches the person whole or
    not at all.
    """
    rows = await database.run(
        lambda session: [
            (row.id, outgoing_from_payload(row.payload))
            for row in outbox.pending_for_chat(session, chat=chat)
        ]
    )
    sent: list[int] = []
    for row_id, message in rows:
        await send(message)
        assert row_id is not None
        if together:
            sent.append(row_id)
        else:
            await database.run(functools.partial(outbox.delivered, ids=[row_id]))
    if sent:
        await database.run(functools.partial(outbox.delivered, ids=sent))
    return len(rows)
