"""Opening sealed free text for an authorised reader (the caller audits the read)."""

from __future__ import annotations

from sqlmodel import Session

from api.context import ApiContext
from storage.crypto import Purpose, SealError
from storage.repositories import responses

UNREADABLE = "(this text cannot be opened with the current key)"


def open_text(context: ApiContext, sealed: str, *, purpose: Purpose = Purpose.ANSWER_TEXT) -> str:
    try:
        return context.keyring.open(sealed, purpose=purpose)
    except SealError:
        return UNREADABLE


def opened_texts(
    context: ApiContext, session: Session, *, response_id: int
) -> list[tuple[str, str]]:
    """(step id, text) of a response's free-text answers."""
    return [
        (answer.step_id, open_text(context, answer.text_sealed))
        for answer in responses.answers_of(session, response_id=response_id)
        if answer.text_sealed is not None
    ]
