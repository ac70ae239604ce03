"""/api/v1/docs works offline: every script, style and icon it loads is served by the staff app
itself (from a package installed with Kerro), none from a CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
from fastapi import FastAPI


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value)


async def test_the_docs_page_loads_only_what_the_staff_app_serves(staff_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=staff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://staff") as client:
        page = await client.get("/api/v1/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "http:" not in page.text
        assert "https:" not in page.text
        links = _Links()
        links.feed(page.text)
        urls = [*links.urls, *re.findall(r"url: '([^']+)'", page.text)]
        assert len(urls) >= 4, urls  # the style, the icon, the script and the description
        kinds = {}
        for url in urls:
            assert url.startswith("/api/v1/"), url  # local, not `//host/...`
            assert not url.startswith("//"), url
            answer = await client.get(url)
            assert answer.status_code == 200, url
            assert len(answer.content) > 0, url
            kinds[url.rsplit(".", 1)[-1]] = answer.headers["content-type"]
        assert "javascript" in kinds["js"]
        assert kinds["css"].startswith("text/css")
        assert kinds["json"].startswith("application/json")
        # the assets are the bundle itself, not an error page
        script = await client.get(next(url for url in urls if url.endswith(".js")))
        assert "SwaggerUIBundle" in script.text
