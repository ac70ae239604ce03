"""What a web page shows: the bot's messages as views (paragraphs, a question, its buttons),
and one turn of the conversation (what the person said, what came after it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import format_date
from markupsafe import Markup, escape

from bot import commands
from bot.channels.web import texts
from bot.i18n import Translator
from bot.messages import HELP_NOW_DATA, Acknowledgement, Message, Outgoing
from bot.schedule_times import DEFAULT_ZONE
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


@dataclass(frozen=True, slots=True)
class StartView:
    """A start screen's button: the field it posts (`dialog`, a due check-in's `choice`, or
    none for an invite's start), its value, its label, and when a due check-in closes."""

    name: str
    value: str
    label: str
    closes: str | None = None


_DATE_FORMAT = {"fi": "d. MMMM"}  # 4. maaliskuuta
_TIME_FORMAT = {"fi": "%H.%M"}  # klo 17.00


def closes(translator: Translator, closes_at: dt.datetime) -> str:
    """When a due check-in closes, in the person's words and the service's time zone."""
    local = closes_at.astimezone(ZoneInfo(DEFAULT_ZONE))
    pattern = _DATE_FORMAT.get(translator.language, "d MMMM")
    day = format_date(local.date(), format=pattern, locale=translator.language)
    time = local.strftime(_TIME_FORMAT.get(translator.language, "%H:%M"))
    return translator.gettext(texts.DUE_UNTIL).format(date=day, time=time)


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
    # "short" (scales, side by side), "wide", "skip", "help" ("I need help now"), or "more"
    # (more places to get help, under the help numbers)
    style: str


@dataclass(frozen=True, slots=True)
class MessageView:
    paragraphs: tuple[str, ...]
    question: str | None = None
    hint: str | None = None
    buttons: tuple[ButtonView, ...] = ()
    free_text: bool = False
    help: bool = False  # the help numbers: tappable, and a kiosk keeps them on screen


@dataclass
class Turn:
    """What one page shows: the person's last answer, the bot's messages after it."""

    said: str | None = None
    messages: list[MessageView] = field(default_factory=list)
    finished: bool = False
    start: bool = False  # the start screen: no conversation is running
    notice: str | None = None
    link: str | None = None  # a personal check-in link just made: shown this once

    @property
    def help(self) -> bool:
        """The turn shows help numbers (a kiosk keeps them until the person leaves them)."""
        return any(message.help for message in self.messages)


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
    if message.help:  # paragraphs, and the button to more places to get help
        buttons = tuple(ButtonView(b.data, b.label, "", b.label, "more") for b in message.buttons)
        return MessageView(_paragraphs(message.text), buttons=buttons, help=True)
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


def tel_links(numbers: Iterable[str]) -> Callable[[str], Markup]:
    """A template filter: the text, escaped, with each help number a `tel:` link, so that a
    phone dials it with one tap (the numbers of help_numbers.yaml, longest first)."""
    ordered = sorted({number for number in numbers if number.strip()}, key=len, reverse=True)
    if not ordered:
        return lambda text: escape(text)
    pattern = re.compile(r"(?<!\d)(%s)(?!\d)" % "|".join(map(re.escape, ordered)))  # noqa: UP031

    def link(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        return f'<a class="tel" href="tel:{digits}">{match.group(1)}</a>'

    def linked(text: str) -> Markup:
        return Markup(pattern.sub(link, str(escape(text))))  # noqa: S704 (escaped first)

    return linked
