"""What the staff app's endpoints need, given by the factory (never read from settings here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

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


def get_context(request: Request) -> ApiContext:
    context = request.app.state.kerro
    assert isinstance(context, ApiContext)
    return context
