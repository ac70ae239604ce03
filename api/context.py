"""What the staff app's endpoints need, given by the factory (never read from settings here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from bot.alert_channels import SmtpSettings
from bot.i18n import Translations
from dialogs.themes import Lemmatizer
from storage.crypto import Keyring
from storage.db import Database
from storage.tables import utc_now


@dataclass(frozen=True)
class ApiContext:
    database: Database
    keyring: Keyring
    clock: Callable[[], dt.datetime] = field(default=utc_now)
    public_url: str = "http://127.0.0.1:8000"  # the public app, for web chat links
    telegram_bot_username: str | None = None
    invite_lifetime: dt.timedelta = dt.timedelta(days=14)
    alert_channels: frozenset[str] = frozenset()  # the alert channels configured (bot.alerts)
    on_schedule_change: Callable[[], None] | None = None  # the check-in scheduler syncs now
    lemmatizer: Lemmatizer | None = None  # Finnish lemmas (Voikko) for the feedback themes
    pages: PageSettings = field(default_factory=lambda: PageSettings())


@dataclass(frozen=True)
class PageSettings:
    """The staff pages: their languages, sessions, and the e-mail that sends sign-in links."""

    translations: Translations | None = None  # None: the shipped catalogs, read at start
    staff_url: str = "http://127.0.0.1:8001"  # where the staff pages are reached (e-mail links)
    smtp: SmtpSettings | None = None  # None: no sign-in links by e-mail
    idle: dt.timedelta = dt.timedelta(minutes=30)
    longest: dt.timedelta = dt.timedelta(hours=12)
    link_lifetime: dt.timedelta = dt.timedelta(minutes=15)
    secure_cookies: bool = False  # Secure cookies (always over https)
    poll_seconds: int = 20  # how often the inbox looks for new flags
    sign_in_per_minute: float = 10.0  # sign-in posts a minute from one client address


def get_context(request: Request) -> ApiContext:
    context = request.app.state.kerro
    assert isinstance(context, ApiContext)
    return context
