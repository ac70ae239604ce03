"""Keys that name a thing across the repositories."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChatKey:
    """One chat: its channel and the keyed hash of its address (P3), never the address."""

    channel: str
    address_hmac: str
