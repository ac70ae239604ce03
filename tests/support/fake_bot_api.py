"""A local Bot API server for tests: records every call and checks it against the Bot API's
rules (method names, required fields, text length, callback data bytes, keyboard shape,
HTML that parses). It can be told to answer 429, 403 or 500, and to hold calls back.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import socket
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_ID = 123456
TOKEN = f"{BOT_ID}:TEST-token-for-the-fake-bot-api"

REQUIRED: dict[str, tuple[str, ...]] = {
    "getMe": (),
    "sendMessage": ("chat_id", "text"),
    "editMessageText": ("text",),
    "editMessageReplyMarkup": (),
    "answerCallbackQuery": ("callback_query_id",),
    "setMyCommands": ("commands",),
    "deleteMyCommands": (),
    "setWebhook": ("url",),
    "deleteWebhook": (),
    "getUpdates": (),
    "getWebhookInfo": (),
    "close": (),
}
JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "link_preview_options"}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
    "span",
}


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.problems: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed_length(text: str) -> tuple[int, list[str]]:
    """The length Telegram counts for HTML text, and what is wrong with the markup."""
    problems = []
    if re.search(r"&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        problems.append("a bare & (not an entity)")
    parser = _Html()
    parser.feed(text)
    parser.close()
    if parser.stack:
        problems.append(f"unclosed <{parser.stack[-1]}>")
    return len(html.unescape("".join(parser.text))), problems + parser.problems


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived (system-wide clock)


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int | None
    chat_id: str | None
    times: int


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    answered: list[Call] = field(default_factory=list)  # calls that got a successful answer
    violations: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    hold: asyncio.Event | None = None  # while set here, sendMessage hangs and is never answered
    updates: list[dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sent(self, method: str = "sendMessage", chat_id: str | None = None) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.calls
            if c.method == method and (chat_id is None or str(c.params.get("chat_id")) == chat_id)
        ]

    def answered_texts(self) -> list[str]:
        return [str(c.params["text"]) for c in self.answered if c.method == "sendMessage"]

    def fail(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        chat_id: str | None = None,
        times: int = 1,
    ) -> None:
        self.failures.append(Failure(method, status, retry_after, chat_id, times))

    async def start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        for failure in self.failures:
            chat = failure.chat_id
            if failure.method == method and (chat is None or str(params.get("chat_id")) == chat):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params: dict[str, Any] = {}
        if request.method == "POST":
            form = await request.post()
            for key, value in form.items():
                text = value if isinstance(value, str) else str(value)
                params[key] = json.loads(text) if key in JSON_FIELDS else text
        if token != TOKEN:
            return self._error(401, "Unauthorized")
        arrived = Call(method, params)
        self.calls.append(arrived)
        problems = self._check(method, params)
        if problems:
            self.violations.extend(f"{method}: {p}" for p in problems)
            return self._error(400, "Bad Request: " + "; ".join(problems))
        failure = self._failure_for(method, params)
        if failure is not None:
            if failure.status == 429:
                return self._error(
                    429,
                    f"Too Many Requests: retry after {failure.retry_after}",
                    {"retry_after": failure.retry_after or 1},
                )
            if failure.status == 403:
                return self._error(403, "Forbidden: bot was blocked by the user")
            return self._error(failure.status, "Internal Server Error")
        if method == "sendMessage" and self.hold is not None:
            await self.hold.wait()  # a held call is never answered: it stands for a lost send
            return web.Response(status=503)
        self.answered.append(arrived)
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _check(self, method: str, params: dict[str, Any]) -> list[str]:
        if method not in REQUIRED:
            return [f"unknown method {method}"]
        problems = [f"missing {name}" for name in REQUIRED[method] if not params.get(name)]
        if "text" in params:
            text = str(params["text"])
            if params.get("parse_mode") == "HTML":
                length, markup_problems = parsed_length(text)
                problems.extend(markup_problems)
            else:
                length = len(text)
            if not 1 <= length <= 4096:
                problems.append(f"text of {length} characters (1-4096)")
        if method.startswith("edit") and not (
            params.get("inline_message_id") or (params.get("chat_id") and params.get("message_id"))
        ):
            problems.append("an edit needs chat_id and message_id")
        markup = params.get("reply_markup")
        if markup is not None:
            problems.extend(self._check_keyboard(markup))
        return problems

    @staticmethod
    def _check_keyboard(markup: Any) -> list[str]:
        if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
            return ["reply_markup is not an inline keyboard"]
        problems = []
        rows = markup["inline_keyboard"]
        if sum(len(row) for row in rows) > 100:
            problems.append("over 100 buttons")
        for row in rows:
            if not isinstance(row, list) or not 1 <= len(row) <= 8:
                problems.append("a keyboard row has 1-8 buttons")
                continue
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    problems.append("a button without text")
                    continue
                actions = [
                    k for k in ("callback_data", "url", "switch_inline_query") if k in button
                ]
                if len(actions) != 1:
                    problems.append("a button needs exactly one action")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    problems.append(f"callback_data of {len(str(data).encode())} bytes (1-64)")
        return problems

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Kerro",
                "username": "kerro_test_bot",
            }
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return updates
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = params.get("chat_id", 1)
            return {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": 1767225600,
                "chat": {"id": int(chat_id), "type": "private"},
                "text": html.unescape(re.sub(r"<[^>]+>", "", str(params.get("text", "")))),
            }
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    @staticmethod
    def _error(
        status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)
