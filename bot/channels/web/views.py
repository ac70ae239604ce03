"""What a web page shows: the bot's messages as views (paragraphs, a question, its buttons),
and one turn of the conversation (what the person said, what came after it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot import commands
from bot.channels.web import texts
from bot.messages import HELP_NOW_DATA, Acknowledgement, Message, Outgoing
from dialogs import engine

_EMOJI_LABEL = re.compile(r"^([^\w\s]+)\s+(\S.*)$")
SHORT_LABEL = 6
KIOSK_DIALOG = "open_feedback"
# What a unit's page offers; all of them anonymous (the person is not known here).
UNIT_DIALOGS = (
    ("open_feedback", commands.MENU_FEEDBACK),
    ("youth_checkin", texts.START_YOUTH),
    ("child_checkin", texts.START_CHILD),
    ("parent_service", texts.START_PARENT),
)


class Page(StrEnum):
    CHAT = "chat"  # /chat/{unit}
    INVITE = "invite"  # /chat/i/{invite}
    KIOSK = "kiosk"  # /kiosk/{unit}
    PERSONAL = "personal"  # /chat/p/{token}: a client's own check-in link


@dataclass(frozen=True, slots=True)
class ButtonView:
    data: str
    label: str  # the whole label, for the accessible name
    emoji: str  # a leading emoji, shown beside the words, hidden from screen readers
    words: str
    style: str  # "short" (scales, side by side), "wide", "skip", or "help" ("I need help now")


@dataclass(frozen=True, slots=True)
class MessageView:
    paragraphs: tuple[str, ...]
    question: str | None = None
    hint: str | None = None
    buttons: tuple[ButtonView, ...] = ()
    free_text: bool = False


@dataclass
class Turn:
    """What one page shows: the person's last answer, the bot's messages after it."""

    said: str | None = None
    messages: list[MessageView] = field(default_factory=list)
    finished: bool = False
    start: bool = False  # the start screen: no conversation is running
    notice: str | None = None
    link: str | None = None  # a personal check-in link just made: shown this once


def button_view(data: str, label: str) -> ButtonView:
    choice = data.partition(":")[2]
    match = _EMOJI_LABEL.match(label)
    emoji, words = (match.group(1), match.group(2)) if match else ("", label)
    if data == HELP_NOW_DATA:
        style = "help"
    elif choice == engine.SKIP:
        style = "skip"
    elif len(label) <= SHORT_LABEL:
        style = "short"
    else:
        style = "wide"
    return ButtonView(data, label, emoji, words, style)


def message_view(message: Message) -> MessageView:
    if not message.buttons and not message.free_text:
        return MessageView(_paragraphs(message.text))
    question, _, hint = message.text.partition("\n")
    return MessageView(
        (),
        question=question.strip(),
        hint=hint.strip() or None,
        buttons=tuple(button_view(b.data, b.label) for b in message.buttons),
        free_text=message.free_text,
    )


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("\n\n") if part.strip())


def turn_of(delivered: list[Outgoing], finished: bool, said: str | None = None) -> Turn:
    """A turn from the messages delivered into the page: a pressed button's label is what
    the person said, the rest are the bot's messages."""
    turn = Turn(said=said, finished=finished)
    for message in delivered:
        if isinstance(message, Acknowledgement):
            if message.label is not None and turn.said is None:
                turn.said = message.label
        else:
            turn.messages.append(message_view(message))
    return turn
