"""One error type for "show the person a page that says no", raised anywhere in the web
channel and turned into a page by one exception handler on the public app (`pages.install`)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.web import texts


class PageRefused(Exception):
    """A request the web chat refuses, with the page that says why (titles are msgids)."""

    def __init__(
        self, status: int, title: str, detail: str, params: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.params = status, title, detail, params or {}

    @classmethod
    def bad_request(cls, status: int = 400) -> PageRefused:
        return cls(status, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)

    @classmethod
    def not_found(cls) -> PageRefused:
        return cls(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)

    @classmethod
    def too_large(cls, limit: int) -> PageRefused:
        return cls(413, texts.TOO_LARGE_TITLE, texts.TOO_LARGE, {"limit": str(limit)})

    @classmethod
    def too_many(cls) -> PageRefused:
        return cls(429, texts.RATE_TITLE, texts.RATE)

    @classmethod
    def replayed(cls) -> PageRefused:
        return cls(409, texts.REPLAYED_TITLE, texts.REPLAYED)

    @classmethod
    def expired(cls) -> PageRefused:
        return cls(403, texts.EXPIRED_TITLE, texts.EXPIRED)

    @classmethod
    def unavailable(cls) -> PageRefused:
        return cls(503, texts.UNAVAILABLE_TITLE, texts.UNAVAILABLE)
