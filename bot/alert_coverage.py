"""Whether a flag can reach anybody: the alert channels configured, and each unit's on-call
address. Said at start-up (a log warning), by the staff app's /readyz and by GET /units/{id}."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from bot.alerts import EMAIL, WEBHOOK
from storage.tables import Unit

NO_CHANNEL = (
    "no alert channel is configured (KERRO_SMTP_URL, KERRO_ALERT_WEBHOOK_URL or"
    " KERRO_TELEGRAM_TOKEN): flags alert nobody"
)
NO_ON_CALL = (
    "no on-call address: anonymous flags, and those of clients without a caseworker, alert nobody"
)
NO_EMAIL = "the on-call address gets no e-mail: KERRO_SMTP_URL is not set"
MAX_CODES = 10


def unit_gap(channels: Collection[str], *, on_call_email: str | None) -> str | None:
    """Why some of the unit's flags would alert nobody, or None when every flag reaches
    somebody (the webhook takes them all; else e-mail to the on-call address)."""
    if not channels:
        return NO_CHANNEL
    if WEBHOOK in channels:
        return None
    if on_call_email is None:
        return NO_ON_CALL
    if EMAIL not in channels:
        return NO_EMAIL
    return None


def warnings(channels: Collection[str], units: Iterable[Unit]) -> list[str]:
    """What an operator should hear about: no channel at all, or units whose flags may
    alert nobody (named by code)."""
    if not channels:
        return [NO_CHANNEL]
    gaps: dict[str, list[str]] = {}
    for unit in units:
        gap = unit_gap(channels, on_call_email=unit.on_call_email)
        if gap is not None:
            gaps.setdefault(gap, []).append(unit.code)
    found = []
    for gap, codes in gaps.items():
        named = ", ".join(codes[:MAX_CODES]) + (", ..." if len(codes) > MAX_CODES else "")
        found.append(f"{len(codes)} unit(s) ({named}): {gap}")
    return found
