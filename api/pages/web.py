"""What every staff page needs: the session cookie and its CSRF token, the language, forms,
rendering a template, and the refusals that become pages.

A session is a row (`storage.repositories.staff_sessions`): the cookie holds 32 random bytes,
the table their SHA-256, the idle time and the longest life are checked on every request. Each
form carries a CSRF token made from the session's own secret (double submit, bound to the
session): a form without it, or with another session's, changes nothing. The sign-in forms,
before there is a session, carry the value of a short-lived cookie of their own.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import jinja2
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.context import ApiContext, PageSettings
from api.pages import texts
from api.problems import Problem
from bot.channels.web.forms import accepted_language
from bot.channels.web.session import RateLimiter
from bot.i18n import Translations, Translator
from dialogs.model import LANGUAGES
from storage.repositories import staff_sessions
from storage.repositories.staff_sessions import SignedIn

COOKIE = "kerro_staff"
PRE_COOKIE = "kerro_staff_pre"  # the sign-in forms' double-submit value, before a session
LANGUAGE_COOKIE = "kerro_staff_lang"
MAX_BODY = 16_384
MAX_FIELD = 4000
MAX_COOKIE = 100
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
T = TypeVar("T")


class PageError(Exception):
    """Show the member of staff a page that says no (in their language), nothing changed."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail

    @classmethod
    def of(cls, status: int) -> PageError:
        if status == 404:
            return cls(404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)
        if status == 403:
            return cls(403, texts.FORBIDDEN_TITLE, texts.FORBIDDEN)
        if status == 409:
            return cls(409, texts.CONFLICT_TITLE, texts.CONFLICT)
        return cls(400 if status < 500 else status, texts.BAD_INPUT_TITLE, texts.BAD_INPUT)

    @classmethod
    def csrf(cls) -> PageError:
        return cls(403, texts.CSRF_TITLE, texts.CSRF)


class SignInNeeded(Exception):
    """No live session: to the sign-in page (saying that a session ended, if one did)."""

    def __init__(self, *, ended: bool) -> None:
        super().__init__("sign in")
        self.ended = ended


def form_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"kerro-staff-form", hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Visit:
    """A signed-in request: who, their form token, and the page's language."""

    signed_in: SignedIn
    language: str

    @property
    def csrf(self) -> str:
        return form_token(self.signed_in.csrf_secret)


def _static_files() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("api.pages") / "static"
    found: dict[str, tuple[bytes, str]] = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in STATIC_TYPES:
            found[entry.name] = (entry.read_bytes(), STATIC_TYPES[suffix])
    return found


class Pages:
    def __init__(self, context: ApiContext) -> None:
        self.context = context
        self.settings: PageSettings = context.pages
        self.translations = self.settings.translations or Translations.load()
        self.static = _static_files()
        # In this process's memory, as the web chat's limits (docs/ARCHITECTURE.md).
        self.sign_in_limit = RateLimiter(self.settings.sign_in_per_minute)
        self.mail_limit = RateLimiter(1.0, burst=3.0)  # sign-in links to one address
        versions = {
            name: hashlib.sha256(body).hexdigest()[:10] for name, (body, _) in self.static.items()
        }
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("api.pages", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.templates.globals["static"] = lambda name: (
            f"/static/staff/{name}?v={versions.get(name, '0')}"
        )
        self.templates.globals["language_names"] = LANGUAGE_NAMES

    # ---- language

    def language(self, request: Request) -> str:
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            language = str(asked)
        else:
            saved = request.cookies.get(LANGUAGE_COOKIE)
            accepted = accepted_language(request.headers.get("accept-language"))
            language = str(saved) if saved in LANGUAGES else accepted or self.translations.default
        request.state.staff_language = language
        return language

    def translator(self, language: str) -> Translator:
        return self.translations.get(language)

    # ---- rendering

    def page(
        self,
        request: Request,
        template: str,
        *,
        language: str,
        visit: Visit | None = None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        translator = self.translator(language)
        body = self.templates.get_template(template).render(
            lang=translator.language,
            ui=texts.page_texts(translator),
            visit=visit,
            member=None if visit is None else visit.signed_in.member,
            csrf=None if visit is None else visit.csrf,
            here=request.url.path,
            **values,
        )
        response = HTMLResponse(body, status_code=status)
        self.secure(response)
        if request.query_params.get("lang") in LANGUAGES:
            self.cookie(request, response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
        return response

    @staticmethod
    def secure(response: Response) -> None:
        response.headers.update(SECURITY_HEADERS)

    def refused(self, request: Request, error: PageError) -> HTMLResponse:
        language = getattr(request.state, "staff_language", None) or self.language(request)
        translator = self.translator(language)
        return self.page(
            request,
            "error.html",
            language=language,
            status=error.status,
            title=translator.gettext(error.title),
            detail=translator.gettext(error.detail),
        )

    def cookie(
        self, request: Request, response: Response, name: str, value: str, *, max_age: int
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            secure=self.settings.secure_cookies or request.url.scheme == "https",
            samesite="strict",
        )

    def redirect(self, location: str) -> RedirectResponse:
        response = RedirectResponse(location, status_code=303)
        self.secure(response)
        return response

    # ---- sessions

    async def visit(self, request: Request, *, touch: bool = True) -> Visit:
        """The live session of this request, or SignInNeeded. `touch` False: the request is
        not the member's own doing (the inbox's poll), so it does not keep the session alive."""
        language = self.language(request)
        value = request.cookies.get(COOKIE)
        if not value or len(value) > MAX_COOKIE or not value.isascii():
            raise SignInNeeded(ended=False)
        found = await self.context.database.run(
            functools.partial(
                staff_sessions.resume,
                value=value,
                now=self.context.clock(),
                idle=self.settings.idle,
                longest=self.settings.longest,
                touch=touch,
            )
        )
        if found is None:
            raise SignInNeeded(ended=True)
        return Visit(found, language)

    def start_session(self, request: Request, response: Response, value: str) -> None:
        self.cookie(
            request, response, COOKIE, value, max_age=int(self.settings.longest.total_seconds())
        )
        response.delete_cookie(PRE_COOKIE, path="/")

    def pre_token(self, request: Request) -> str:
        """The sign-in forms' double-submit value: the cookie's, or a new one."""
        value = request.cookies.get(PRE_COOKIE)
        if value and len(value) <= MAX_COOKIE and value.isascii():
            return value
        return secrets.token_urlsafe(24)

    # ---- forms

    @staticmethod
    async def fields(request: Request) -> dict[str, str]:
        """A urlencoded form, each field at most once; a bad form is a 400 page."""
        if request.headers.get("content-type", "").split(";")[0].strip() != (
            "application/x-www-form-urlencoded"
        ):
            raise PageError.of(400)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise PageError(413, texts.BAD_INPUT_TITLE, texts.BAD_INPUT)
        try:
            pairs = parse_qsl(
                body.decode(), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=20
            )
        except (UnicodeDecodeError, ValueError) as error:
            raise PageError.of(400) from error
        found: dict[str, str] = {}
        for name, value in pairs:
            if name in found or len(value) > MAX_FIELD or "\x00" in value:
                raise PageError.of(400)
            found[name] = value
        return found

    @staticmethod
    def check_csrf(visit: Visit, fields: dict[str, str]) -> None:
        if not hmac.compare_digest(fields.get("csrf", "").encode(), visit.csrf.encode()):
            raise PageError.csrf()

    def limit_sign_in(self, request: Request) -> None:
        """Sign-in posts from one client address, a few a minute; more get a 429 page."""
        address = request.client.host if request.client else "unknown"
        if not self.sign_in_limit.allow(address):
            raise PageError(429, texts.TOO_MANY_TITLE, texts.TOO_MANY)

    @staticmethod
    def check_pre(request: Request, fields: dict[str, str]) -> None:
        cookie = request.cookies.get(PRE_COOKIE, "")
        given = fields.get("csrf", "")
        if not cookie or not hmac.compare_digest(cookie.encode(), given.encode()):
            raise PageError.csrf()

    @staticmethod
    async def api(call: Awaitable[T], *, refused: dict[int, PageError] | None = None) -> T:
        """An API service's answer; its refusal (a Problem) becomes the same refusal as a
        page (or the page given for its status). The service has rolled its transaction
        back, audit row included."""
        try:
            return await call
        except Problem as problem:
            given = (refused or {}).get(problem.status)
            raise (given or PageError.of(problem.status)) from problem
