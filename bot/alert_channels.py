"""The ways an alert reaches staff: e-mail (SMTP with STARTTLS or TLS), a signed webhook, and a
linked staff Telegram chat. Each is an `AlertChannel` (bot/alerts.py) that sends one `Notice`,
which holds no text and no name of the person (P3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from bot.i18n import Translator
from storage.tables import utc_now

if TYPE_CHECKING:  # aiogram takes seconds to import: only a configured bot needs it
    from aiogram import Bot

    from bot.alerts import Notice


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False  # smtps://; else STARTTLS is required
    tls_context: ssl.SSLContext | None = None
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str, *, sender: str, ca_file: str | None = None) -> SmtpSettings:
        """`smtp://user:pass@host:587` (STARTTLS) or `smtps://user:pass@host:465`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("KERRO_SMTP_URL must look like smtp://user:password@host:587")
        implicit = parts.scheme == "smtps"
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            tls_context=context,
        )


@dataclass
class EmailChannel:
    smtp: SmtpSettings

    async def send(self, *, address: str, notice: Notice, translator: Translator) -> None:
        import aiosmtplib

        message = EmailMessage()
        message["From"] = self.smtp.sender
        message["To"] = address
        message["Subject"] = notice.subject(translator)
        message["Date"] = format_datetime(utc_now())
        # The same delivery always has the same Message-ID, so that a copy sent again after
        # a crash can be recognised as the same message.
        message["Message-ID"] = f"<kerro-alert-{notice.delivery_key}@kerro.invalid>"
        message.set_content(notice.body(translator))
        await aiosmtplib.send(
            message,
            hostname=self.smtp.host,
            port=self.smtp.port,
            username=self.smtp.username,
            password=self.smtp.password,
            use_tls=self.smtp.implicit_tls,
            start_tls=not self.smtp.implicit_tls,
            tls_context=self.smtp.tls_context,
            timeout=self.smtp.timeout,
        )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


class WebhookError(RuntimeError):
    pass


@dataclass
class WebhookChannel:
    """POSTs the notice as JSON, signed: `X-Kerro-Timestamp` (Unix seconds) and
    `X-Kerro-Signature`. A receiver recomputes the signature and rejects old timestamps."""

    url: str
    secret: str
    timeout: float = 10.0
    now: Callable[[], float] = time.time

    async def send(self, *, address: str, notice: Notice, translator: Translator) -> None:
        import aiohttp

        body = json.dumps(notice.document(), separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(self.now()))
        headers = {
            "Content-Type": "application/json",
            "X-Kerro-Timestamp": timestamp,
            "X-Kerro-Signature": sign(self.secret, timestamp, body),
        }
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(self.url, data=body, headers=headers) as answer,
        ):
            if answer.status >= 300:
                raise WebhookError(f"the webhook answered {answer.status}")


@dataclass
class StaffTelegramChannel:
    """A plain message to a linked staff chat, through the bot."""

    bot: Bot

    async def send(self, *, address: str, notice: Notice, translator: Translator) -> None:
        text = f"{notice.subject(translator)}\n\n{notice.body(translator)}"
        await self.bot.send_message(chat_id=address, text=text, parse_mode=None)
