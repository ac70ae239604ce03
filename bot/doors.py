"""What a channel asks of the conversation service outside a turn: its doors.

A channel never reaches into storage (an import-linter contract): it asks the service for a
unit's name, whether a link works, a dialog's opening screen, the open question of a chat, its
pending messages, or that a chat blocked the bot. Upkeep (forgetting expired conversations and
old claims) lives here too. The turn itself, read → decide → write, is `bot/service.py`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from bot.delivery import deliver_chat
from bot.i18n import Translations
from bot.messages import Message, Outgoing, render
from dialogs import engine
from dialogs.model import Dialog, Start, State
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.keys import ChatKey
from storage.repositories import contacts, conversations, invites, outbox, units, updates

CLAIM_RETENTION = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """The question a chat's running conversation waits on, rendered in its language."""

    language: str
    dialog_id: str
    messages: tuple[Message, ...]


class Doors:
    """The service's parts that channels and upkeep use; `ConversationService` is one."""

    database: Database
    dialogs: Mapping[str, Dialog]
    keyring: Keyring
    translations: Translations
    clock: Callable[[], dt.datetime]

    async def sweep(self, *, batch: int = 500) -> int:
        """Forget expired conversations and old update claims; returns conversations removed.

        An abandoned anonymous conversation is the only link between a chat and its answers,
        so it must not outlive its expiry (P1). Claims are kept for a week, far longer than
        any channel retries an update.
        """
        now = self.clock()
        removed = 0
        while True:
            count = await self.database.run(
                functools.partial(conversations.delete_expired, now=now, limit=batch)
            )
            removed += count
            if count < batch:
                break
        await self.database.run(
            functools.partial(updates.forget_before, before=now - CLAIM_RETENTION)
        )
        return removed

    async def set_chat_active(self, channel: str, address: str, *, active: bool) -> None:
        """A person blocked (or unblocked) the bot: a blocked chat gets nothing more."""
        chat = self.chat_key(channel, address)

        def work(session: Session) -> None:
            contacts.set_chat_active(session, chat=chat, active=active)
            if not active:
                outbox.drop_chat(session, chat=chat)

        await self.database.run(work)

    def address_hmac(self, channel: str, address: str) -> str:
        return self.keyring.address_hmac(channel, address)

    def chat_key(self, channel: str, address: str) -> ChatKey:
        return ChatKey(channel, self.keyring.address_hmac(channel, address))

    def open_address(self, message: tables.Outbox) -> str:
        return self.keyring.open(message.address_sealed, purpose=Purpose.CHAT_ADDRESS)

    async def open_question(self, channel: str, address: str) -> OpenQuestion | None:
        """The open question of the chat's conversation, without changing anything.

        A channel that shows whole pages (the web chat) asks for it when a page is loaded
        again; None when no conversation is running (or it expired).
        """
        chat = self.chat_key(channel, address)
        conversation = await self.database.run(functools.partial(conversations.for_chat, chat=chat))
        if conversation is None or conversation.expires_at <= self.clock():
            return None
        dialog = self.dialogs.get(conversation.dialog_id)
        if dialog is None:
            return None
        outputs = engine.current_question(dialog, State.from_json(conversation.state))
        translator = self.translations.get(conversation.language)
        return OpenQuestion(conversation.language, dialog.id, tuple(render(outputs, translator)))

    async def unit_name(self, code: str) -> str | None:
        """The name of the unit with this code; None when there is none."""

        def work(session: Session) -> str | None:
            unit = units.unit_by_code(session, code=code)
            return None if unit is None else unit.name

        return await self.database.run(work)

    async def link_works(self, code: str) -> bool:
        """Whether a link's code is an invite's (used or not) or a unit's: what `/start <code>`
        would take, so that a page can say at once that a link does not work."""

        def work(session: Session) -> bool:
            return (
                invites.find(session, code=code) is not None
                or units.unit_by_code(session, code=code) is not None
            )

        return await self.database.run(work)

    def opening(self, dialog_id: str, language: str) -> list[Message]:
        """A dialog's first messages, for a start screen (nothing is stored until it is used)."""
        dialog = self.dialogs[dialog_id]
        _, outputs = engine.step(dialog, engine.start(dialog), Start(anonymous=True))
        return render(outputs, self.translations.get(language))

    async def deliver(
        self,
        channel: str,
        address: str,
        send: Callable[[Outgoing], Awaitable[None]],
        *,
        together: bool = False,
    ) -> int:
        """Send a chat's pending messages through `send`, oldest first (see `deliver_chat`)."""
        return await deliver_chat(
            self.database, chat=self.chat_key(channel, address), send=send, together=together
        )
