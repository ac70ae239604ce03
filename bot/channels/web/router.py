"""The web chat and the feedback kiosk: server-rendered pages on the public app.

A page post becomes an `Inbound` on the channel "web" (a button: Kind.CHOICE, typed text:
Kind.TEXT, a start: Kind.BEGIN or Kind.COMMAND), whose address is the session token and whose
update key is the form's nonce. After the service committed, the chat's outbox is delivered
at once, into the page that answers the post. Without JavaScript every answer is a whole
page; with it (static/kerro.js) the same pages update in place.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import Any

import jinja2
import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from bot import commands, qr
from bot.channels.web import texts
from bot.channels.web.session import (
    COOKIE,
    LANGUAGE_COOKIE,
    NONCE,
    RateLimiter,
    WebSession,
    csrf_ok,
    csrf_token,
    new_nonce,
    new_session,
    read_session,
)
from bot.delivery import deliver_chat
from bot.i18n import LANGUAGES, normalise_language
from bot.messages import Acknowledgement, Handled, Inbound, Kind, Message, Outgoing, render
from bot.service import ConversationService
from dialogs import engine
from dialogs.model import Start
from storage.repositories import units

log = logging.getLogger(__name__)

CHANNEL = "web"
MAX_BODY = 16_384  # bytes of one form post
MAX_TEXT = 4000  # characters of typed text (a dialog's own limit may be lower)
MAX_FIELD = 200  # characters of any other field
MAX_FIELDS = 12
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # unit codes and invite codes
_CHOICE = re.compile(r"^[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_.+-]{1,64}$")
_EMOJI_LABEL = re.compile(r"^([^\w\s]+)\s+(\S.*)$")
SHORT_LABEL = 6
UNIT_CACHE_SECONDS = 30.0  # a unit's name is looked up at most this often
KIOSK_DIALOG = "open_feedback"
# What a unit's page offers; all of them anonymous (the person is not known here).
UNIT_DIALOGS = (
    ("open_feedback", commands.MENU_FEEDBACK),
    ("youth_checkin", texts.START_YOUTH),
    ("child_checkin", texts.START_CHILD),
    ("parent_service", texts.START_PARENT),
)
DATABASE_AWAY = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


class Page(StrEnum):
    CHAT = "chat"  # /chat/{unit}
    INVITE = "invite"  # /chat/i/{invite}
    KIOSK = "kiosk"  # /kiosk/{unit}


@dataclass(frozen=True, slots=True)
class WebSettings:
    session_minutes: float = 240.0
    rate_per_session: float = 60.0  # requests a minute
    rate_per_address: float = 600.0
    kiosk_idle_seconds: float = 60.0
    kiosk_thanks_seconds: float = 8.0


@dataclass(frozen=True, slots=True)
class ButtonView:
    data: str
    label: str  # the whole label, for the accessible name
    emoji: str  # a leading emoji, shown beside the words, hidden from screen readers
    words: str
    style: str  # "short" (scales, side by side), "wide", or "skip"


@dataclass(frozen=True, slots=True)
class MessageView:
    paragraphs: tuple[str, ...]
    question: str | None = None
    hint: str | None = None
    buttons: tuple[ButtonView, ...] = ()
    free_text: bool = False


@dataclass
class Turn:
    """What one page shows: the person's last answer, the bot's messages after it."""

    said: str | None = None
    messages: list[MessageView] = field(default_factory=list)
    finished: bool = False
    start: bool = False  # the start screen: no conversation is running
    notice: str | None = None


class _Refused(Exception):
    def __init__(
        self, status: int, title: str, detail: str, params: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.params = status, title, detail, params or {}


def button_view(data: str, label: str) -> ButtonView:
    choice = data.partition(":")[2]
    match = _EMOJI_LABEL.match(label)
    emoji, words = (match.group(1), match.group(2)) if match else ("", label)
    if choice == engine.SKIP:
        style = "skip"
    elif len(label) <= SHORT_LABEL:
        style = "short"
    else:
        style = "wide"
    return ButtonView(data, label, emoji, words, style)


def message_view(message: Message) -> MessageView:
    if not message.buttons and not message.free_text:
        return MessageView(_paragraphs(message.text))
    question, _, hint = message.text.partition("\n")
    return MessageView(
        (),
        question=question.strip(),
        hint=hint.strip() or None,
        buttons=tuple(button_view(b.data, b.label) for b in message.buttons),
        free_text=message.free_text,
    )


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("\n\n") if part.strip())


def accepted_language(header: str | None) -> str | None:
    """The first of fi, sv, en in an Accept-Language header, by preference."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().split("-")[0].lower()
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, position, base))
    return min(ranked)[2] if ranked else None


async def _read_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


def _static_files() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("bot.channels.web") / "static"
    files: dict[str, tuple[bytes, str]] = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in STATIC_TYPES:
            files[entry.name] = (entry.read_bytes(), STATIC_TYPES[suffix])
    return files


class WebChat:
    def __init__(self, service: ConversationService, settings: WebSettings) -> None:
        self.service = service
        self.settings = settings
        self.keyring = service.keyring
        self.session_limit = RateLimiter(settings.rate_per_session)
        self.address_limit = RateLimiter(settings.rate_per_address)
        self.static = _static_files()
        self._units: dict[str, tuple[str, float]] = {}  # code -> (name, valid until)
        self.versions = {
            name: hashlib.sha256(body).hexdigest()[:10] for name, (body, _) in self.static.items()
        }
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.channels.web", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.templates.globals["static"] = lambda name: (
            f"/static/web/{name}?v={self.versions.get(name, '0')}"
        )
        self.templates.globals["language_names"] = commands.LANGUAGE_NAMES

    # ---- what every page needs

    def ui_language(self, request: Request, *, cookie: bool = True) -> str:
        """?lang= on a page load, else the person's choice (a cookie), else the browser's."""
        asked = home_language(request)
        saved = request.cookies.get(LANGUAGE_COOKIE) if cookie else None
        if asked is not None and (request.method == "GET" or saved not in LANGUAGES):
            return asked
        if saved in LANGUAGES:
            return str(saved)
        accepted = accepted_language(request.headers.get("accept-language"))
        return accepted or normalise_language(None, self.service.translations.default)

    def page(
        self,
        template: str,
        *,
        language: str,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        translator = self.service.translations.get(language)
        body = self.templates.get_template(template).render(
            lang=translator.language,
            ui=texts.page_texts(translator),
            nonce=new_nonce,
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        self.secure(response)
        return response

    @staticmethod
    def secure(response: Response) -> None:
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"

    def refused(self, error: _Refused, language: str, back: str | None) -> HTMLResponse:
        translator = self.service.translations.get(language)
        detail = translator.gettext(error.detail).format(**error.params)
        response = self.page(
            "error.html",
            language=language,
            status=error.status,
            title=translator.gettext(error.title),
            detail=detail,
            back=back,
        )
        if error.status in (429, 503):
            response.headers["Retry-After"] = str(
                self.session_limit.retry_after() if error.status == 429 else 30
            )
        return response

    def set_session(self, request: Request, response: Response, session: WebSession) -> None:
        response.set_cookie(
            COOKIE,
            session.cookie_value(self.keyring),
            max_age=int(self.settings.session_minutes * 60),
            path="/",
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )

    def set_language(self, request: Request, response: Response, language: str | None) -> None:
        if language is None:
            response.delete_cookie(LANGUAGE_COOKIE, path="/", samesite="strict", httponly=True)
            return
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            path="/",
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )

    def session_of(self, request: Request) -> WebSession | None:
        return read_session(
            self.keyring,
            request.cookies.get(COOKIE),
            max_age=self.settings.session_minutes * 60,
        )

    def limit(self, request: Request, session: WebSession | None) -> None:
        address = request.client.host if request.client else "unknown"
        if not self.address_limit.allow(f"a:{address}"):
            raise _Refused(429, texts.RATE_TITLE, texts.RATE)
        if session is not None and not self.session_limit.allow(f"s:{session.token}"):
            raise _Refused(429, texts.RATE_TITLE, texts.RATE)

    async def unit_name(self, code: str) -> str:
        if not CODE.match(code):
            raise _Refused(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)

        def work(session: Any) -> str | None:
            unit = units.unit_by_code(session, code=code)
            return None if unit is None else unit.name

        cached = self._units.get(code)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        name = await self.service.database.run(work)
        if name is None:
            raise _Refused(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)
        if len(self._units) > 10_000:
            self._units.clear()
        self._units[code] = (name, time.monotonic() + UNIT_CACHE_SECONDS)
        return name

    # ---- talking to the service

    def inbound(
        self, session: WebSession, kind: Kind, payload: str, key: str, language: str, **extra: Any
    ) -> Inbound:
        return Inbound(
            channel=CHANNEL,
            address=session.token,
            update_key=key,
            kind=kind,
            payload=payload,
            language=language,
            **extra,
        )

    async def handle(self, inbound: Inbound) -> tuple[Handled, list[Outgoing]]:
        handled = await self.service.handle(inbound)
        delivered: list[Outgoing] = []

        async def collect(message: Outgoing) -> None:
            delivered.append(message)

        await deliver_chat(
            self.service.database,
            channel=CHANNEL,
            address_hmac=self.service.address_hmac(CHANNEL, inbound.address),
            send=collect,
            together=True,  # they all go into this one page
        )
        return handled, delivered

    async def forget(self, session: WebSession, language: str) -> None:
        """End the conversation of a kiosk's previous visitor, if one is still running."""
        if await self.service.open_question(CHANNEL, session.token) is None:
            return
        await self.handle(self.inbound(session, Kind.COMMAND, "forget", new_nonce(), language))

    def opening(self, dialog_id: str, language: str) -> list[MessageView]:
        """A dialog's first messages, for a start screen (nothing is stored until it is used)."""
        dialog = self.service.dialogs[dialog_id]
        _, outputs = engine.step(dialog, engine.start(dialog), Start(anonymous=True))
        translator = self.service.translations.get(language)
        return [message_view(message) for message in render(outputs, translator)]


def home_language(request: Request) -> str | None:
    """The language a link asks for (`?lang=sv`): a poster's, or a kiosk tablet's own."""
    asked = request.query_params.get("lang")
    return str(asked) if asked in LANGUAGES else None


def _turn(delivered: list[Outgoing], finished: bool, said: str | None = None) -> Turn:
    turn = Turn(said=said, finished=finished)
    for message in delivered:
        if isinstance(message, Acknowledgement):
            if message.label is not None and turn.said is None:
                turn.said = message.label
        else:
            turn.messages.append(message_view(message))
    return turn


def _fields(body: bytes) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(
            body.decode("utf-8", errors="strict"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST) from error
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:  # one value a field
            raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
        limit = MAX_TEXT if name == "text" else MAX_FIELD
        if len(value) > limit:
            raise _Refused(413, texts.TOO_LARGE_TITLE, texts.TOO_LARGE, {"limit": str(MAX_TEXT)})
        if "\x00" in value:
            raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
        fields[name] = value
    return fields


def web_router(*, service: ConversationService, settings: WebSettings | None = None) -> APIRouter:
    chat = WebChat(service, settings or WebSettings())
    router = APIRouter(include_in_schema=False)

    async def show(request: Request, page: Page, code: str) -> Response:
        language = chat.ui_language(request, cookie=page is not Page.KIOSK)
        home = home_language(request)
        try:
            chat.limit(request, None)
            unit_name = await chat.unit_name(code) if page is not Page.INVITE else None
            if page is Page.INVITE and not CODE.match(code):
                raise _Refused(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)
            session = chat.session_of(request)
            fresh = session is None or page is Page.KIOSK
            if page is Page.KIOSK and session is not None:
                await chat.forget(session, language)
            if fresh:
                session = new_session()
            assert session is not None
            question = None if fresh else await service.open_question(CHANNEL, session.token)
            turn = Turn(start=question is None)
            if question is not None:
                language = question.language
                turn.messages = [message_view(m) for m in question.messages]
            elif page is Page.KIOSK:
                turn.messages = chat.opening(KIOSK_DIALOG, language)
            response = render_turn(request, page, code, unit_name, session, language, turn)
        except _Refused as error:
            return chat.refused(error, language, None)
        except DATABASE_AWAY:
            log.warning("a web page could not be shown: the database is away (503)")
            away = _Refused(503, texts.UNAVAILABLE_TITLE, texts.UNAVAILABLE)
            return chat.refused(away, language, None)
        if fresh:
            chat.set_session(request, response, session)
        if page is Page.KIOSK:
            chat.set_language(request, response, home)  # the tablet's own, or none
        elif home is not None:
            chat.set_language(request, response, language)
        return response

    def render_turn(
        request: Request,
        page: Page,
        code: str,
        unit_name: str | None,
        session: WebSession,
        language: str,
        turn: Turn,
    ) -> HTMLResponse:
        path = request.url.path
        translator = service.translations.get(language)
        if page is Page.KIOSK:
            home = home_language(request)
            path = path if home is None else f"{path}?lang={home}"
            return chat.page(
                "kiosk.html",
                language=language,
                action=path,
                unit_name=unit_name,
                csrf=csrf_token(chat.keyring, session),
                turn=turn,
                idle=int(
                    chat.settings.kiosk_thanks_seconds
                    if turn.finished
                    else chat.settings.kiosk_idle_seconds
                ),
                reset=path,
                title=translator.gettext(texts.KIOSK_TITLE),
            )
        starts: list[tuple[str, str]] = []
        intro: list[str] = []
        question, note = translator.gettext(commands.MENU_QUESTION), None
        if turn.start and page is Page.CHAT:
            intro = [translator.gettext(commands.WELCOME)]
            starts = [(dialog, translator.gettext(label)) for dialog, label in UNIT_DIALOGS]
            note = translator.gettext(texts.ANONYMOUS_NOTE)
        elif turn.start:  # an invite: the dialog says who reads the answers
            intro = [translator.gettext(commands.WELCOME)]
            question = translator.gettext(texts.INVITE_INTRO)
            starts = [("", translator.gettext(texts.START))]
        return chat.page(
            "chat.html",
            language=language,
            action=path,
            unit_name=unit_name,
            csrf=csrf_token(chat.keyring, session),
            turn=turn,
            intro=intro,
            starts=starts,
            menu_question=question,
            note=note,
            title=translator.gettext(texts.CHAT_TITLE),
        )

    async def answer(request: Request, page: Page, code: str) -> Response:
        language = chat.ui_language(request)
        back = request.url.path
        session: WebSession | None = None
        new_language: str | None = None
        try:
            if page is Page.INVITE and not CODE.match(code):
                raise _Refused(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)
            chat.limit(request, None)
            body = await _read_body(request, MAX_BODY)
            if body is None:
                raise _Refused(
                    413, texts.TOO_LARGE_TITLE, texts.TOO_LARGE, {"limit": str(MAX_TEXT)}
                )
            content_type = request.headers.get("content-type", "").partition(";")[0].strip()
            if content_type != "application/x-www-form-urlencoded":
                raise _Refused(415, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
            fields = _fields(body)
            session = chat.session_of(request)
            if session is None or not csrf_ok(chat.keyring, session, fields.get("csrf", "")):
                raise _Refused(403, texts.EXPIRED_TITLE, texts.EXPIRED)
            if not chat.session_limit.allow(f"s:{session.token}"):
                raise _Refused(429, texts.RATE_TITLE, texts.RATE)
            nonce = fields.get("nonce", "")
            if not NONCE.match(nonce):
                raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
            unit_name = await chat.unit_name(code) if page is not Page.INVITE else None
            turn: Turn
            if "lang" in fields:
                open_question = await service.open_question(CHANNEL, session.token)
                chosen = fields["lang"]
                if chosen not in LANGUAGES:
                    raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
                new_language = language = chosen
                if open_question is None:
                    turn = Turn(start=True)
                    if page is Page.KIOSK:
                        turn.messages = chat.opening(KIOSK_DIALOG, language)
                else:
                    inbound = chat.inbound(
                        session, Kind.COMMAND, f"language {chosen}", nonce, chosen
                    )
                    handled, delivered = await chat.handle(inbound)
                    if handled.duplicate:
                        raise _Refused(409, texts.REPLAYED_TITLE, texts.REPLAYED)
                    turn = _turn(delivered, handled.finished)
            else:
                inbound = inbound_of(page, code, session, fields, nonce, language)
                if (
                    page is Page.KIOSK
                    and fields.get("start") == "1"
                    and inbound.kind is Kind.CHOICE
                ):
                    # A smiley on the start screen: begin the feedback, then answer with it.
                    begin = chat.inbound(
                        session,
                        Kind.BEGIN,
                        KIOSK_DIALOG,
                        f"{nonce}.b",
                        language,
                        unit_code=code,
                        anonymous=True,
                    )
                    handled, _ = await chat.handle(begin)
                    if handled.duplicate:
                        raise _Refused(409, texts.REPLAYED_TITLE, texts.REPLAYED)
                handled, delivered = await chat.handle(inbound)
                if handled.duplicate:
                    raise _Refused(409, texts.REPLAYED_TITLE, texts.REPLAYED)
                said = fields.get("text") if inbound.kind is Kind.TEXT else None
                if inbound.kind is Kind.BEGIN and page is Page.CHAT:
                    labels = dict(UNIT_DIALOGS)
                    said = service.translations.get(language).gettext(labels[inbound.payload])
                if page is Page.KIOSK:
                    said = None  # a shared screen does not repeat what was typed
                turn = _turn(delivered, handled.finished, said.strip() if said else None)
                if handled.finished and page is not Page.KIOSK:
                    turn.start = False
            response = render_turn(request, page, code, unit_name, session, language, turn)
        except _Refused as error:
            return chat.refused(error, language, back)
        except DATABASE_AWAY:
            log.warning("a web answer was not processed: the database is away (503)")
            away = _Refused(503, texts.UNAVAILABLE_TITLE, texts.UNAVAILABLE)
            return chat.refused(away, language, back)
        if page is Page.KIOSK and turn.finished:
            # The next person gets a new session; nothing of this one stays in the browser.
            chat.set_session(request, response, new_session())
            chat.set_language(request, response, home_language(request))
        elif new_language is not None:
            chat.set_language(request, response, new_language)
        return response

    def inbound_of(
        page: Page,
        code: str,
        session: WebSession,
        fields: dict[str, str],
        nonce: str,
        language: str,
    ) -> Inbound:
        reference: dict[str, str | int] = {"web": "form"}
        if "choice" in fields:
            choice = fields["choice"]
            if not _CHOICE.match(choice):
                raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
            return chat.inbound(session, Kind.CHOICE, choice, nonce, language, reference=reference)
        action = fields.get("action")
        if action == "text":
            return chat.inbound(session, Kind.TEXT, fields.get("text", ""), nonce, language)
        if action == "begin" and page is Page.INVITE:
            return chat.inbound(session, Kind.COMMAND, f"start {code}", nonce, language)
        if action == "begin":
            dialog = fields.get("dialog", KIOSK_DIALOG)
            allowed = {KIOSK_DIALOG} if page is Page.KIOSK else {d for d, _ in UNIT_DIALOGS}
            if dialog not in allowed:
                raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)
            return chat.inbound(
                session, Kind.BEGIN, dialog, nonce, language, unit_code=code, anonymous=True
            )
        raise _Refused(400, texts.BAD_REQUEST_TITLE, texts.BAD_REQUEST)

    @router.get("/chat/i/{invite_code}", response_class=HTMLResponse)
    async def invite_page(request: Request, invite_code: str) -> Response:
        return await show(request, Page.INVITE, invite_code)

    @router.post("/chat/i/{invite_code}", response_class=HTMLResponse)
    async def invite_answer(request: Request, invite_code: str) -> Response:
        return await answer(request, Page.INVITE, invite_code)

    @router.get("/chat/{unit_code}", response_class=HTMLResponse)
    async def chat_page(request: Request, unit_code: str) -> Response:
        return await show(request, Page.CHAT, unit_code)

    @router.post("/chat/{unit_code}", response_class=HTMLResponse)
    async def chat_answer(request: Request, unit_code: str) -> Response:
        return await answer(request, Page.CHAT, unit_code)

    @router.get("/kiosk/{unit_code}", response_class=HTMLResponse)
    async def kiosk_page(request: Request, unit_code: str) -> Response:
        return await show(request, Page.KIOSK, unit_code)

    @router.post("/kiosk/{unit_code}", response_class=HTMLResponse)
    async def kiosk_answer(request: Request, unit_code: str) -> Response:
        return await answer(request, Page.KIOSK, unit_code)

    @router.get("/qr/{unit_code}.{kind}")
    async def unit_qr(request: Request, unit_code: str, kind: str) -> Response:
        """The QR code of a unit's chat link, for its posters (SVG or PNG)."""
        language = chat.ui_language(request)
        try:
            if kind not in ("svg", "png"):
                raise _Refused(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)
            chat.limit(request, None)
            name = await chat.unit_name(unit_code)
        except _Refused as error:
            return chat.refused(error, language, None)
        url = str(request.base_url).rstrip("/") + f"/chat/{unit_code}"
        if kind == "png":
            response = Response(qr.qr_png(url), media_type="image/png")
        else:
            title = service.translations.get(language).gettext(texts.QR_TITLE)
            svg = qr.qr_svg(url, title=title.format(unit=name))
            response = Response(svg, media_type="image/svg+xml")
        chat.secure(response)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    @router.get("/static/web/{name}")
    async def static(name: str) -> Response:
        found = chat.static.get(name)
        if found is None:
            return Response(status_code=404)
        body, media_type = found
        response = Response(body, media_type=media_type)
        chat.secure(response)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    return router
