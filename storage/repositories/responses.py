"""Responses, their answers and flags; and a conversation's step, stored in one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from dialogs.model import AnonymityChosen, Dialog, Finished, Output, RaiseFlag, Record, State
from storage.crypto import Keyring, Purpose
from storage.repositories import conversations
from storage.repositories._prepared import Prepared
from storage.tables import Answer, Client, Conversation, Flag, Goal, Response, new_public_id

_responses: sa.Table = Response.__table__  # type: ignore[attr-defined]
_answers: sa.Table = Answer.__table__  # type: ignore[attr-defined]
_flags: sa.Table = Flag.__table__  # type: ignore[attr-defined]
_INSERT_RESPONSE = sa.insert(_responses).returning(_responses.c.id)
_INSERT_ANSWERS = Prepared(
    sa.insert(_answers), parameters=[c.name for c in _answers.columns if c.name != "id"]
)
_INSERT_FLAGS = Prepared(
    sa.insert(_flags), parameters=[c.name for c in _flags.columns if c.name != "id"]
)
_COMPLETE = Prepared(
    sa.update(_responses)
    .where(_responses.c.id == sa.bindparam("response_id"))
    .values(completed=sa.true(), updated_at=sa.bindparam("updated_at")),
    parameters=(),
)
_CLIENT_OF = sa.select(_responses.c.client_id).where(_responses.c.id == sa.bindparam("response_id"))


def to_date(moment: dt.datetime) -> dt.datetime:
    """Coarsen a time to the date, for anonymous responses (P1)."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def insert(session: Session, response: Response) -> int:
    result = session.connection().execute(_INSERT_RESPONSE, response.model_dump(exclude={"id"}))
    response.id = int(result.scalar_one())
    return response.id


def complete(session: Session, *, response_id: int, updated_at: dt.datetime) -> None:
    _COMPLETE.defer(session, {"response_id": response_id, "updated_at": updated_at})


def client_of(session: Session, *, response_id: int) -> int | None:
    value = session.connection().execute(_CLIENT_OF, {"response_id": response_id}).scalar_one()
    return None if value is None else int(value)


def add_answers(
    session: Session,
    *,
    response_id: int,
    dialog_version: str,
    recorded_at: dt.datetime,
    records: Sequence[Record],
    keyring: Keyring,
) -> None:
    """Insert a response's answers, their free text sealed (P2); deferred, sent with the
    transaction's other writes."""
    _INSERT_ANSWERS.defer_many(
        session,
        [
            {
                "response_id": response_id,
                "step_id": record.step_id,
                "measure": record.measure,
                "goal_id": record.goal_id,
                "number": record.number,
                "choice": record.choice,
                "text_sealed": (
                    None
                    if record.text is None
                    else keyring.seal(record.text, purpose=Purpose.ANSWER_TEXT)
                ),
                "skipped": record.skipped,
                "dialog_version": dialog_version,
                "recorded_at": recorded_at,
            }
            for record in records
        ],
    )


_FLAGS_RAISED = "kerro_flags_raised"


def add_flags(
    session: Session,
    *,
    response_id: int,
    unit_id: int | None,
    client_id: int | None,
    flags: Sequence[RaiseFlag],
    now: dt.datetime,
    keyring: Keyring | None = None,
) -> None:
    """Insert open flags on a response; deferred like answers. Each gets its opaque public id.

    A flag's reason is kept as it is; the words that decided it are the client's own words:
    kept sealed (P3), and only on an identified flag (`client_id`): an anonymous flag keeps
    no quote of its writer beside it (its text stays readable where it was, with the response).
    """
    if flags:
        _INSERT_FLAGS.defer_many(
            session,
            [
                {
                    "public_id": new_public_id(),
                    "response_id": response_id,
                    "unit_id": unit_id,
                    "client_id": client_id,
                    "level": flag.level.value,
                    "rule": flag.rule,
                    "status": "open",
                    "created_at": now,
                    "reason": flag.reason[:400] or None,
                    "words_sealed": _sealed_words(flag, client_id, keyring),
                }
                for flag in flags
            ],
        )
        session.info[_FLAGS_RAISED] = True


def _sealed_words(flag: RaiseFlag, client_id: int | None, keyring: Keyring | None) -> str | None:
    if not flag.words or client_id is None or keyring is None:
        return None
    return keyring.seal(" ".join(flag.words), purpose=Purpose.FLAG_WORDS)


def record_step(
    session: Session,
    *,
    conversation: Conversation,
    dialog: Dialog,
    state: State,
    outputs: Sequence[Output],
    contact_client_id: int | None,
    keyring: Keyring,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    """Store one step of a conversation: its answers and flags, and the new state.

    The response is made with the step's first answer or flag: identified when the dialog
    is not anonymous and the conversation's contact is linked to a client
    (`contact_client_id`), otherwise anonymous, and then timed by the date only (P1). A
    finished conversation is deleted; a new one is inserted, a running one updated.
    """
    anonymous = state.anonymous is not False
    stamp = to_date(now) if anonymous else now
    contact_id = conversation.contact_id
    response_id = conversation.response_id
    client_id: int | None = None
    client_known = False
    records: list[Record] = []
    flags: list[RaiseFlag] = []
    completed = False
    for output in outputs:
        if isinstance(output, AnonymityChosen) and output.anonymous:
            contact_id = None
        elif isinstance(output, Record | RaiseFlag):
            if response_id is None:
                response = _new_response(
                    session, conversation, dialog, contact_id, contact_client_id, anonymous, now
                )
                response_id, client_id, client_known = response.id, response.client_id, True
            if isinstance(output, Record):
                records.append(output)
            else:
                flags.append(output)
        elif isinstance(output, Finished):
            completed = response_id is not None
    if response_id is not None:
        if flags and not client_known:
            client_id = client_of(session, response_id=response_id)
        add_answers(
            session,
            response_id=response_id,
            dialog_version=dialog.version,
            recorded_at=stamp,
            records=records,
            keyring=keyring,
        )
        add_flags(
            session,
            response_id=response_id,
            unit_id=conversation.unit_id,
            client_id=client_id,
            flags=flags,
            now=now,
            keyring=keyring,
        )
    if completed:
        assert response_id is not None
        complete(session, response_id=response_id, updated_at=stamp)
    if state.finished:
        if conversation.id is not None:
            conversations.delete(session, conversation_id=conversation.id)
        return
    if conversation.id is None:
        conversation.state = state.to_json()
        conversation.contact_id = contact_id
        conversation.response_id = response_id
        conversation.updated_at, conversation.expires_at = now, expires_at
        conversations.insert(session, conversation)
    else:
        conversations.update(
            session,
            conversation_id=conversation.id,
            state=state.to_json(),
            contact_id=contact_id,
            response_id=response_id,
            updated_at=now,
            expires_at=expires_at,
        )


def _new_response(
    session: Session,
    conversation: Conversation,
    dialog: Dialog,
    contact_id: int | None,
    contact_client_id: int | None,
    anonymous: bool,
    now: dt.datetime,
) -> Response:
    client_id = contact_client_id if not anonymous and contact_id is not None else None
    if client_id is None:
        contact_id = None
    stamp = now if client_id is not None else to_date(now)
    response = Response(
        unit_id=conversation.unit_id,
        client_id=client_id,
        contact_id=contact_id,
        dialog_id=dialog.id,
        dialog_version=dialog.version,
        channel=conversation.channel,
        language=conversation.language,
        anonymous=client_id is None,
        started_at=stamp,
        updated_at=stamp,
    )
    insert(session, response)
    return response


def record_kept_text(
    session: Session,
    *,
    client: Client,
    contact_id: int | None,
    dialog_id: str,
    dialog_version: str,
    channel: str,
    language: str,
    kept: tuple[Record, RaiseFlag],
    keyring: Keyring,
    now: dt.datetime,
) -> None:
    """A client's text outside any dialog, kept with its flag as a completed, identified
    response of the client's unit (the risk screen's catch, so that their worker can act)."""
    assert client.id is not None
    unit_id, client_id = client.unit_id, client.id
    record, flag = kept
    response = Response(
        unit_id=unit_id,
        client_id=client_id,
        contact_id=contact_id,
        dialog_id=dialog_id,
        dialog_version=dialog_version,
        channel=channel,
        language=language,
        anonymous=False,
        completed=True,
        started_at=now,
        updated_at=now,
    )
    response_id = insert(session, response)
    add_answers(
        session,
        response_id=response_id,
        dialog_version=dialog_version,
        recorded_at=now,
        records=[record],
        keyring=keyring,
    )
    add_flags(
        session,
        response_id=response_id,
        unit_id=unit_id,
        client_id=client_id,
        flags=[flag],
        now=now,
        keyring=keyring,
    )


def flags_raised(session: Session) -> bool:
    """Whether this transaction inserted flags (so that alerts can be looked at at once)."""
    return bool(session.info.get(_FLAGS_RAISED))


def response_by_id(session: Session, *, response_id: int) -> Response | None:
    return session.get(Response, response_id)


def response_by_public_id(session: Session, *, public_id: str) -> Response | None:
    return session.exec(select(Response).where(Response.public_id == public_id)).first()


def public_ids(session: Session, *, response_ids: Sequence[int]) -> dict[int, str]:
    """The opaque public id of each response."""
    if not response_ids:
        return {}
    rows = session.connection().execute(
        sa.select(_responses.c.id, _responses.c.public_id).where(
            _responses.c.id.in_(sorted(set(response_ids)))
        )
    )
    return {int(row[0]): str(row[1]) for row in rows}


def answers_of(session: Session, *, response_id: int) -> Sequence[Answer]:
    result = session.exec(
        select(Answer).where(Answer.response_id == response_id).order_by(col(Answer.id))
    )
    return result.all()


def flags_of(session: Session, *, response_id: int) -> Sequence[Flag]:
    result = session.exec(
        select(Flag).where(Flag.response_id == response_id).order_by(col(Flag.id))
    )
    return result.all()


@dataclass(frozen=True, slots=True)
class IdentifiedFilter:
    """Which identified responses a staff listing shows: the caller's scope (`unit_ids`, None for
    all; `caseworker_id`, their own clients only), the query's filters, and the keyset `before`
    (started_at, public_id of the caller's own last row, never an integer id: P1)."""

    unit_ids: frozenset[int] | None
    caseworker_id: int | None
    unit_id: int | None
    client_id: int | None
    dialog_id: str | None
    since: dt.datetime | None
    until: dt.datetime | None
    before: tuple[dt.datetime, str] | None
    limit: int


def _identified(columns: Sequence[Any], where: IdentifiedFilter) -> sa.Select[Any]:
    statement = (
        sa.select(*columns)
        .where(col(Response.client_id).is_not(None))
        .order_by(col(Response.started_at).desc(), col(Response.public_id).desc())
        .limit(where.limit)
    )
    if where.unit_ids is not None:
        statement = statement.where(col(Response.unit_id).in_(where.unit_ids))
    if where.caseworker_id is not None:
        mine = sa.select(col(Client.id)).where(col(Client.caseworker_id) == where.caseworker_id)
        statement = statement.where(col(Response.client_id).in_(mine))
    if where.unit_id is not None:
        statement = statement.where(col(Response.unit_id) == where.unit_id)
    if where.client_id is not None:
        statement = statement.where(col(Response.client_id) == where.client_id)
    if where.dialog_id is not None:
        statement = statement.where(col(Response.dialog_id) == where.dialog_id)
    if where.since is not None:
        statement = statement.where(col(Response.started_at) >= where.since)
    if where.until is not None:
        statement = statement.where(col(Response.started_at) < where.until)
    if where.before is not None:
        # A row value, so that the index on (started_at, public_id) serves it.
        key = sa.tuple_(col(Response.started_at), col(Response.public_id))
        statement = statement.where(key < where.before)
    return statement


def list_identified(session: Session, *, where: IdentifiedFilter) -> Sequence[Response]:
    """Responses given in a client's own name, newest first: keyset by (started_at,
    public_id), values of the caller's own last row, never an integer id (P1).

    Anonymous responses are never listed beside a client: they have none, and they appear
    only in aggregates and as a unit's free text.
    """
    statement = _identified([_responses], where)
    rows = session.connection().execute(statement).mappings().all()
    return [Response.model_construct(**row) for row in rows]


PageAnswer = tuple[str, str, int | None, float | None, str | None, str | None, bool]
"""An answer on a page of many: step id, measure, goal id, number, choice, sealed text,
skipped (the driver's row as it is)."""


@dataclass(frozen=True, slots=True)
class ListedResponse:
    """A response on a page of the listing, with its answers in order (plain values)."""

    public_id: str
    unit_id: int | None
    client_id: int
    dialog_id: str
    language: str
    channel: str
    completed: bool
    started_at: dt.datetime
    answers: list[PageAnswer]


_LISTED = ("id", *ListedResponse.__slots__[:-1])
_PAGE_ANSWER = ("step_id", "measure", "goal_id", "number", "choice", "text_sealed", "skipped")


_PAGE_ANSWERS = Prepared(  # PostgreSQL: the driver's rows, without per-row processing
    sa.select(_answers.c.response_id, *(_answers.c[name] for name in _PAGE_ANSWER))
    .where(
        _answers.c.response_id
        == sa.func.any(sa.bindparam("response_ids", type_=postgresql.ARRAY(sa.Integer())))
    )
    .order_by(_answers.c.response_id, _answers.c.id),
    parameters=("response_ids",),
)


def identified_page(session: Session, *, where: IdentifiedFilter) -> list[ListedResponse]:
    """A page of `list_identified`, each response with its answers as plain tuples (a page
    holds many: on PostgreSQL they are the driver's rows as they are)."""
    statement = _identified([_responses.c[name] for name in _LISTED], where)
    connection = session.connection()
    by_id: dict[int, ListedResponse] = {}
    for row in connection.execute(statement):
        key, public_id, unit, client, dialog, language, channel, completed, started = row
        by_id[key] = ListedResponse(
            public_id, unit, client, dialog, language, channel, completed, started, []
        )
    if not by_id:
        return []
    rows: Sequence[Any]
    if connection.dialect.name == "postgresql":
        rows = _PAGE_ANSWERS.execute(session, {"response_ids": list(by_id)})
    else:
        rows = connection.execute(
            sa.select(_answers.c.response_id, *(_answers.c[name] for name in _PAGE_ANSWER))
            .where(_answers.c.response_id.in_(list(by_id)))
            .order_by(_answers.c.response_id, _answers.c.id)
        ).all()
    for response_id, *answer in rows:
        by_id[response_id].answers.append(tuple(answer))
    return list(by_id.values())


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """An answer as staff read it (a plain row: many are read at once)."""

    response_id: int
    step_id: str
    measure: str
    goal_id: int | None
    number: float | None
    choice: str | None
    text_sealed: str | None
    skipped: bool


_ANSWER_ROW = tuple(_answers.c[name] for name in AnswerRow.__slots__)


def answers_for(session: Session, *, response_ids: Sequence[int]) -> dict[int, list[AnswerRow]]:
    """The answers of each response, in order."""
    found: dict[int, list[AnswerRow]] = {response_id: [] for response_id in response_ids}
    if response_ids:
        rows = (
            session.connection()
            .execute(
                sa.select(*_ANSWER_ROW)
                .where(_answers.c.response_id.in_(response_ids))
                .order_by(_answers.c.response_id, _answers.c.id)
            )
            .all()
        )
        for row in rows:
            found[row[0]].append(AnswerRow(*row))
    return found


def anonymous_texts(
    session: Session, *, unit_id: int, since: dt.datetime | None, until: dt.datetime | None
) -> tuple[int, list[tuple[dt.datetime, str, str, str]]]:
    """How many respondents wrote the unit's anonymous free texts of the period, and the
    texts (date, dialog id, step id, sealed text), by date.

    Only responses that wrote a text count: a response without one (a kiosk smiley, a chat
    opened and left) adds no one to the group whose words are shown. Nothing tells two
    anonymous responses of one person apart, so each counts as one respondent
    (docs/ARCHITECTURE.md says what the limit means for anonymous channels).
    """
    conditions = [
        col(Response.unit_id) == unit_id,
        col(Response.client_id).is_(None),
    ]
    if since is not None:
        conditions.append(col(Response.started_at) >= since)
    if until is not None:
        conditions.append(col(Response.started_at) < until)
    connection = session.connection()
    wrote = sa.exists().where(
        col(Answer.response_id) == col(Response.id), col(Answer.text_sealed).is_not(None)
    )
    respondents = connection.execute(
        sa.select(sa.func.count()).select_from(Response).where(*conditions, wrote)
    ).scalar_one()
    rows = connection.execute(
        sa.select(
            col(Response.started_at),
            col(Response.dialog_id),
            col(Answer.step_id),
            col(Answer.text_sealed),
        )
        .join(Answer, col(Answer.response_id) == col(Response.id))
        .where(*conditions, col(Answer.text_sealed).is_not(None))
        .order_by(col(Response.started_at), col(Answer.step_id), col(Answer.text_sealed))
    ).all()
    return int(respondents), [(r[0], r[1], r[2], str(r[3])) for r in rows]


@dataclass(frozen=True, slots=True)
class TimelineClient:
    """Who may read a client's timeline (unit, caseworker) and the weights of their goals."""

    unit_id: int
    caseworker_id: int | None
    goal_weights: dict[int, float]


_goals: sa.Table = Goal.__table__  # type: ignore[attr-defined]
_clients: sa.Table = Client.__table__  # type: ignore[attr-defined]
_TIMELINE_CLIENT = (
    sa.select(_clients.c.unit_id, _clients.c.caseworker_id, _goals.c.id, _goals.c.weight)
    .outerjoin(_goals, _goals.c.client_id == _clients.c.id)
    .where(_clients.c.id == sa.bindparam("client_id"))
)


def timeline_client(session: Session, *, client_id: int) -> TimelineClient | None:
    """The client and their goals' weights in one round trip; None for no such client."""
    rows = session.connection().execute(_TIMELINE_CLIENT, {"client_id": client_id}).all()
    if not rows:
        return None
    unit_id, caseworker_id = rows[0][0], rows[0][1]
    return TimelineClient(
        unit_id=int(unit_id),
        caseworker_id=caseworker_id,
        goal_weights={int(goal): float(weight) for _, _, goal, weight in rows if goal is not None},
    )


def client_scores(
    session: Session,
    *,
    client_id: int,
    measures: Sequence[str],
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[tuple[str, dt.datetime, str, int | None, float]]:
    """(response public id, started at, measure, goal id, number) of a client's answered
    scores, oldest first."""
    statement = (
        sa.select(
            col(Response.public_id),
            col(Response.started_at),
            col(Answer.measure),
            col(Answer.goal_id),
            col(Answer.number),
        )
        .join(Answer, col(Answer.response_id) == col(Response.id))
        .where(
            col(Response.client_id) == client_id,
            col(Answer.measure).in_(measures),
            col(Answer.number).is_not(None),
            col(Answer.skipped).is_(False),
        )
        .order_by(col(Response.started_at), col(Response.public_id), col(Answer.id))
    )
    if since is not None:
        statement = statement.where(col(Response.started_at) >= since)
    if until is not None:
        statement = statement.where(col(Response.started_at) < until)
    found: list[Any] = list(session.connection().execute(statement))
    return [(str(r[0]), r[1], str(r[2]), r[3], float(r[4])) for r in found]
