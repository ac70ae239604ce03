"""The terminal channel: `kerro chat`. One line in, the bot's messages out.

With a terminal, choices are numbered and a prompt is shown; with piped input, each line is
one answer (a choice's number or label, `skip`, or free text).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, TextIO

from bot.messages import HELP_NOW_DATA, TERMINAL, Button, Channel, Inbound, Kind, Message, Outgoing
from bot.service import ConversationService
from dialogs.helplines import MORE_HELP

CHANNEL = TERMINAL
SKIP_KEY = "s"
HELP_NOW_KEY = "!"  # "I need help now"
MORE_HELP_KEY = "+"  # "More places to get help", under the help numbers
_NUMBER = re.compile(r"^-?\d+$")


def button_keys(buttons: tuple[Button, ...]) -> list[tuple[str, Button]]:
    """The key a person types for each button: a scale's own number, else 1, 2, 3...; "s"
    skips, "!" is "I need help now", "+" more places to get help."""
    keyed: list[tuple[str, Button]] = []
    position = 0
    for button in buttons:
        choice_id = button.data.partition(":")[2]
        if button.data == HELP_NOW_DATA:
            keyed.append((HELP_NOW_KEY, button))
        elif button.data.startswith(f"{MORE_HELP}:"):
            keyed.append((MORE_HELP_KEY, button))
        elif choice_id == "skip":
            keyed.append((SKIP_KEY, button))
        elif _NUMBER.match(choice_id):
            keyed.append((choice_id, button))
        else:
            position += 1
            keyed.append((str(position), button))
    return keyed


@dataclass
class TerminalChat:
    name: ClassVar[str] = CHANNEL
    service: ConversationService
    out: TextIO
    interactive: bool
    address: str = field(default_factory=lambda: f"terminal-{secrets.token_hex(8)}")
    language: str | None = None
    last_buttons: tuple[Button, ...] = ()
    help_buttons: tuple[Button, ...] = ()  # under the last help numbers; kept beside a question
    finished: bool = False

    @property
    def address_hmac(self) -> str:
        return self.service.address_hmac(CHANNEL, self.address)

    def _inbound(self, kind: Kind, payload: str, **extra: str | bool | None) -> Inbound:
        return Inbound(
            channel=CHANNEL,
            address=self.address,
            update_key=secrets.token_hex(12),  # unrelated to the address (P1)
            kind=kind,
            payload=payload,
            language=self.language,
            **extra,  # type: ignore[arg-type]
        )

    async def begin(self, dialog_id: str, *, unit_code: str | None, anonymous: bool | None) -> None:
        inbound = self._inbound(Kind.BEGIN, dialog_id, unit_code=unit_code, anonymous=anonymous)
        handled = await self.service.handle(inbound)
        self.finished = handled.finished
        await self._deliver()

    def parse(self, update: str) -> Inbound:
        """A typed line: a button's key picks the button, anything else is text."""
        typed = update.strip().casefold()
        keyed = dict(button_keys(self.help_buttons)) | dict(button_keys(self.last_buttons))
        if typed in keyed:
            return self._inbound(Kind.CHOICE, keyed[typed].data)
        return self._inbound(Kind.TEXT, update)

    async def answer(self, line: str) -> None:
        handled = await self.service.handle(self.parse(line))
        self.finished = handled.finished
        await self._deliver()

    async def send(self, address: str, message: Outgoing) -> None:
        await self._show(message)  # one terminal, one chat

    async def _deliver(self) -> None:
        await self.service.deliver(CHANNEL, self.address, self._show)

    async def _show(self, message: Outgoing) -> None:
        if not isinstance(message, Message):
            return  # a terminal has no buttons to acknowledge
        self.out.write(f"\n{message.text}\n" if self.interactive else f"{message.text}\n")
        if message.help:
            self.help_buttons = message.buttons
        elif message.buttons:
            self.last_buttons = message.buttons
        if message.buttons:
            for key, button in button_keys(message.buttons):
                self.out.write(f"  {key}) {button.label}\n")
        self.out.flush()


_IS_A_CHANNEL: type[Channel[str]] = TerminalChat  # mypy checks the protocol here


async def run(
    chat: TerminalChat,
    *,
    dialog_id: str,
    unit_code: str | None,
    anonymous: bool | None,
    read_line: Callable[[], str | None],
) -> bool:
    """Converse until the dialog ends (True) or input runs out (False)."""
    await chat.begin(dialog_id, unit_code=unit_code, anonymous=anonymous)
    while not chat.finished:
        line = read_line()
        if line is None:
            return False
        await chat.answer(line)
    return True
