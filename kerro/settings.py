"""Settings from KERRO_* environment variables. Read by the factories, never at import time."""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n import LANGUAGES
from storage.crypto import MIN_SECRET_BYTES


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kerro"


class SettingsError(ValueError):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KERRO_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    secret_key: SecretStr | None = None
    host: str = "127.0.0.1"
    public_port: int = Field(default=8000, ge=1, le=65535)
    staff_port: int = Field(default=8001, ge=1, le=65535)
    default_language: str = "fi"
    conversation_ttl_hours: float = Field(default=24.0, gt=0)
    log_level: str = "INFO"
    public_url: str | None = None  # where Telegram reaches the public app (webhook)
    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_bot_username: str | None = Field(
        default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$"
    )  # for enrolment deep links, t.me/<username>?start=<code>
    telegram_webhook_secret: SecretStr | None = None
    telegram_rate: float = Field(default=30.0, gt=0)  # messages per second, overall
    telegram_chat_interval: float = Field(default=1.0, ge=0)  # seconds between sends to a chat
    telegram_lease_seconds: float = Field(
        default=30.0, gt=0
    )  # a send unconfirmed this long is retried
    web_session_minutes: float = Field(default=240.0, gt=0)  # a web chat session's life
    web_rate_per_session: float = Field(default=60.0, gt=0)  # page requests a minute
    web_rate_per_address: float = Field(default=600.0, gt=0)  # page requests a minute
    web_kiosk_idle_seconds: float = Field(default=60.0, ge=5)  # a kiosk starts over after this
    smtp_url: SecretStr | None = None  # smtp://user:password@host:587 (STARTTLS) or smtps://
    smtp_from: str = "kerro@localhost"
    smtp_ca_file: str | None = None  # trust this CA (e.g. an internal relay's) for TLS
    alert_webhook_url: str | None = None
    alert_webhook_secret: SecretStr | None = None
    staff_url: str = "http://127.0.0.1:8001"  # the staff pages' address: alert and sign-in links
    staff_idle_minutes: float = Field(default=30.0, gt=0)  # a staff page session ends idle
    staff_secure_cookies: bool = False  # Secure staff cookies (always when served over https)
    alert_escalate_minutes: float = Field(default=15.0, gt=0)
    alert_lease_seconds: float = Field(default=60.0, gt=0)  # an unconfirmed alert is resent
    scheduler_sync_seconds: float = Field(default=30.0, gt=0)  # re-read the schedules this often
    scheduler_grace_minutes: float = Field(default=60.0, ge=0)  # a slot this late is still sent
    scheduler_hold_seconds: float = Field(default=0.0, ge=0)  # failure drills only (bot.scheduler)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.default_language not in LANGUAGES:
            raise ValueError(f"KERRO_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        if self.telegram_token is not None and self.public_url and not self.webhook_secret:
            raise ValueError(
                "KERRO_TELEGRAM_WEBHOOK_SECRET must be set when Telegram sends to KERRO_PUBLIC_URL"
            )
        if self.alert_webhook_url and not (
            self.alert_webhook_secret and self.alert_webhook_secret.get_secret_value()
        ):
            raise ValueError("KERRO_ALERT_WEBHOOK_SECRET must be set with KERRO_ALERT_WEBHOOK_URL")
        if self.smtp_url is not None and not self.smtp_url.get_secret_value().startswith(
            ("smtp://", "smtps://")
        ):
            raise ValueError("KERRO_SMTP_URL must look like smtp://user:password@host:587")
        if self.environment is not Environment.DEVELOPMENT:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(key.encode()) < MIN_SECRET_BYTES:
                raise ValueError(
                    f"KERRO_SECRET_KEY must be set to at least {MIN_SECRET_BYTES} random bytes "
                    f"outside development (e.g. `python3 -c 'import secrets; "
                    f"print(secrets.token_urlsafe(48))'`)"
                )
        return self

    @property
    def webhook_secret(self) -> str | None:
        secret = self.telegram_webhook_secret
        return secret.get_secret_value() if secret and secret.get_secret_value() else None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'kerro.db'}"

    def secret(self) -> bytes:
        """The key material for HMAC and sealing; it lives outside the database.

        In development without KERRO_SECRET_KEY, a random key is made once and kept in the
        data directory (readable by the owner only).
        """
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value().encode()
            if len(value) < MIN_SECRET_BYTES:
                raise SettingsError(f"KERRO_SECRET_KEY needs at least {MIN_SECRET_BYTES} bytes")
            return value
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()
