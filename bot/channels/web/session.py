"""Web sessions, CSRF tokens, form nonces and rate limits. Nothing of it is stored.

A session is a random token in a cookie, with its issue time and a keyed MAC, so that an
expired or forged cookie is refused without a table. The token is the chat's address: the
conversation service finds the running conversation by its HMAC, like any channel's.

The CSRF token of a form is a keyed hash of the session token (tied to the session); each
form also carries a random nonce, the update key of what it sends, so that a replayed post is
a duplicate (R2). The nonce is unrelated to the session (P1).
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from storage.crypto import Purpose


class Keyring(Protocol):
    """The keyed hash that signs a session and its forms (storage's `Keyring` is one)."""

    def address_hmac(self, channel: str, address: str) -> str: ...


COOKIE = "kerro_session"
LANGUAGE_COOKIE = "kerro_language"
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_MAC_LENGTH = 32


@dataclass(frozen=True, slots=True)
class WebSession:
    token: str
    issued: int  # seconds since the epoch

    def cookie_value(self, keyring: Keyring) -> str:
        return f"{self.token}.{self.issued}.{_mac(keyring, self.token, self.issued)}"


def _mac(keyring: Keyring, token: str, issued: int) -> str:
    return keyring.address_hmac(Purpose.WEB_SESSION, f"{token}.{issued}")[:_MAC_LENGTH]


def new_session(now: float | None = None) -> WebSession:
    return WebSession(secrets.token_urlsafe(32), int(time.time() if now is None else now))


def read_session(
    keyring: Keyring, value: str | None, *, max_age: float, now: float | None = None
) -> WebSession | None:
    """The session of a cookie; None when it is missing, forged or expired."""
    if not value or len(value) > 200:
        return None
    token, _, rest = value.partition(".")
    issued_text, _, mac = rest.partition(".")
    if not _TOKEN.match(token) or not issued_text.isdigit():
        return None
    issued = int(issued_text)
    if not hmac.compare_digest(mac, _mac(keyring, token, issued)):
        return None
    age = (time.time() if now is None else now) - issued
    if age < -60 or age > max_age:
        return None
    return WebSession(token, issued)


def csrf_token(keyring: Keyring, session: WebSession) -> str:
    return keyring.address_hmac("web-csrf", session.token)[:_MAC_LENGTH]


def csrf_ok(keyring: Keyring, session: WebSession, given: str) -> bool:
    return hmac.compare_digest(given.encode(), csrf_token(keyring, session).encode())


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class RateLimiter:
    """Token buckets in this process's memory: `per_minute` requests a minute, with a burst.

    Per process; with several processes on one PostgreSQL the web chat counts in the database
    instead (`bot.pacing.SharedBuckets`, docs/DEPLOYMENT.md).
    """

    per_minute: float
    burst: float | None = None
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 50_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = self.clock()
        capacity = self.burst if self.burst is not None else max(1.0, self.per_minute)
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.max_keys:
            self._prune(now, capacity, rate)
        return allowed

    def retry_after(self) -> int:
        return max(1, int(60.0 / max(self.per_minute, 1.0)) + 1)

    def _prune(self, now: float, capacity: float, rate: float) -> None:
        """Forget the buckets that have filled up again (they limit nothing)."""
        full = [
            key
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * rate >= capacity
        ]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) > self.max_keys:  # still too many: drop the oldest
            del self._buckets[next(iter(self._buckets))]
