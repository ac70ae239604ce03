"""Keyed HMAC for look-ups and AES-GCM sealing for what must be read back (P2, P3).

Both keys derive from one secret that lives outside the database (KERRO_SECRET_KEY).
A sealed value is `v1.<base64url(nonce | ciphertext)>`, bound to its purpose, so a value
sealed as free text cannot be opened as an address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v1"
MIN_SECRET_BYTES = 32


class Purpose(StrEnum):
    """What a sealed value (or a keyed hash) is for; the value is bound into it.

    The values are part of the stored data: changing one makes what was sealed under it
    unreadable.
    """

    ANSWER_TEXT = "answer-text"  # a free-text answer (P2)
    CHAT_ADDRESS = "chat-address"  # a chat's address, to deliver the outbox and prompts to
    STAFF_CHAT = "staff-chat"  # a staff member's Telegram chat, for alerts
    FLAG_NOTE = "flag-note"  # a worker's note on a flag
    FLAG_WORDS = "flag-words"  # the client's words that decided a risk-screen flag
    WEB_SESSION = "web-session"  # the keyed hash that signs a web chat's session cookie


class SealError(ValueError):
    """A sealed value could not be opened: wrong key, wrong purpose or damaged."""


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kerro", info=info).derive(secret)


class Keyring:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the secret key must have at least {MIN_SECRET_BYTES} bytes")
        self._hmac_key = _derive(secret, b"address-hmac")
        self._aead = AESGCM(_derive(secret, b"seal"))

    def address_hmac(self, channel: str, address: str) -> str:
        message = f"{channel}\x00{address}".encode()
        return hmac.new(self._hmac_key, message, hashlib.sha256).hexdigest()

    def seal(self, plaintext: str, *, purpose: Purpose) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, *, purpose: Purpose) -> str:
        version, _, body = token.partition(".")
        if version != _VERSION:
            raise SealError("unknown seal version")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            return self._aead.decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except Exception as error:
            raise SealError("the sealed value cannot be opened") from error
