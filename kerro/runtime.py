"""Wiring: build the parts from settings, once, in one place."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI

from api.app import create_staff_app
from api.context import ApiContext, PageSettings
from bot.alert_channels import EmailChannel, SmtpSettings, StaffTelegramChannel, WebhookChannel
from bot.alerts import EMAIL, TELEGRAM, WEBHOOK, AlertChannel, AlertSender, AlertSettings
from bot.app import create_public_app
from bot.channels.web import WebSettings, web_channel
from bot.i18n import Translations
from bot.pacing import SharedBuckets
from bot.scheduler import CheckinScheduler, SchedulerSettings
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.model import Dialog
from dialogs.risk import RiskScreen, voikko_lemmatizer
from kerro.settings import Settings
from storage.crypto import Keyring
from storage.db import Database
from storage.tables import utc_now

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # aiogram takes seconds to import: only `serve` with a token needs it
    from aiogram import Bot, Dispatcher

    from bot.channels.telegram.sender import TelegramSender


@dataclass
class Telegram:
    bot: Bot
    dispatcher: Dispatcher
    sender: TelegramSender
    secret: str | None

    def webhook(self) -> APIRouter | None:
        from bot.channels.telegram.webhook import webhook_router

        if self.secret is None:
            return None
        return webhook_router(
            dispatcher=self.dispatcher,
            bot=self.bot,
            secret=self.secret,
            on_processed=self.sender.wake,
        )


@dataclass
class Runtime:
    settings: Settings
    database: Database
    dialogs: dict[str, Dialog]
    translations: Translations
    keyring: Keyring
    service: ConversationService
    alerts: AlertSender
    telegram: Telegram | None
    scheduler: CheckinScheduler

    def public_app(self) -> FastAPI:
        webhook = self.telegram.webhook() if self.telegram else None
        routers = [webhook] if webhook is not None else []
        shared = None
        if not self.database.is_sqlite:  # other processes may answer too: count together
            shared = SharedBuckets(self.database, self.keyring).take
        web = web_channel(
            service=self.service,
            keyring=self.keyring,
            settings=web_settings(self.settings),
            shared_limit=shared,
        )
        routers.append(web.router)
        return create_public_app(
            database=self.database, routers=routers, exception_handlers=web.handlers
        )

    def staff_app(self) -> FastAPI:
        settings = self.settings
        public_url = settings.public_url or f"http://{settings.host}:{settings.public_port}"
        context = ApiContext(
            database=self.database,
            keyring=self.keyring,
            clock=self.service.clock,
            public_url=public_url.rstrip("/"),
            telegram_bot_username=settings.telegram_bot_username,
            alert_channels=frozenset(self.alerts.channels),
            on_schedule_change=self.scheduler.changed,
            lemmatizer=self.service.risk_screen.lemmatizer,
            pages=PageSettings(
                translations=self.translations,
                staff_url=settings.staff_url.rstrip("/"),
                smtp=smtp_settings(settings),
                idle=dt.timedelta(minutes=settings.staff_idle_minutes),
                secure_cookies=settings.staff_secure_cookies
                or settings.staff_url.startswith("https://"),
            ),
        )
        return create_staff_app(context=context)

    async def aclose(self) -> None:
        if self.telegram is not None:
            await self.telegram.bot.session.close()
        self.close()

    def close(self) -> None:
        self.database.dispose()


def web_settings(settings: Settings) -> WebSettings:
    return WebSettings(
        session_minutes=settings.web_session_minutes,
        rate_per_session=settings.web_rate_per_session,
        rate_per_address=settings.web_rate_per_address,
        kiosk_idle_seconds=settings.web_kiosk_idle_seconds,
        public_url=settings.public_url,
    )


def build(settings: Settings) -> Runtime:
    """Every part, in the order they depend on each other, each handed what it needs:
    the bot (when configured), the alert channels, the alert sender, the conversation
    service (which wakes the sender), then Telegram's dispatcher and outbox sender."""
    database = Database.from_url(settings.effective_database_url)
    dialogs = load_directory()
    help_numbers = HelpNumbers.load()
    translations = Translations.load(default=settings.default_language, help_numbers=help_numbers)
    keyring = Keyring(settings.secret())
    risk_screen = RiskScreen.load(lemmatizer=voikko_lemmatizer())
    if risk_screen.uses_lemmas:  # without Voikko, dialogs.risk has said so in one line
        log.info("risk screen: Finnish lemmas from Voikko")
    bot = build_bot(settings)
    channels = alert_channels(settings)
    if bot is not None:
        channels[TELEGRAM] = StaffTelegramChannel(bot)
    alert_sender = build_alerts(settings, database, keyring, translations, channels)
    service = ConversationService(
        database=database,
        dialogs=dialogs,
        keyring=keyring,
        translations=translations,
        conversation_ttl=dt.timedelta(hours=settings.conversation_ttl_hours),
        risk_screen=risk_screen,
        help_numbers=help_numbers,
        on_flag=alert_sender.wake,
    )
    telegram = None if bot is None else build_telegram(settings, bot, service, database, keyring)
    scheduler = CheckinScheduler(
        database=database,
        translations=translations,
        settings=SchedulerSettings(
            sync_every=settings.scheduler_sync_seconds,
            grace=dt.timedelta(minutes=settings.scheduler_grace_minutes),
            hold=settings.scheduler_hold_seconds,
        ),
        on_queued=None if telegram is None else telegram.sender.wake,
    )
    return Runtime(
        settings,
        database,
        dialogs,
        translations,
        keyring,
        service,
        alert_sender,
        telegram,
        scheduler,
    )


def alert_channels(settings: Settings) -> dict[str, AlertChannel]:
    """E-mail and the webhook, where they are set up (staff Telegram comes with the bot)."""
    channels: dict[str, AlertChannel] = {}
    smtp = smtp_settings(settings)
    if smtp is not None:
        channels[EMAIL] = EmailChannel(smtp)
    if settings.alert_webhook_url and settings.alert_webhook_secret is not None:
        channels[WEBHOOK] = WebhookChannel(
            url=settings.alert_webhook_url,
            secret=settings.alert_webhook_secret.get_secret_value(),
        )
    return channels


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    """The e-mail server of alerts and sign-in links, where one is set up."""
    if settings.smtp_url is None:
        return None
    return SmtpSettings.from_url(
        settings.smtp_url.get_secret_value(),
        sender=settings.smtp_from,
        ca_file=settings.smtp_ca_file,
    )


def build_alerts(
    settings: Settings,
    database: Database,
    keyring: Keyring,
    translations: Translations,
    channels: dict[str, AlertChannel],
) -> AlertSender:
    return AlertSender(
        database=database,
        keyring=keyring,
        translations=translations,
        channels=channels,
        settings=AlertSettings(
            staff_url=settings.staff_url,
            escalate_after=dt.timedelta(minutes=settings.alert_escalate_minutes),
            lease=dt.timedelta(seconds=settings.alert_lease_seconds),
        ),
        clock=utc_now,
    )


def build_bot(settings: Settings) -> Bot | None:
    if settings.telegram_token is None:
        return None
    from bot.channels.telegram.setup import create_bot

    return create_bot(
        settings.telegram_token.get_secret_value(), api_base=settings.telegram_api_base
    )


def build_telegram(
    settings: Settings,
    bot: Bot,
    service: ConversationService,
    database: Database,
    keyring: Keyring,
) -> Telegram:
    from aiogram import Dispatcher

    from bot.channels.telegram.inbound import create_router
    from bot.channels.telegram.sender import SENDING_LEADER, SenderSettings, TelegramSender
    from storage.leader import LeaderLock

    dispatcher = Dispatcher()
    dispatcher.include_router(create_router(service))
    sender = TelegramSender(
        database=database,
        bot=bot,
        keyring=keyring,
        settings=SenderSettings(
            rate=settings.telegram_rate,
            chat_interval=settings.telegram_chat_interval,
            lease=dt.timedelta(seconds=settings.telegram_lease_seconds),
        ),
        leader=LeaderLock(database.engine, key=SENDING_LEADER),
    )
    return Telegram(bot, dispatcher, sender, settings.webhook_secret)
