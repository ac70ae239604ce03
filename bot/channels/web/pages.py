"""The web chat's pages: settings, the session and language cookies, rate limits, rendering
a template, and the one place where a refused request becomes a page (`install`)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from bot import answers, commands, personal
from bot.app import Handler
from bot.channels.web import texts
from bot.channels.web.errors import PageRefused
from bot.channels.web.forms import accepted_language, home_language
from bot.channels.web.session import (
    COOKIE,
    LANGUAGE_COOKIE,
    Keyring,
    RateLimiter,
    WebSession,
    csrf_token,
    new_nonce,
    read_session,
)
from bot.channels.web.views import (
    UNIT_DIALOGS,
    MessageView,
    Page,
    StartView,
    Turn,
    closes,
    message_view,
    tel_links,
)
from bot.http import DATABASE_AWAY
from bot.i18n import Translator, normalise_language
from bot.messages import CODE, WEB, Handled, Inbound, Outgoing
from bot.service import ConversationService
from dialogs.model import LANGUAGES

log = logging.getLogger(__name__)

UNIT_CACHE_SECONDS = 30.0  # a unit's name is looked up at most this often
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
# A rate limit counted for every process: (key, requests a minute) -> whether it is allowed.
SharedLimit = Callable[[str, float], Awaitable[bool]]
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class WebSettings:
    session_minutes: float = 240.0
    rate_per_session: float = 60.0  # requests a minute
    rate_per_address: float = 600.0
    kiosk_idle_seconds: float = 60.0
    kiosk_thanks_seconds: float | None = None  # None: the thanks screen follows the idle time
    # Help numbers stay on a kiosk's screen until the person leaves them ("Back to the
    # start"), or at the latest after this long untouched.
    kiosk_help_seconds: float = 300.0
    public_url: str | None = None  # the address posters' QR codes point at (else the request's)

    @property
    def kiosk_thanks(self) -> float:
        if self.kiosk_thanks_seconds is None:
            return self.kiosk_idle_seconds
        return self.kiosk_thanks_seconds


def _static_files() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("bot.channels.web") / "static"
    files: dict[str, tuple[bytes, str]] = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in STATIC_TYPES:
            files[entry.name] = (entry.read_bytes(), STATIC_TYPES[suffix])
    return files


class WebChat:
    """What every page needs, and the web channel's talk with the service (its doors only)."""

    name = WEB

    def __init__(
        self,
        service: ConversationService,
        keyring: Keyring,
        settings: WebSettings,
        shared_limit: SharedLimit | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.keyring = keyring
        self.session_limit = RateLimiter(settings.rate_per_session)
        self.address_limit = RateLimiter(settings.rate_per_address)
        # With several processes on one PostgreSQL, the limits are counted there instead.
        self.shared_limit = shared_limit
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
        self.templates.filters["tel"] = tel_links(service.help_numbers.numbers())

    # ---- what every page needs

    def ui_language(self, request: Request, *, cookie: bool = True) -> str:
        """?lang= on a page load, else the person's choice (a cookie), else the browser's.

        Kept on the request, so that a page refusing it speaks the same language.
        """
        asked = home_language(request.query_params.get("lang"))
        saved = request.cookies.get(LANGUAGE_COOKIE) if cookie else None
        if asked is not None and (request.method == "GET" or saved not in LANGUAGES):
            language = asked
        elif saved in LANGUAGES:
            language = str(saved)
        else:
            accepted = accepted_language(request.headers.get("accept-language"))
            language = accepted or normalise_language(None, self.service.translations.default)
        return self.speak(request, language)

    @staticmethod
    def speak(request: Request, language: str) -> str:
        """The page answers in this language from now on, also when it refuses."""
        request.state.web_language = language
        return language

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

    def refused(self, error: PageRefused, language: str, back: str | None) -> HTMLResponse:
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

    async def limit(self, request: Request, session: WebSession | None) -> None:
        """Refuse a request over the address's rate, or (given) over the session's."""
        address = request.client.host if request.client else "unknown"
        if not await self._allow(self.address_limit, f"a:{address}"):
            raise PageRefused.too_many()
        if session is not None:
            await self.limit_session(session)

    async def limit_session(self, session: WebSession) -> None:
        if not await self._allow(self.session_limit, f"s:{session.token}"):
            raise PageRefused.too_many()

    async def _allow(self, limiter: RateLimiter, key: str) -> bool:
        if self.shared_limit is None:
            return limiter.allow(key)
        return await self.shared_limit(key, limiter.per_minute)

    def public_base(self, request: Request) -> str:
        """Where the chat is reached from outside: KERRO_PUBLIC_URL, else this request's host."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        return str(request.base_url).rstrip("/")

    # ---- the page of a turn

    def turn_page(
        self,
        request: Request,
        page: Page,
        unit_name: str | None,
        session: WebSession,
        language: str,
        turn: Turn,
        offered: tuple[str, ...] = (),
        due: tuple[personal.DueCheckin, ...] = (),
        replies: tuple[answers.WorkerReply, ...] = (),
    ) -> HTMLResponse:
        """A turn's page; `offered` and `due` are the check-ins of a personal page's start
        screen: due ones first, each started by its prompt's choice, with when it closes."""
        path = request.url.path
        translator = self.service.translations.get(language)
        if page is Page.KIOSK:
            home = home_language(request.query_params.get("lang"))
            path = path if home is None else f"{path}?lang={home}"
            return self.page(
                "kiosk.html",
                language=language,
                action=path,
                unit_name=unit_name,
                csrf=csrf_token(self.keyring, session),
                turn=turn,
                idle=int(self._kiosk_idle(turn)),
                reset=path,
                title=translator.gettext(texts.KIOSK_TITLE),
            )
        starts: list[StartView] = []
        intro: list[str] = []
        question, note = translator.gettext(commands.MENU_QUESTION), None
        if turn.start and page is Page.PERSONAL:
            intro = [translator.gettext(texts.PERSONAL_WELCOME)]
            question = translator.gettext(texts.PERSONAL_QUESTION)
            title = self._dialog_title
            starts = [
                StartView(
                    "choice", d.choice, title(translator, d.dialog_id), closes(translator, d.closes)
                )
                for d in due
            ]
            starts += [StartView("dialog", d, title(translator, d)) for d in offered]
        elif turn.start and page is Page.CHAT:
            intro = [translator.gettext(commands.WELCOME)]
            starts = [
                StartView("dialog", dialog, translator.gettext(label))
                for dialog, label in UNIT_DIALOGS
            ]
            note = translator.gettext(texts.ANONYMOUS_NOTE)
        elif turn.start:  # an invite: the dialog says who reads the answers
            intro = [translator.gettext(commands.WELCOME)]
            question = translator.gettext(texts.INVITE_INTRO)
            starts = [StartView("", "", translator.gettext(texts.START))]
        return self.page(
            "chat.html",
            language=language,
            action=path,
            unit_name=unit_name,
            csrf=csrf_token(self.keyring, session),
            turn=turn,
            intro=intro,
            starts=starts,
            menu_question=question,
            note=note,
            replies=replies if turn.start and page is Page.PERSONAL else (),
            title=translator.gettext(texts.CHAT_TITLE),
        )

    def _dialog_title(self, translator: Translator, dialog_id: str) -> str:
        return translator.gettext(self.service.dialogs[dialog_id].title)

    def _kiosk_idle(self, turn: Turn) -> float:
        """How long a kiosk's screen stays untouched before it starts over."""
        if turn.help:
            return max(self.settings.kiosk_help_seconds, self.settings.kiosk_idle_seconds)
        return self.settings.kiosk_thanks if turn.finished else self.settings.kiosk_idle_seconds

    # ---- talking to the service, through its doors

    async def unit_name(self, code: str) -> str:
        if not CODE.match(code):
            raise PageRefused.not_found()
        cached = self._units.get(code)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        name = await self.service.unit_name(code)
        if name is None:
            raise PageRefused.not_found()
        if len(self._units) > 10_000:
            self._units.clear()
        self._units[code] = (name, time.monotonic() + UNIT_CACHE_SECONDS)
        return name

    async def personal_page(self, token: str) -> personal.PersonalPage:
        """A personal link's page; refused (404) when the link is unknown or revoked."""
        found = await personal.personal_page(self.service, token)
        if found is None:
            raise PageRefused.not_found()
        return found

    async def issue_personal_link(self, request: Request, session: WebSession) -> str | None:
        """The address of a new personal link for the session's client, or None."""
        token = await personal.issue_link(self.service, session.token)
        return None if token is None else f"{self.public_base(request)}/chat/p/{token}"

    async def handle(self, inbound: Inbound) -> tuple[Handled, list[Outgoing]]:
        """Handle the page's post, then deliver the chat's replies into this one page."""
        handled = await self.service.handle(inbound)
        delivered: list[Outgoing] = []

        async def collect(message: Outgoing) -> None:
            delivered.append(message)

        # together: they all go into this one page, which reaches the person whole or not at all
        await self.service.deliver(WEB, inbound.address, collect, together=True)
        return handled, delivered

    def opening(self, dialog_id: str, language: str) -> list[MessageView]:
        """A dialog's first messages, for a start screen (nothing is stored until it is used)."""
        return [message_view(message) for message in self.service.opening(dialog_id, language)]


def exception_handlers(chat: WebChat) -> dict[type[Exception], Handler]:
    """The one place where a refused page request becomes a page: `PageRefused` from anywhere
    in the web channel, and the database away (503, once). Registered on the public app."""

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, PageRefused)
        return _page(request, error)

    async def away(request: Request, error: Exception) -> Response:
        log.warning("a web page could not be served: the database is away (503)")
        return _page(request, PageRefused.unavailable())

    def _page(request: Request, error: PageRefused) -> Response:
        language = getattr(request.state, "web_language", None) or chat.ui_language(request)
        back = request.url.path if request.method == "POST" else None
        return chat.refused(error, language, back)

    handlers: dict[type[Exception], Handler] = {PageRefused: refused}
    handlers.update(dict.fromkeys(DATABASE_AWAY, away))
    return handlers
