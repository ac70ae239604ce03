"""The staff pages' routes. Each page calls the staff API's own service (the endpoint function,
with the member its session checked), so that scoping (P5) and audit rows (P4) are exactly
the API's; a page adds only names to show (units, staff, a client's alias)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import Session

from api import audit as audit_api
from api import clients as clients_api
from api import enrolment
from api import flags as flags_api
from api import staff as staff_api
from api import timeline as timeline_api
from api import units as units_api
from api.auth import ADMIN, CASEWORKER, COORDINATOR, Caller, manages_unit
from api.pages import reply, texts
from api.pages.web import (
    COOKIE,
    PRE_COOKIE,
    PageError,
    Pages,
    Visit,
)
from bot.alert_channels import SmtpSettings
from bot.qr import qr_svg
from dialogs.scoring import WELLBEING_DIMENSIONS
from storage.repositories import clients, staff, staff_sessions, units

log = logging.getLogger(__name__)
PUBLIC_ID = re.compile(r"^[0-9a-f]{32}$")
LINK_CODE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MAX_ID = 2**31 - 1
LEVELS = {"crisis": texts.LEVEL_CRISIS, "concern": texts.LEVEL_CONCERN}
STATUSES = {
    "open": texts.STATUS_OPEN,
    "acknowledged": texts.STATUS_ACKNOWLEDGED,
    "resolved": texts.STATUS_RESOLVED,
}
ACTIONS = {
    "acknowledge": texts.ACTION_ACKNOWLEDGE,
    "assign": texts.ACTION_ASSIGN,
    "resolve": texts.ACTION_RESOLVE,
    "erase": texts.ACTION_ERASE,
    "reply": texts.ACTION_REPLY,
    "shown": texts.ACTION_SHOWN,
    "answer_wait": texts.ACTION_ANSWER_WAIT,
    "answer": texts.ACTION_ANSWER,
    "answer_read": texts.ACTION_ANSWER_READ,
}
DONE = {
    "acknowledged": texts.ACKNOWLEDGED,
    "assigned": texts.ASSIGNED,
    "resolved": texts.RESOLVED,
    "replied": texts.REPLIED,
}
DIMENSIONS = {
    "joy": texts.JOY,
    "belonging": texts.BELONGING,
    "coping": texts.COPING,
    "physical": texts.PHYSICAL,
}


def _flag_id(value: str) -> str:
    if not PUBLIC_ID.match(value):
        raise PageError.of(404)
    return value


def _number(value: str | None, *, optional: bool = False) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        raise PageError.of(400)
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise PageError.of(400)
    return int(value)


def _id(value: str) -> int:
    """A path's id: anything that is not one is simply not found."""
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise PageError.of(404)
    return int(value)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise PageError.of(400) from error


def _as(visit: Visit) -> Caller:
    return Caller("", signed_in=visit.signed_in.member)


def staff_pages(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    context = pages.context
    settings = pages.settings

    # ---- sign-in and sign-out

    @router.get("/")
    async def home(request: Request) -> Response:
        await pages.visit(request)
        return pages.redirect("/flags")

    @router.get("/sign-in")
    async def sign_in_page(request: Request) -> HTMLResponse:
        language = pages.language(request)
        return _sign_in(request, language, notice=_notice(request.query_params.get("notice")))

    def _notice(name: str | None) -> str | None:
        return {
            "ended": texts.SESSION_ENDED,
            "out": texts.SIGNED_OUT,
            "sent": texts.LINK_SENT,
        }.get(name or "")

    def _sign_in(
        request: Request,
        language: str,
        *,
        notice: str | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        value = pages.pre_token(request)
        translator = pages.translator(language)
        response = pages.page(
            request,
            "sign_in.html",
            language=language,
            status=status,
            title=translator.gettext(texts.SIGN_IN),
            pre=value,
            notice=None if notice is None else translator.gettext(notice),
            error=None if error is None else translator.gettext(error),
            by_email=settings.smtp is not None,
        )
        pages.cookie(request, response, PRE_COOKIE, value, max_age=3600)
        return response

    @router.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        language = pages.language(request)
        pages.limit_sign_in(request)
        fields = await pages.fields(request)
        pages.check_pre(request, fields)
        token = fields.get("token", "").strip()

        def work(session: Session) -> str | None:
            member = (
                None
                if not token or len(token) > 200 or not token.isascii()
                else staff.member_for_token(session, token=token, now=context.clock())
            )
            if member is None:
                return None
            return staff_sessions.start(session, staff_id=member.id, now=context.clock())

        value = await context.database.run(work)
        if value is None:
            return _sign_in(request, language, error=texts.BAD_TOKEN, status=401)
        response = pages.redirect("/flags")
        pages.start_session(request, response, value)
        return response

    @router.post("/sign-in/email")
    async def sign_in_email(request: Request) -> Response:
        language = pages.language(request)
        pages.limit_sign_in(request)
        fields = await pages.fields(request)
        pages.check_pre(request, fields)
        address = fields.get("email", "").strip()
        smtp = settings.smtp
        if (
            smtp is not None
            and 3 <= len(address) <= 254
            and "@" in address
            and pages.mail_limit.allow(address.lower())
        ):

            def work(session: Session) -> tuple[str, str, str | None] | None:
                member = staff_sessions.staff_by_email(session, email=address)
                if member is None or member.id is None or member.email is None:
                    return None
                code = staff_sessions.issue_link(
                    session,
                    staff_id=member.id,
                    now=context.clock(),
                    lifetime=settings.link_lifetime,
                )
                return code, member.email, member.language

            issued = await context.database.run(work)
            if issued is not None:  # to the address stored, not the one typed
                code, stored, member_language = issued
                await _send_link(smtp, stored, code, member_language or language)
        # The same answer whether or not the address is known: it tells nobody who works here.
        return pages.redirect("/sign-in?notice=sent")

    async def _send_link(smtp: SmtpSettings, address: str, code: str, language: str) -> None:
        import aiosmtplib

        translator = pages.translator(language)
        link = f"{settings.staff_url.rstrip('/')}/sign-in/link/{code}"
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = address
        message["Subject"] = translator.gettext(texts.EMAIL_SUBJECT)
        message["Date"] = format_datetime(context.clock())
        minutes = int(settings.link_lifetime.total_seconds() // 60)
        message.set_content(translator.gettext(texts.EMAIL_BODY).format(minutes=minutes, link=link))
        try:
            await aiosmtplib.send(
                message,
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username,
                password=smtp.password,
                use_tls=smtp.implicit_tls,
                start_tls=not smtp.implicit_tls,
                tls_context=smtp.tls_context,
                timeout=smtp.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("a sign-in link could not be sent: %s", type(error).__name__)

    @router.get("/sign-in/link/{code}")
    async def link_page(request: Request, code: str) -> HTMLResponse:
        # Opening the link changes nothing (mail scanners open links): a button signs in.
        language = pages.language(request)
        if not LINK_CODE.match(code):
            raise PageError(404, texts.NOT_FOUND_TITLE, texts.BAD_LINK)
        value = pages.pre_token(request)
        response = pages.page(
            request,
            "sign_in_link.html",
            language=language,
            title=pages.translator(language).gettext(texts.LINK_TITLE),
            pre=value,
            action=f"/sign-in/link/{code}",
        )
        pages.cookie(request, response, PRE_COOKIE, value, max_age=3600)
        return response

    @router.post("/sign-in/link/{code}")
    async def use_link(request: Request, code: str) -> Response:
        language = pages.language(request)
        pages.limit_sign_in(request)
        fields = await pages.fields(request)
        pages.check_pre(request, fields)
        if not LINK_CODE.match(code):
            raise PageError(404, texts.NOT_FOUND_TITLE, texts.BAD_LINK)

        def work(session: Session) -> str | None:
            staff_id = staff_sessions.use_link(session, code=code, now=context.clock())
            if staff_id is None:
                return None
            return staff_sessions.start(session, staff_id=staff_id, now=context.clock())

        value = await context.database.run(work)
        if value is None:
            return _sign_in(request, language, error=texts.BAD_LINK, status=410)
        response = pages.redirect("/flags")
        pages.start_session(request, response, value)
        return response

    @router.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        visit = await pages.visit(request)
        pages.check_csrf(visit, await pages.fields(request))
        value = request.cookies.get(COOKIE, "")
        await context.database.run(functools.partial(staff_sessions.end, value=value))
        response = pages.redirect("/sign-in?notice=out")
        response.delete_cookie(COOKIE, path="/")
        return response

    # ---- the flag inbox

    async def _inbox(visit: Visit) -> dict[str, Any]:
        member = visit.signed_in.member
        found = await pages.api(
            flags_api.inbox(
                caller=_as(visit),
                context=context,
                why="flag inbox",
                status=None,
                unit_id=None,
                client_id=None,
                limit=500,
            )
        )
        client_ids = {f.client_id for f in found if f.client_id is not None}

        def names(session: Session) -> tuple[dict[int, Any], dict[int, str], set[str]]:
            # The inbox's audit row already names these clients.
            known = {
                client_id: clients.client_by_id(session, client_id=client_id)
                for client_id in client_ids
            }
            unit_names = {
                unit.id: unit.name
                for unit in units.units_by_ids(
                    session, unit_ids=frozenset(f.unit_id for f in found)
                )
                if unit.id is not None
            }
            answered = reply.new_answers(session, flag_ids=[f.id for f in found])
            return known, unit_names, answered

        known, unit_names, answered = await context.database.run(names)

        def mine(flag: flags_api.FlagOut) -> bool:
            client = known.get(flag.client_id) if flag.client_id is not None else None
            return flag.assignee_id == member.id or (
                client is not None and client.caseworker_id == member.id
            )

        # Stable: the API's order (crisis first, then the oldest) within mine, then the rest.
        ordered = sorted(found, key=lambda flag: not mine(flag))
        rows = [
            {
                "flag": flag,
                "mine": mine(flag),
                "new_answer": flag.id in answered,
                "alias": (
                    known[flag.client_id].alias
                    if flag.client_id is not None and known.get(flag.client_id)
                    else None
                ),
                "unit": unit_names.get(flag.unit_id, ""),
            }
            for flag in ordered
        ]
        counts = {
            "open": sum(1 for f in found if f.status == "open"),
            "crisis": sum(1 for f in found if f.level == "crisis"),
            "acknowledged": sum(1 for f in found if f.status == "acknowledged"),
        }
        signature = ",".join(f"{f.id}:{f.status}:{int(f.id in answered)}" for f in ordered)
        return {
            "rows": rows,
            "counts": counts,
            "signature": signature,
            "levels": LEVELS,
            "statuses": STATUSES,
        }

    @router.get("/flags")
    async def inbox(request: Request) -> HTMLResponse:
        visit = await pages.visit(request)
        values = await _inbox(visit)
        translator = pages.translator(visit.language)
        done = DONE.get(request.query_params.get("done") or "")
        return pages.page(
            request,
            "inbox.html",
            language=visit.language,
            visit=visit,
            title=translator.gettext(texts.INBOX),
            poll=settings.poll_seconds,
            done=None if done is None else translator.gettext(done),
            **values,
        )

    @router.get("/flags/live")
    async def inbox_live(request: Request) -> HTMLResponse:
        """The inbox's list and counts, for the page's poll (no reload). The poll does not
        keep the session alive: an inbox left open still signs out when idle."""
        visit = await pages.visit(request, touch=False)
        values = await _inbox(visit)
        return pages.page(
            request, "_inbox_list.html", language=visit.language, visit=visit, **values
        )

    # ---- one flag

    @router.get("/flags/{flag_id}")
    async def flag_page(request: Request, flag_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        member = visit.signed_in.member
        await pages.api(  # the client's answer, if nobody has read it: this look is audited
            context.database.run(
                functools.partial(
                    reply.read_answer, context=context, member=member, flag_id=_flag_id(flag_id)
                )
            )
        )
        detail = await pages.api(
            flags_api.read_flag(
                _flag_id(flag_id), member=member, context=context, why="flag follow-up"
            )
        )
        manager = manages_unit(member, detail.unit_id)
        # Only a coordinator (or an admin) chooses an assignee: only they need the unit's staff.
        people = (
            await pages.api(staff_api.list_staff(member=member, context=context)) if manager else []
        )
        named = {e.staff_id for e in detail.events} | {e.assignee_id for e in detail.events}

        def names(session: Session) -> tuple[str | None, str, bool, dict[int, str]]:
            client = (
                None
                if detail.client_id is None
                else clients.client_by_id(session, client_id=detail.client_id)
            )
            unit = units.unit_by_id(session, unit_id=detail.unit_id)
            who = {
                staff_id: person.name
                for staff_id in named
                if staff_id is not None
                and (person := staff.staff_by_id(session, staff_id=staff_id)) is not None
            }
            return (
                None if client is None else client.alias,
                "" if unit is None else unit.name,
                not detail.erased and reply.reachable(session, client_id=detail.client_id),
                who,
            )

        alias, unit_name, can_reply, staff_names = await context.database.run(names)
        assignable = [
            person
            for person in people
            if person.role in (CASEWORKER, COORDINATOR, ADMIN) and detail.unit_id in person.unit_ids
        ]
        translator = pages.translator(visit.language)
        done = DONE.get(request.query_params.get("done") or "")
        return pages.page(
            request,
            "flag.html",
            language=visit.language,
            visit=visit,
            title=translator.gettext(texts.FLAG),
            flag=detail,
            alias=alias,
            unit_name=unit_name,
            staff_names=staff_names,
            can_reply=can_reply,
            assignable=assignable,
            levels=LEVELS,
            statuses=STATUSES,
            actions=ACTIONS,
            rules={
                rule: translator.gettext(text)
                for rule, text in (
                    ("risk_screen", texts.RULE_RISK_SCREEN),
                    ("help_now", texts.RULE_HELP_NOW),
                )
            },
            done=None if done is None else translator.gettext(done),
        )

    async def _after(request: Request, fields: dict[str, str], flag_id: str, done: str) -> Response:
        if fields.get("back") == "inbox":
            return pages.redirect(f"/flags?done={done}")
        return pages.redirect(f"/flags/{flag_id}?done={done}")

    @router.post("/flags/{flag_id}/acknowledge")
    async def acknowledge(request: Request, flag_id: str) -> Response:
        visit = await pages.visit(request)
        fields = await pages.fields(request)
        pages.check_csrf(visit, fields)
        await pages.api(
            flags_api.acknowledge(
                _flag_id(flag_id),
                member=visit.signed_in.member,
                context=context,
                why="flag follow-up",
            )
        )
        return await _after(request, fields, flag_id, "acknowledged")

    @router.post("/flags/{flag_id}/assign")
    async def assign(request: Request, flag_id: str) -> Response:
        visit = await pages.visit(request)
        fields = await pages.fields(request)
        pages.check_csrf(visit, fields)
        try:
            body = flags_api.AssignIn(staff_id=_number(fields.get("staff_id")) or 0)
        except ValidationError as error:
            raise PageError.of(400) from error
        await pages.api(
            flags_api.assign(
                _flag_id(flag_id),
                body,
                member=visit.signed_in.member,
                context=context,
                why="flag follow-up",
            )
        )
        return await _after(request, fields, flag_id, "assigned")

    @router.post("/flags/{flag_id}/resolve")
    async def resolve(request: Request, flag_id: str) -> Response:
        visit = await pages.visit(request)
        fields = await pages.fields(request)
        pages.check_csrf(visit, fields)
        try:
            body = flags_api.ResolveIn(note=fields.get("note", ""))
        except ValidationError as error:
            raise PageError.of(400) from error
        await pages.api(
            flags_api.resolve(
                _flag_id(flag_id),
                body,
                member=visit.signed_in.member,
                context=context,
                why="flag follow-up",
            )
        )
        return await _after(request, fields, flag_id, "resolved")

    @router.post("/flags/{flag_id}/reply")
    async def reply_to_client(request: Request, flag_id: str) -> Response:
        visit = await pages.visit(request)
        fields = await pages.fields(request)
        pages.check_csrf(visit, fields)
        try:
            body = flags_api.ResolveIn(note=fields.get("text", ""))  # a note's rules
        except ValidationError as error:
            raise PageError.of(400) from error
        await pages.api(
            context.database.run(
                functools.partial(
                    reply.reply,
                    context=context,
                    translations=pages.translations,
                    member=visit.signed_in.member,
                    flag_id=_flag_id(flag_id),
                    text=body.note,
                    why="reply to the client",
                )
            ),
            refused={409: PageError(409, texts.NO_CHAT_TITLE, texts.NO_CHAT)},
        )
        return await _after(request, fields, flag_id, "replied")

    # ---- clients

    @router.get("/clients")
    async def client_list(request: Request) -> HTMLResponse:
        visit = await pages.visit(request)
        member = visit.signed_in.member
        found = await pages.api(
            clients_api.list_clients(
                member=member, context=context, why="casework", unit_id=None, after=None, limit=500
            )
        )
        translator = pages.translator(visit.language)
        title = texts.MY_CLIENTS if member.role == CASEWORKER else texts.CLIENTS
        return pages.page(
            request,
            "clients.html",
            language=visit.language,
            visit=visit,
            title=translator.gettext(title),
            clients=found.items,
        )

    @router.get("/clients/{client_id}")
    async def client_page(request: Request, client_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        member = visit.signed_in.member
        number = _id(client_id)
        client = await pages.api(
            clients_api.read_client(number, member=member, context=context, why="casework")
        )
        line = await pages.api(
            timeline_api.timeline(
                number, caller=_as(visit), context=context, why="casework", since=None, until=None
            )
        )
        rows: dict[str, dict[str, Any]] = {}
        for name, points in line.dimensions.items():
            for point in points:
                rows.setdefault(point.response_id, {"at": point.at})[name] = point.value
        for point in line.index:
            rows.setdefault(point.response_id, {"at": point.at})["index"] = point.value
        for gas in line.gas:
            rows.setdefault(gas.response_id, {"at": gas.at})["gas"] = gas.t_score
        ordered = sorted(rows.values(), key=lambda row: row["at"], reverse=True)
        translator = pages.translator(visit.language)
        return pages.page(
            request,
            "client.html",
            language=visit.language,
            visit=visit,
            title=client.alias,
            client=client,
            rows=ordered,
            dimensions=[
                (name, translator.gettext(DIMENSIONS[name])) for name in WELLBEING_DIMENSIONS
            ],
        )

    @router.post("/clients/{client_id}/invite")
    async def invite(request: Request, client_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        pages.check_csrf(visit, await pages.fields(request))
        member = visit.signed_in.member
        number = _id(client_id)
        made = await pages.api(enrolment.create_invite(number, member=member, context=context))
        client = await pages.api(
            clients_api.read_client(number, member=member, context=context, why="enrolment")
        )
        translator = pages.translator(visit.language)
        qr = Markup(  # noqa: S704 (segno's SVG of our own link, no outside text)
            qr_svg(made.web_link, scale=6, title=translator.gettext(texts.QR_OF))
        )
        return pages.page(
            request,
            "invite.html",
            language=visit.language,
            visit=visit,
            title=translator.gettext(texts.INVITE_TITLE).format(alias=client.alias),
            invite=made,
            client=client,
            qr=qr,
        )

    # ---- units and their posters

    @router.get("/units")
    async def unit_list(request: Request) -> HTMLResponse:
        visit = await pages.visit(request)
        found = await pages.api(
            units_api.list_units(member=visit.signed_in.member, context=context)
        )
        return pages.page(
            request,
            "units.html",
            language=visit.language,
            visit=visit,
            title=pages.translator(visit.language).gettext(texts.UNITS),
            units=found,
        )

    @router.get("/units/{unit_id}/poster")
    async def poster(request: Request, unit_id: str) -> HTMLResponse:
        visit = await pages.visit(request)
        unit = await pages.api(
            units_api.read_unit(_id(unit_id), member=visit.signed_in.member, context=context)
        )
        link = f"{context.public_url}/chat/{unit.code}"
        translator = pages.translator(visit.language)
        qr = Markup(  # noqa: S704 (segno's SVG of our own link, no outside text)
            qr_svg(link, scale=10, title=translator.gettext(texts.QR_OF))
        )
        return pages.page(
            request,
            "poster.html",
            language=visit.language,
            visit=visit,
            title=translator.gettext(texts.POSTER_TITLE),
            unit=unit,
            link=link,
            qr=qr,
        )

    # ---- the audit log (admins)

    @router.get("/audit")
    async def audit_page(request: Request) -> HTMLResponse:
        visit = await pages.visit(request)
        member = visit.signed_in.member
        query = request.query_params
        who = _number(query.get("staff_id"), optional=True)
        client_id = _number(query.get("client_id"), optional=True)
        before = _number(query.get("before"), optional=True)
        since = _date(query.get("since"))
        until = _date(query.get("until"))
        found = await pages.api(
            audit_api.query_audit(
                member=member,
                context=context,
                staff_id=who,
                client_id=client_id,
                since=None if since is None else dt.datetime.combine(since, dt.time(), dt.UTC),
                until=(
                    None
                    if until is None
                    else dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
                ),
                before=before,
                limit=50,
            )
        )
        people = await pages.api(staff_api.list_staff(member=member, context=context))
        older = None
        if found.next_before is not None:
            kept = {
                name: value
                for name, value in query.items()
                if name in ("staff_id", "client_id", "since", "until") and value
            }
            kept["before"] = str(found.next_before)
            older = "/audit?" + urlencode(kept)
        return pages.page(
            request,
            "audit.html",
            language=visit.language,
            visit=visit,
            title=pages.translator(visit.language).gettext(texts.AUDIT),
            entries=found.items,
            people=people,
            staff_names={person.id: person.name for person in people},
            chosen={
                "staff_id": who,
                "client_id": client_id or "",
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
            },
            older=older,
        )

    # ---- static files

    @router.get("/static/staff/{name}")
    async def static(name: str) -> Response:
        found = pages.static.get(name)
        if found is None:
            raise PageError.of(404)
        body, media_type = found
        return Response(
            body, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )

    return router
