"""Telegram updates to channel-neutral inbound events, through an aiogram router.

Every update type is handled: what the bot cannot use gets a short friendly reply, and what
needs no reply (a channel post, a poll answer, an inline query) is acknowledged and ignored.
The bot talks in private chats only, and says so once in a group.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update

from bot.commands import ALIASES, NAMES
from bot.messages import CODE, TELEGRAM, Handled, Inbound, Kind
from bot.service import ConversationService

CHANNEL = TELEGRAM
COMMANDS = (*NAMES, *ALIASES)  # /apu, /hjalp and /hjälp too
DEEP_LINK = CODE
_COMMAND = re.compile(r"^/([^\W\d]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def _language(user: Any) -> str | None:
    code = getattr(user, "language_code", None)
    return code if isinstance(code, str) else None


def _inbound(update: Update, chat_id: int, kind: Kind, payload: str, **extra: Any) -> Inbound:
    return Inbound(
        channel=CHANNEL,
        address=str(chat_id),
        update_key=str(update.update_id),
        kind=kind,
        payload=payload,
        **extra,
    )


def command_payload(text: str) -> str:
    """'/start abc' -> 'start abc'; unknown commands and bad deep links -> the menu."""
    match = _COMMAND.match(text.strip())
    if match is None or match.group(1).lower() not in COMMANDS:
        return "menu"
    name, argument = match.group(1).lower(), (match.group(2) or "").strip()
    if name == "start" and argument and not DEEP_LINK.match(argument):
        return "start invalid-link"
    return f"{name} {argument}".strip()


def create_router(service: ConversationService) -> Router:
    router = Router(name="kerro")
    private = F.chat.type == ChatType.PRIVATE

    async def handle(inbound: Inbound) -> Handled:
        return await service.handle(inbound)

    @router.message(~private)
    async def in_a_group(message: Message, event_update: Update) -> Handled | None:
        if message.chat.type == ChatType.CHANNEL:
            return None
        language = _language(message.from_user)
        inbound = _inbound(event_update, message.chat.id, Kind.COMMAND, "group", language=language)
        return await handle(inbound)

    @router.edited_message(private)
    async def edited(message: Message, event_update: Update) -> Handled:
        language = _language(message.from_user)
        inbound = _inbound(event_update, message.chat.id, Kind.COMMAND, "edited", language=language)
        return await handle(inbound)

    @router.message(private, F.forward_origin)
    async def forwarded(message: Message, event_update: Update) -> Handled:
        language = _language(message.from_user)
        inbound = _inbound(
            event_update, message.chat.id, Kind.COMMAND, "forwarded", language=language
        )
        return await handle(inbound)

    @router.message(private, F.text.startswith("/"))
    async def command(message: Message, event_update: Update) -> Handled:
        assert message.text is not None
        payload = command_payload(message.text)
        inbound = _inbound(
            event_update,
            message.chat.id,
            Kind.COMMAND,
            payload,
            language=_language(message.from_user),
        )
        return await handle(inbound)

    @router.message(private, F.text)
    async def text(message: Message, event_update: Update) -> Handled:
        assert message.text is not None
        inbound = _inbound(
            event_update,
            message.chat.id,
            Kind.TEXT,
            message.text,
            language=_language(message.from_user),
        )
        return await handle(inbound)

    @router.message(private)
    async def unsupported(message: Message, event_update: Update) -> Handled:
        language = _language(message.from_user)
        inbound = _inbound(
            event_update, message.chat.id, Kind.COMMAND, "unsupported", language=language
        )
        return await handle(inbound)

    @router.callback_query()
    async def button(query: CallbackQuery, event_update: Update) -> Handled | None:
        if query.message is None or query.message.chat.type != ChatType.PRIVATE:
            return None  # an inline-mode button, or one in a group: nothing to answer here
        chat_id = query.message.chat.id
        reference: dict[str, str | int] = {"callback_query_id": query.id}
        message = query.message
        if isinstance(message, Message):
            reference["message_id"] = message.message_id
            if message.text is not None:
                reference["text"] = message.text
        inbound = _inbound(
            event_update,
            chat_id,
            Kind.CHOICE,
            query.data or "",
            language=_language(query.from_user),
            reference=reference,
        )
        return await handle(inbound)

    @router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=KICKED))
    async def blocked(event: ChatMemberUpdated) -> None:
        if event.chat.type == ChatType.PRIVATE:
            await service.set_chat_active(CHANNEL, str(event.chat.id), active=False)

    @router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    async def unblocked(event: ChatMemberUpdated) -> None:
        if event.chat.type == ChatType.PRIVATE:
            await service.set_chat_active(CHANNEL, str(event.chat.id), active=True)

    return router
