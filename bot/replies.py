"""A turn's replies: engine outputs rendered in the chat's language and put in the outbox,
in the update's transaction (R1); the channel delivers them after the commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from bot.i18n import Translations
from bot.messages import Acknowledgement, Handled, Inbound, Outgoing, render
from dialogs.model import Output
from storage.crypto import Keyring, Purpose
from storage.keys import ChatKey
from storage.repositories import outbox


class Replies:
    """The replies to one inbound update."""

    def __init__(
        self,
        inbound: Inbound,
        chat: ChatKey,
        *,
        translations: Translations,
        keyring: Keyring,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.inbound = inbound
        self.chat = chat
        self.translations = translations
        self.keyring = keyring
        self.clock = clock
        self.acknowledgement: Acknowledgement | None = None

    def sealed_address(self) -> str:
        """The chat's address, sealed: for the outbox, and for prompts the person wants."""
        return self.keyring.seal(self.inbound.address, purpose=Purpose.CHAT_ADDRESS)

    def sealed_staff_chat(self) -> str:
        """The chat's address sealed for staff alerts (a staff member links the chat)."""
        return self.keyring.seal(self.inbound.address, purpose=Purpose.STAFF_CHAT)

    def acknowledge(self, label: str | None) -> None:
        """Acknowledge the pressed button (if the channel gave a reference) before replying."""
        if self.inbound.reference is not None:
            self.acknowledgement = Acknowledgement(self.inbound.reference, label)

    def send(
        self,
        session: Session,
        outputs: list[Output],
        language: str | None,
        *,
        finished: bool = False,
    ) -> Handled:
        translator = self.translations.get(language or self.inbound.language)
        rendered: list[Outgoing] = list(render(outputs, translator))
        messages = rendered if self.acknowledgement is None else [self.acknowledgement, *rendered]
        if messages:
            outbox.enqueue(
                session,
                chat=self.chat,
                address_sealed=self.keyring.seal(
                    self.inbound.address, purpose=Purpose.CHAT_ADDRESS
                ),
                payloads=[message.to_payload() for message in messages],
                now=self.clock(),
            )
        return Handled(finished=finished, messages=len(rendered))
