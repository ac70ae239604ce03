"""A real uvicorn server for the web channel's tests, in a thread of its own (so that the
synchronous Playwright API and async httpx tests can both drive it), and form helpers."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any

import uvicorn
from fastapi import FastAPI

from bot.app import create_public_app
from bot.channels.web import WebSettings, web_channel
from bot.service import ConversationService


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def web_app(service: ConversationService, settings: WebSettings | None = None) -> FastAPI:
    web = web_channel(service=service, keyring=service.keyring, settings=settings)
    return create_public_app(
        database=service.database, routers=[web.router], exception_handlers=web.handlers
    )


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve the app on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text
    textarea: bool = False

    def data(self, **extra: str) -> dict[str, str]:
        return {**self.fields, **extra}

    def button(self, text_or_value: str) -> tuple[str, str]:
        for name, value, text in self.buttons:
            if text_or_value in (value, text) or text.endswith(text_or_value):
                return name, value
        raise LookupError(f"no button {text_or_value!r} in {self.buttons}")


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
        elif tag == "input" and self.forms and a.get("type") == "hidden":
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and self.forms:
            self.forms[-1].textarea = True
        elif tag == "button" and self.forms:
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            name, value, text = self._button
            self.forms[-1].buttons.append((name, value, " ".join(text.split())))
            self._button = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def question_form(html: str) -> Form:
    """The page's last form that is not the language switch."""
    found = [f for f in forms(html) if not any(n == "lang" for n, _, _ in f.buttons)]
    assert found, html
    return found[-1]


def language_form(html: str) -> Form:
    return next(f for f in forms(html) if any(n == "lang" for n, _, _ in f.buttons))


def page_text(html: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
