"""Building the bot, and telling Telegram about it: commands per language, the webhook."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand

from bot.channels.telegram.webhook import PATH
from bot.commands import NAMES
from bot.i18n import LANGUAGES, Translations
from bot.messages import HELP_NOW, HELP_NOW_LABEL
from dialogs.model import N_

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# Telegram's command menu, in this order: every command the bot knows (`commands.NAMES`)
# but /start, which Telegram's own button and deep links send. "I need help now" comes first,
# under the name of the menu's language (Telegram's command names are [a-z0-9_]); every name
# works in every language.
_DESCRIPTIONS = {
    HELP_NOW: HELP_NOW_LABEL,
    "checkin": N_("A check-in from your worker"),
    "feedback": N_("Give feedback, anonymously"),
    "info": N_("What is happening to me?"),
    "language": N_("Choose the language"),
    "help": N_("What this bot is and does"),
    "stop": N_("No more check-in reminders"),
    "forget": N_("Erase what is stored about you"),
    "menu": N_("All choices"),
}
_NOT_IN_THE_MENU = {"start"}
if set(_DESCRIPTIONS) != set(NAMES) - _NOT_IN_THE_MENU:  # a new command needs its menu line
    raise RuntimeError("the Telegram command menu does not match commands.NAMES")
COMMAND_DESCRIPTIONS = tuple(_DESCRIPTIONS.items())
HELP_NOW_COMMAND = {"fi": "apu", "sv": "hjalp", "en": HELP_NOW}


def menu_name(name: str, language: str) -> str:
    """A command's name in the menu of this language."""
    return HELP_NOW_COMMAND[language] if name == HELP_NOW else name


def create_bot(token: str, *, api_base: str) -> Bot:
    """A bot that talks to the Bot API at `api_base` (tests point it at a local server)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")))
    return Bot(token, session=session)


async def register_commands(bot: Bot, translations: Translations) -> None:
    """The command list in each language; Telegram shows the one of the user's app."""
    for language in (None, *LANGUAGES):
        translator = translations.get(language)
        commands = [
            BotCommand(
                command=menu_name(name, translator.language),
                description=translator.gettext(description),
            )
            for name, description in COMMAND_DESCRIPTIONS
        ]
        await bot.set_my_commands(commands, language_code=language)


async def register_webhook(bot: Bot, *, public_url: str, secret: str) -> None:
    await bot.set_webhook(
        url=public_url.rstrip("/") + PATH,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
    )
    log.info("telegram webhook registered")
