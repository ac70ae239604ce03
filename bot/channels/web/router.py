"""The web chat and the feedback kiosk: server-rendered pages on the public app.

A page post becomes an `Inbound` on the channel "web" (a button: Kind.CHOICE, typed text:
Kind.TEXT, a start: Kind.BEGIN or Kind.COMMAND), whose address is the session token and whose
update key is the form's nonce. After the service committed, the chat's outbox is delivered
at once, into the page that answers the post. Without JavaScript every answer is a whole
page; with it (static/kerro.js) the same pages update in place.

The routes only: what a page shows is in `views`, what a post may hold in `forms`, cookies,
limits and rendering in `pages`. A refused request raises `PageRefused`, which one handler on
the public app turns into a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from bot import commands, qr
from bot.answers import WorkerReply
from bot.app import Handler
from bot.channels.web import texts
from bot.channels.web.errors import PageRefused
from bot.channels.web.forms import MAX_BODY, MAX_TEXT, Form, fields_of, home_language, inbound
from bot.channels.web.forms import inbound_of as form_inbound
from bot.channels.web.pages import SharedLimit, WebChat, WebSettings, exception_handlers
from bot.channels.web.session import (
    NONCE,
    Keyring,
    WebSession,
    csrf_ok,
    new_nonce,
    new_session,
)
from bot.channels.web.views import KIOSK_DIALOG, UNIT_DIALOGS, Page, Turn, message_view, turn_of
from bot.http import read_body
from bot.messages import CODE, WEB, Kind
from bot.personal import DueCheckin
from bot.service import ConversationService
from dialogs.model import LANGUAGES

CONSENT_ANSWER = f"{commands.CONSENT}:"
Due = tuple[DueCheckin, ...]
Replies = tuple[WorkerReply, ...]


@dataclass(frozen=True, slots=True)
class WebChannel:
    """The web chat's part of the public app: its routes, and its page-refusal handlers."""

    router: APIRouter
    handlers: dict[type[Exception], Handler]
    chat: WebChat


def web_channel(
    *,
    service: ConversationService,
    keyring: Keyring,
    settings: WebSettings | None = None,
    shared_limit: SharedLimit | None = None,
) -> WebChannel:
    chat = WebChat(service, keyring, settings or WebSettings(), shared_limit)
    return WebChannel(_routes(chat), exception_handlers(chat), chat)


def _routes(chat: WebChat) -> APIRouter:
    service = chat.service
    router = APIRouter(include_in_schema=False)

    async def show(request: Request, page: Page, code: str) -> Response:
        language = chat.ui_language(request, cookie=page is not Page.KIOSK)
        home = home_language(request.query_params.get("lang"))
        await chat.limit(request, None)
        unit_name, offered, due, replies = await place(page, code)
        if page is Page.INVITE and not await link_works(code):
            raise PageRefused.not_found()  # at once, not after "Start"
        session = chat.session_of(request)
        fresh = session is None or page is Page.KIOSK
        if page is Page.KIOSK and session is not None:
            await forget(session, language)
        if fresh:
            session = new_session()
        assert session is not None
        question = None
        if page is Page.PERSONAL:  # an unfinished check-in waits, in any browser
            question = await service.open_question(WEB, code)
        elif not fresh:
            question = await service.open_question(WEB, session.token)
        turn = Turn(start=question is None)
        if question is not None:
            language = chat.speak(request, question.language)
            turn.messages = [message_view(m) for m in question.messages]
        elif page is Page.KIOSK:
            turn.messages = chat.opening(KIOSK_DIALOG, language)
        response = chat.turn_page(
            request, page, unit_name, session, language, turn, offered, due, replies
        )
        if fresh:
            chat.set_session(request, response, session)
        if page is Page.KIOSK:
            chat.set_language(request, response, home)  # the tablet's own, or none
        elif home is not None:
            chat.set_language(request, response, language)
        return response

    async def place(page: Page, code: str) -> tuple[str | None, tuple[str, ...], Due, Replies]:
        """The unit's name a page shows, and a personal page's check-ins: those it may
        begin, and those due (started by their prompt's choice); and the worker's replies."""
        if page is Page.INVITE:
            return None, (), (), ()
        if page is Page.PERSONAL:
            found = await chat.personal_page(code)
            return found.unit_name, found.checkins, found.due, found.replies
        return await chat.unit_name(code), (), (), ()

    async def link_works(code: str) -> bool:
        return bool(CODE.match(code)) and await service.link_works(code)

    async def forget(session: WebSession, language: str) -> None:
        """End the conversation of a kiosk's previous visitor, if one is still running."""
        if await service.open_question(WEB, session.token) is None:
            return
        await chat.handle(inbound(session, Kind.COMMAND, "forget", new_nonce(), language))

    async def answer(request: Request, page: Page, code: str) -> Response:
        language = chat.ui_language(request)
        if page is Page.INVITE and not CODE.match(code):
            raise PageRefused.not_found()
        await chat.limit(request, None)
        body = await read_body(request, MAX_BODY)
        if body is None:
            raise PageRefused.too_large(MAX_TEXT)
        content_type = request.headers.get("content-type", "").partition(";")[0].strip()
        if content_type != "application/x-www-form-urlencoded":
            raise PageRefused.bad_request(415)
        fields = fields_of(body)
        session = chat.session_of(request)
        if session is None or not csrf_ok(chat.keyring, session, fields.get("csrf", "")):
            raise PageRefused.expired()
        await chat.limit_session(session)
        nonce = fields.get("nonce", "")
        if not NONCE.match(nonce):
            raise PageRefused.bad_request()
        unit_name, offered, due, replies = await place(page, code)
        form = Form(page, code, session, fields, nonce, language, frozenset(offered))
        new_language: str | None = None
        if "lang" in fields:
            turn, new_language = await switch_language(request, form, fields["lang"])
            language = new_language
        else:
            turn = await answer_turn(form)
            if page is Page.INVITE and fields.get("choice", "").startswith(CONSENT_ANSWER):
                # Consent answered: the invite's chat becomes the person's own link.
                turn.link = await chat.issue_personal_link(request, session)
            elif page is Page.INVITE and any(m.buttons for m in turn.messages):
                turn.finished = False  # the consent question waits; the invite is used
        kiosk_done = page is Page.KIOSK and turn.finished
        # The next person gets a new session; nothing of this one stays in the browser. The
        # page's forms (more places to get help) already belong to the new one.
        shown = new_session() if kiosk_done else session
        response = chat.turn_page(
            request, page, unit_name, shown, language, turn, offered, due, replies
        )
        if kiosk_done:
            chat.set_session(request, response, shown)
            chat.set_language(request, response, home_language(request.query_params.get("lang")))
        elif new_language is not None:
            chat.set_language(request, response, new_language)
        return response

    async def switch_language(request: Request, form: Form, chosen: str) -> tuple[Turn, str]:
        open_question = await service.open_question(WEB, form.address)
        if chosen not in LANGUAGES:
            raise PageRefused.bad_request()
        chat.speak(request, chosen)
        if open_question is None:
            turn = Turn(start=True)
            if form.page is Page.KIOSK:
                turn.messages = chat.opening(KIOSK_DIALOG, chosen)
            return turn, chosen
        command = inbound(
            form.session,
            Kind.COMMAND,
            f"language {chosen}",
            form.nonce,
            chosen,
            address=form.address,
        )
        handled, delivered = await chat.handle(command)
        if handled.duplicate:
            raise PageRefused.replayed()
        return turn_of(delivered, handled.finished), chosen

    async def answer_turn(form: Form) -> Turn:
        answered = form_inbound(form)
        kiosk_start = form.page is Page.KIOSK and form.fields.get("start") == "1"
        if kiosk_start and answered.kind is Kind.CHOICE:
            # A smiley on the start screen: begin the feedback, then answer with it.
            begin = inbound(
                form.session,
                Kind.BEGIN,
                KIOSK_DIALOG,
                f"{form.nonce}.b",
                form.language,
                unit_code=form.code,
                anonymous=True,
            )
            handled, _ = await chat.handle(begin)
            if handled.duplicate:
                raise PageRefused.replayed()
        handled, delivered = await chat.handle(answered)
        if handled.duplicate:
            raise PageRefused.replayed()
        typed = answered.kind is Kind.TEXT or form.fields.get("action") == "answer"
        said = form.fields.get("text") if typed else None
        if answered.kind is Kind.BEGIN and form.page is Page.CHAT:
            labels = dict(UNIT_DIALOGS)
            said = service.translations.get(form.language).gettext(labels[answered.payload])
        elif answered.kind is Kind.BEGIN and form.page is Page.PERSONAL:
            title = service.dialogs[answered.payload].title
            said = service.translations.get(form.language).gettext(title)
        if form.page is Page.KIOSK:
            said = None  # a shared screen does not repeat what was typed
        turn = turn_of(delivered, handled.finished, said.strip() if said else None)
        if handled.finished and form.page is not Page.KIOSK:
            turn.start = False
        return turn

    @router.get("/chat/p/{token}", response_class=HTMLResponse)
    async def personal_page(request: Request, token: str) -> Response:
        return await show(request, Page.PERSONAL, token)

    @router.post("/chat/p/{token}", response_class=HTMLResponse)
    async def personal_answer(request: Request, token: str) -> Response:
        return await answer(request, Page.PERSONAL, token)

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
        if kind not in ("svg", "png"):
            raise PageRefused.not_found()
        await chat.limit(request, None)
        name = await chat.unit_name(unit_code)
        url = f"{chat.public_base(request)}/chat/{unit_code}"
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
