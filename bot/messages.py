"""Channel-neutral inbound events and outgoing messages, and rendering engine outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from bot.i18n import Translator
from dialogs.model import N_, Ask, Output, Say, Text

# The channels' names: an Inbound's channel, an outbox row's, a contact's.
TELEGRAM = "telegram"
WEB = "web"
TERMINAL = "terminal"
# A unit's or an invite's code, as links carry it (a Telegram deep link: 1-64 of these).
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CODE = re.compile(CODE_PATTERN)
# The safety net beside the risk screen: every question offers "I need help now". Its button
# is a command's button (the "menu" namespace of `bot/commands.py`), so that it works on any
# question, also an earlier one, and no dialog needs a step for it.
HELP_NOW = "helpnow"
HELP_NOW_DATA = f"menu:{HELP_NOW}"
HELP_NOW_LABEL = N_("I need help now")


class Kind(StrEnum):
    BEGIN = "begin"  # start a dialog: payload = dialog id
    TEXT = "text"  # typed text
    CHOICE = "choice"  # a button: payload = "<step id>:<choice id>"
    COMMAND = "command"  # a channel command without a dialog meaning of its own


@dataclass(frozen=True, slots=True)
class Inbound:
    """One update from any channel, already parsed and authenticated by the channel."""

    channel: str
    address: str
    update_key: str
    kind: Kind
    payload: str = ""
    language: str | None = None
    unit_code: str | None = None
    anonymous: bool | None = None  # None: as the dialog's privacy says
    # What the channel needs to acknowledge the update (e.g. a pressed button's message).
    reference: dict[str, str | int] | None = None


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one inbound update."""

    duplicate: bool = False
    finished: bool = False
    messages: int = 0


@dataclass(frozen=True, slots=True)
class Button:
    data: str  # "<step id>:<choice id>", at most 64 bytes
    label: str


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    buttons: tuple[Button, ...] = ()
    free_text: bool = False
    help: bool = False  # the help numbers: a kiosk keeps them on screen, a page links them

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "message",
            "text": self.text,
            "buttons": [[button.data, button.label] for button in self.buttons],
            "free_text": self.free_text,
        }
        if self.help:
            payload["help"] = True
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        return cls(
            text=str(payload["text"]),
            buttons=tuple(Button(str(data), str(label)) for data, label in payload["buttons"]),
            free_text=bool(payload.get("free_text", False)),
            help=bool(payload.get("help", False)),
        )


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """A pressed button is acknowledged: the question shows the answer, and its buttons go."""

    reference: dict[str, str | int]
    label: str | None

    def to_payload(self) -> dict[str, Any]:
        return {"type": "ack", "reference": self.reference, "label": self.label}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Acknowledgement:
        label = payload.get("label")
        return cls(dict(payload["reference"]), None if label is None else str(label))


Outgoing = Message | Acknowledgement


def outgoing_from_payload(payload: dict[str, Any]) -> Outgoing:
    if payload.get("type") == "ack":
        return Acknowledgement.from_payload(payload)
    return Message.from_payload(payload)


def choice_data(step_id: str, choice_id: str) -> str:
    return f"{step_id}:{choice_id}"


def render(outputs: list[Output], translator: Translator) -> list[Message]:
    """Engine outputs as messages for a person, one message per text or question; every
    question's last button is "I need help now"."""
    messages: list[Message] = []
    for output in outputs:
        if isinstance(output, Say):
            buttons = tuple(Button(b.id, translator.text(b.label)) for b in output.buttons)
            messages.append(Message(translator.text(output.text), buttons, help=output.help))
        elif isinstance(output, Ask):
            text = translator.text(output.text)
            if output.hint is not None:
                text = f"{text}\n{translator.text(output.hint)}"
            buttons = (
                *(
                    Button(choice_data(output.step_id, choice.id), translator.text(choice.label))
                    for choice in output.choices
                ),
                Button(HELP_NOW_DATA, translator.text(Text(HELP_NOW_LABEL))),
            )
            messages.append(Message(text, buttons, free_text=output.free_text))
    return messages


Update_contra = TypeVar("Update_contra", contravariant=True)


class Channel(Protocol[Update_contra]):
    """What a channel offers the service (STYLE.md): it turns what arrived (a Telegram update,
    a web form, a typed line) into an `Inbound`, and sends an outgoing message to one of its
    chats. The service asks nothing else of a channel; a channel asks the service only through
    its doors (`handle`, `open_question`, `unit_name`, `opening`, `deliver`)."""

    @property
    def name(self) -> str: ...

    def parse(self, update: Update_contra) -> Inbound | None: ...

    async def send(self, address: str, message: Outgoing) -> None: ...
