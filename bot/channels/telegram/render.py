"""Messages as Telegram sees them: HTML-escaped text under 4096 characters, inline keyboards."""

from __future__ import annotations

import html

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Button, Message

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
SHORT_LABEL = 6  # labels this short ("😞 1", "7") share a row


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Escaped text in pieces of at most `limit` characters, cut at paragraphs, lines or words.

    The text is cut before escaping, so that no entity (&amp;) is ever cut in two.
    """
    pieces: list[str] = []
    rest = text
    while len(escape(rest)) > limit:
        cut = _cut(rest, limit)
        pieces.append(escape(rest[:cut].rstrip()))
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(escape(rest))
    return pieces


def _cut(text: str, limit: int) -> int:
    """The longest prefix whose escaped form fits, ending at the best boundary in it."""
    low, high = 1, len(text)
    while low < high:  # escaping only lengthens, so the fitting prefixes are a range
        middle = (low + high + 1) // 2
        if len(escape(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    for boundary in ("\n\n", "\n", " "):
        position = text.rfind(boundary, 0, low)
        if position > low // 2:
            return position + len(boundary)
    return low


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Short labels side by side (scales), long ones one per row, skip on a row of its own."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in buttons:
        if len(button.data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {button.data!r}")
        item = InlineKeyboardButton(text=button.label, callback_data=button.data)
        short = len(button.label) <= SHORT_LABEL and not button.data.endswith(":skip")
        if short and len(row) < 6:
            row.append(item)
            continue
        if row:
            rows.append(row)
            row = []
        if short:
            row.append(item)
        else:
            rows.append([item])
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def merge(messages: list[Message], limit: int = TEXT_LIMIT) -> list[Message]:
    """Join plain texts with the message after them, while the result fits in one message.

    Telegram allows about one message a second per chat; a greeting and the first question
    then arrive together instead of seconds apart.
    """
    merged: list[Message] = []
    for message in messages:
        previous = merged[-1] if merged else None
        joined = f"{previous.text}\n\n{message.text}" if previous else ""
        if previous is not None and not previous.buttons and len(escape(joined)) <= limit:
            merged[-1] = Message(
                joined, message.buttons, message.free_text, help=previous.help or message.help
            )
        else:
            merged.append(message)
    return merged
