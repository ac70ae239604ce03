from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.channels.web import WebSettings
from bot.service import ConversationService
from tests.support.web import serve, web_app


@pytest.fixture
def web_settings() -> WebSettings:
    return WebSettings()


@pytest.fixture
def base_url(
    service: ConversationService, web_settings: WebSettings, unit_id: int
) -> Iterator[str]:
    with serve(web_app(service, web_settings)) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=base_url, timeout=30, headers={"Accept-Language": "en"}
    ) as http:
        yield http
