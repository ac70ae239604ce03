"""Reading what a page posts: the limits, the form's fields, and the `Inbound` it becomes;
and the language a browser asks for. Whatever does not fit is refused (`PageRefused`)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from bot import answers
from bot.channels.web.errors import PageRefused
from bot.channels.web.session import WebSession
from bot.channels.web.views import KIOSK_DIALOG, UNIT_DIALOGS, Page
from bot.messages import WEB, Inbound, Kind
from dialogs.model import LANGUAGES

MAX_BODY = 16_384  # bytes of one form post
MAX_TEXT = 4000  # characters of typed text (a dialog's own limit may be lower)
MAX_FIELD = 200  # characters of any other field
MAX_FIELDS = 12
_CHOICE = re.compile(r"^[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_.+-]{1,64}$")
_FLAG = re.compile(r"^[0-9a-f]{32}$")  # a flag's public id


@dataclass(frozen=True, slots=True)
class Form:
    """One page post, read: which page, the unit's or invite's code, the fields."""

    page: Page
    code: str
    session: WebSession
    fields: dict[str, str]
    nonce: str
    language: str
    offered: frozenset[str] = frozenset()  # a personal page's check-ins

    @property
    def address(self) -> str:
        """The chat's address: a personal link's token, else the session's."""
        return self.code if self.page is Page.PERSONAL else self.session.token


def fields_of(body: bytes) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(
            body.decode("utf-8", errors="strict"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise PageRefused.bad_request() from error
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:  # one value a field
            raise PageRefused.bad_request()
        limit = MAX_TEXT if name == "text" else MAX_FIELD
        if len(value) > limit:
            raise PageRefused.too_large(MAX_TEXT)
        if "\x00" in value:
            raise PageRefused.bad_request()
        fields[name] = value
    return fields


def inbound(
    session: WebSession,
    kind: Kind,
    payload: str,
    key: str,
    language: str,
    *,
    address: str | None = None,
    **extra: Any,
) -> Inbound:
    return Inbound(
        channel=WEB,
        address=address or session.token,
        update_key=key,
        kind=kind,
        payload=payload,
        language=language,
        **extra,
    )


def inbound_of(form: Form) -> Inbound:
    """The form's answer as an Inbound: a button, typed text, or a start."""
    fields, session, nonce, language = form.fields, form.session, form.nonce, form.language
    address = form.address
    reference: dict[str, str | int] = {"web": "form"}
    if "choice" in fields:
        choice = fields["choice"]
        if not _CHOICE.match(choice):
            raise PageRefused.bad_request()
        return inbound(
            session, Kind.CHOICE, choice, nonce, language, address=address, reference=reference
        )
    action = fields.get("action")
    if action == "answer" and form.page is Page.PERSONAL:
        # A worker's reply answered on the page: its flag, and the text, in one press.
        flag, text = fields.get("flag", ""), fields.get("text", "").strip()
        if not _FLAG.match(flag) or not text:
            raise PageRefused.bad_request()
        payload = f"{answers.button_data(flag)}:{text}"
        return inbound(session, Kind.CHOICE, payload, nonce, language, address=address)
    if action == "text":
        return inbound(session, Kind.TEXT, fields.get("text", ""), nonce, language, address=address)
    if action == "begin" and form.page is Page.INVITE:
        return inbound(session, Kind.COMMAND, f"start {form.code}", nonce, language)
    if action == "begin" and form.page is Page.PERSONAL:
        dialog = fields.get("dialog", "")
        if dialog not in form.offered:
            raise PageRefused.bad_request()
        # In the client's own name, where the dialog allows it (the service decides).
        return inbound(session, Kind.BEGIN, dialog, nonce, language, address=address)
    if action == "begin":
        dialog = fields.get("dialog", KIOSK_DIALOG)
        allowed = {KIOSK_DIALOG} if form.page is Page.KIOSK else {d for d, _ in UNIT_DIALOGS}
        if dialog not in allowed:
            raise PageRefused.bad_request()
        return inbound(
            session, Kind.BEGIN, dialog, nonce, language, unit_code=form.code, anonymous=True
        )
    raise PageRefused.bad_request()


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


def home_language(query: str | None) -> str | None:
    """The language a link asks for (`?lang=sv`): a poster's, or a kiosk tablet's own."""
    return str(query) if query in LANGUAGES else None
