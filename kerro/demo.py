"""Sample data so that Kerro can be tried at once: a demo organisation in Finnish.

Five units (the trial unit `demo`, youth aftercare, child protection open care, family work
and a parents' service), their caseworkers and one coordinator over them all, whose new token
opens the staff API. Each unit has clients with pseudonyms and goals with level texts, and a
year of answers up to yesterday: weekly or fortnightly check-ins with gaps (a summer dip, weeks
nobody answered, skipped questions, a few abandoned), some clients getting better and some
worse; parents' service feedback whose recommendation score rises from about 50 to about 70,
anonymous and in the parent's own name; open feedback in Finnish (a little in Swedish and
English); and the flags that such answers raise, the older ones acknowledged or resolved.

The answers are made by the dialog engine from planned events, so they are stored exactly as
a conversation stores them, and written in bulk through `storage.repositories.seed`. The
random numbers are seeded per unit, so every run makes the same year, ending yesterday. A unit
is filled once: a run finds its first caseworker and leaves it be, and only prints a new token.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.messages import CODE, TELEGRAM, WEB
from dialogs import engine
from dialogs.loader import load_directory
from dialogs.model import (
    Answer,
    Ask,
    Dialog,
    FlagLevel,
    Goal,
    RaiseFlag,
    Record,
    Skip,
    Start,
    State,
    StepKind,
)
from kerro import demo_texts as words
from storage.crypto import Keyring
from storage.repositories import audit, clients, seed, staff, units
from storage.tables import Unit

DEMO_UNIT = "demo"
# Units have one name, in the organisation's language: the demo's are Finnish.
DEMO_UNIT_NAME = "Kokeiluyksikkö"
OLD_DEMO_UNIT_NAME = "Demo unit"  # what earlier versions called it
DEMO_COORDINATOR = "Demo coordinator"
DEMO_TOKEN_DAYS = 30
DEMO_CLIENT = "DEMO-1"
DEMO_GOALS = (words.SCHOOL.title, words.SLEEP.title)  # the demo client reads Finnish
UNIT_CODE = CODE
SEED = 2026
DAYS = 365
FINNISH_OFFSET = dt.timedelta(hours=2)  # local time of answers, near enough (no summer time)


@dataclass(frozen=True, slots=True)
class ClientPlan:
    ref: str
    alias: str
    audience: str  # youth | child | parent
    trend: str  # improving | declining | stable | dip (a hard middle of the year)
    every: int = 7  # days between check-ins
    rate: float = 0.8  # share of check-ins answered
    goals: tuple[words.GoalText, ...] = ()
    worker: int = 0  # which of the unit's caseworkers
    starts: float = 0.0  # where in the year the client came (0: a year ago)
    language: str = "fi"


@dataclass(frozen=True, slots=True)
class UnitPlan:
    code: str
    name: str
    caseworkers: tuple[str, ...]
    clients: tuple[ClientPlan, ...]
    open_feedback: int  # anonymous open feedback a year
    parent_feedback: int = 0  # anonymous parents' service feedback a year


_A, _B = words.GOALS_YOUNG_ADULT, words.GOALS_YOUTH
_C = words.GOALS_CHILD

ORGANISATION = (
    UnitPlan(
        DEMO_UNIT,
        DEMO_UNIT_NAME,
        ("Aino Lehtonen",),
        (
            ClientPlan(DEMO_CLIENT, "Kokeilunuori", "youth", "improving"),
            ClientPlan("DEMO-2", "Kettu", "youth", "stable", every=14, goals=(_B[2],)),
            ClientPlan("DEMO-3", "Pilvi", "youth", "declining", rate=0.7, goals=(_B[0], _B[3])),
        ),
        open_feedback=25,
    ),
    UnitPlan(
        "jalkihuolto",
        "Nuorten jälkihuolto",
        ("Mikko Salo", "Sanna Heikkinen"),
        (
            ClientPlan("JH-101", "Revontuli", "youth", "improving", goals=(_A[0], _A[1])),
            ClientPlan("JH-102", "Ilves", "youth", "declining", goals=(_A[1], _A[4]), rate=0.65),
            ClientPlan("JH-103", "Kuura", "youth", "stable", every=14, goals=(_A[2],), worker=1),
            ClientPlan("JH-104", "Sisu", "youth", "dip", goals=(_A[3], _A[0]), worker=1),
            ClientPlan("JH-105", "Tuisku", "youth", "improving", starts=0.4, goals=(_A[2],)),
            ClientPlan("JH-106", "Myrsky", "youth", "stable", rate=0.55, goals=(_A[1],), worker=1),
            ClientPlan(
                "JH-107", "Saga", "youth", "improving", every=14, goals=(_A[0],), language="sv"
            ),
        ),
        open_feedback=45,
    ),
    UnitPlan(
        "lastensuojelu",
        "Lastensuojelun avohuolto",
        ("Jussi Korhonen", "Laura Mäkinen"),
        (
            ClientPlan("LS-201", "Orava", "child", "improving", every=14, goals=(_C[0], _C[1])),
            ClientPlan("LS-202", "Siili", "child", "stable", every=14, goals=(_C[2],), worker=1),
            ClientPlan("LS-203", "Kärpänen", "child", "dip", every=14, goals=(_C[1],)),
            ClientPlan("LS-204", "Varpunen", "child", "declining", every=14, rate=0.7, worker=1),
            ClientPlan("LS-205", "Tikka", "youth", "improving", goals=(_B[0], _B[1])),
            ClientPlan("LS-206", "Kuovi", "youth", "declining", goals=(_B[3],), worker=1),
            ClientPlan("LS-207", "Ahma", "youth", "stable", rate=0.6, goals=(_B[2],)),
            ClientPlan("LS-208", "Haukka", "youth", "improving", starts=0.5, goals=(_B[0],)),
        ),
        open_feedback=35,
    ),
    UnitPlan(
        "perhetyo",
        "Perhetyö",
        ("Petra Nieminen", "Antti Laine"),
        (
            ClientPlan("PT-301", "Vanhempi Koivu", "parent", "improving", every=42),
            ClientPlan("PT-302", "Vanhempi Pihlaja", "parent", "stable", every=42, worker=1),
            ClientPlan("PT-303", "Vanhempi Vaahtera", "parent", "improving", every=56),
            ClientPlan("PT-304", "Tiitiäinen", "child", "improving", every=14, goals=(_C[2],)),
            ClientPlan("PT-305", "Peippo", "child", "stable", every=14, goals=(_C[0],), worker=1),
            ClientPlan("PT-306", "Sirkku", "child", "dip", every=14, rate=0.7, goals=(_C[1],)),
        ),
        open_feedback=30,
        parent_feedback=40,
    ),
    UnitPlan(
        "vanhemmat",
        "Vanhempien palvelu",
        ("Hanna Virtanen", "Riikka Koskinen"),
        (
            ClientPlan("VP-401", "Vanhempi Tammi", "parent", "improving", every=42),
            ClientPlan("VP-402", "Vanhempi Kataja", "parent", "stable", every=56, worker=1),
            ClientPlan("VP-403", "Vanhempi Lehmus", "parent", "improving", every=42),
            ClientPlan("VP-404", "Vanhempi Halla", "parent", "declining", every=56, worker=1),
            ClientPlan(
                "VP-405", "Förälder Ek", "parent", "improving", every=56, language="sv", worker=1
            ),
        ),
        open_feedback=30,
        parent_feedback=300,
    ),
)


@dataclass(frozen=True, slots=True)
class Seeded:
    units: int = 0
    responses: int = 0
    answers: int = 0
    flags: int = 0


def ensure_demo_unit(session: Session) -> Unit:
    unit = units.unit_by_code(session, code=DEMO_UNIT)
    if unit is None:
        unit = units.add_unit(
            session, code=DEMO_UNIT, name=DEMO_UNIT_NAME, now=dt.datetime.now(dt.UTC)
        )
    elif unit.name == OLD_DEMO_UNIT_NAME:
        assert unit.id is not None
        units.rename_unit(session, unit_id=unit.id, name=DEMO_UNIT_NAME)
        unit = units.unit_by_id(session, unit_id=unit.id)
        assert unit is not None
    return unit


def demo_coordinator_token(session: Session, *, unit_ids: Sequence[int]) -> str:
    """A fresh token of the demo organisation's coordinator (added on the first call), who
    works in all the demo's units."""
    now = dt.datetime.now(dt.UTC)
    member = staff.staff_by_name(session, name=DEMO_COORDINATOR)
    if member is None:
        member = staff.add_staff(
            session, name=DEMO_COORDINATOR, role="coordinator", unit_ids=unit_ids, now=now
        )
    assert member.id is not None
    seed.add_units(session, staff_id=member.id, unit_ids=unit_ids, now=now)
    token, _ = staff.issue_token(
        session, staff_id=member.id, now=now, lifetime=dt.timedelta(days=DEMO_TOKEN_DAYS)
    )
    return token


def ensure_demo(
    session: Session,
    *,
    keyring: Keyring,
    staff_url: str = "http://127.0.0.1:8001",
    today: dt.date | None = None,
) -> str:
    """The demo organisation (filled once) and a new token of its coordinator; what to try."""
    today = today or dt.datetime.now(dt.UTC).date()
    seeded, unit_ids = seed_organisation(session, keyring=keyring, today=today)
    token = demo_coordinator_token(session, unit_ids=unit_ids)
    unit = ensure_demo_unit(session)
    names = ", ".join(f"{plan.code} ({plan.name})" for plan in ORGANISATION)
    filled = (
        f"Added {seeded.units} unit(s) with a year of answers: {seeded.responses} responses,"
        f" {seeded.answers} answers, {seeded.flags} flags.\n"
        if seeded.units
        else "The demo organisation was there already; nothing was added.\n"
    )
    return (
        f"{filled}"
        f"Demo units: {names}.\n"
        f"Demo unit '{DEMO_UNIT}' ({unit.name}) with client '{DEMO_CLIENT}' is ready. Try:\n"
        f"  kerro chat youth_checkin --lang en --client {DEMO_CLIENT}\n"
        f"The staff API as the units' coordinator, {DEMO_COORDINATOR} (token valid"
        f" {DEMO_TOKEN_DAYS} days; each run gives a new one):\n"
        f"  curl -H 'Authorization: Bearer {token}' {staff_url}/api/v1/units\n"
        f"Token: {token}"
    )


def seed_organisation(
    session: Session, *, keyring: Keyring, today: dt.date
) -> tuple[Seeded, list[int]]:
    """Every unit of the demo, filled with a year up to `today` unless it was before."""
    dialogs = load_directory()
    total = Seeded()
    unit_ids: list[int] = []
    for plan in ORGANISATION:
        unit = ensure_demo_unit(session) if plan.code == DEMO_UNIT else _unit(session, plan)
        assert unit.id is not None
        unit_ids.append(unit.id)
        if staff.staff_by_name(session, name=plan.caseworkers[0]) is not None:
            continue  # filled on an earlier run
        made = _fill_unit(session, plan, unit.id, dialogs, keyring, today)
        total = Seeded(
            total.units + 1,
            total.responses + made.responses,
            total.answers + made.answers,
            total.flags + made.flags,
        )
    return total, unit_ids


def _unit(session: Session, plan: UnitPlan) -> Unit:
    unit = units.unit_by_code(session, code=plan.code)
    if unit is None:
        unit = units.add_unit(session, code=plan.code, name=plan.name, now=dt.datetime.now(dt.UTC))
    return unit


def _rng(code: str) -> random.Random:
    """The unit's own random numbers: the same on every run (sample data, not secrets)."""
    return random.Random(SEED * 1_000_003 + zlib.crc32(code.encode()))  # noqa: S311


@dataclass(frozen=True, slots=True)
class _Client:
    id: int
    plan: ClientPlan
    worker_id: int
    goals: tuple[Goal, ...]


def _fill_unit(
    session: Session,
    plan: UnitPlan,
    unit_id: int,
    dialogs: dict[str, Dialog],
    keyring: Keyring,
    today: dt.date,
) -> Seeded:
    rng = _rng(plan.code)
    first = dt.datetime.combine(today - dt.timedelta(days=DAYS), dt.time(), dt.UTC)
    workers = []
    for name in plan.caseworkers:
        member = staff.add_staff(
            session, name=name, role="caseworker", unit_ids=[unit_id], now=first
        )
        assert member.id is not None
        workers.append(member.id)
    people = [_client(session, unit_id, client, workers, first) for client in plan.clients]
    samples: list[seed.SampleResponse] = []
    maker = _Maker(rng, dialogs, unit_id, first, today)
    for person in people:
        if person.plan.audience == "parent":
            samples.extend(maker.named_parent(person))
        else:
            samples.extend(maker.check_ins(person))
    samples.extend(maker.open_feedback(plan.open_feedback))
    samples.extend(maker.anonymous_parents(plan.parent_feedback))
    samples = maker.with_history(samples, workers, people)
    samples.sort(key=lambda sample: sample.at)
    responses, answers, flags = seed.add_responses(session, samples=samples, keyring=keyring)
    return Seeded(1, responses, answers, flags)


def _client(
    session: Session, unit_id: int, plan: ClientPlan, workers: list[int], first: dt.datetime
) -> _Client:
    worker_id = workers[plan.worker % len(workers)]
    came = first + dt.timedelta(days=int(plan.starts * DAYS)) - dt.timedelta(days=7)
    client = clients.client_by_ref(session, unit_id=unit_id, case_ref=plan.ref)
    old: int | None = None
    goals = plan.goals or ((words.SCHOOL, words.SLEEP) if plan.ref == DEMO_CLIENT else ())
    if client is None:
        client = clients.add_client(
            session,
            unit_id=unit_id,
            alias=plan.alias,
            case_ref=plan.ref,
            audience=plan.audience,
            language=plan.language,
            now=came,
            caseworker_id=worker_id,
        )
        assert client.id is not None
        for goal in goals:
            clients.add_goal(session, client_id=client.id, title=goal.title, levels=goal.levels)
    else:  # the trial client of earlier versions: keep it, give it a worker
        assert client.id is not None
        old = client.caseworker_id
        clients.update_client(session, client=client, caseworker_id=worker_id)
    assert client.id is not None
    if old != worker_id:  # who may see the client's data: a change of access (P4)
        audit.access_change(
            session,
            by=None,
            what="caseworker",
            target=f"client/{client.id} caseworker staff/{old or '-'} to staff/{worker_id}",
            client_ids=[client.id],
            now=dt.datetime.now(dt.UTC),
        )
    stored = clients.active_goals(session, client_id=client.id)
    return _Client(
        client.id,
        plan,
        worker_id,
        tuple(Goal(goal.id, goal.title, goal.weight) for goal in stored if goal.id is not None),
    )


Chooser = Callable[[Ask, State], "str | None"]


def run_dialog(
    dialog: Dialog,
    *,
    goals: tuple[Goal, ...],
    anonymous: bool,
    choose: Chooser,
    stop_after: int | None = None,
) -> tuple[list[Record], list[RaiseFlag], bool]:
    """The answers and flags of one run of the dialog, as the engine makes them; `choose`
    answers each question (None: skip); with `stop_after`, the person leaves after so many."""
    state, outputs = engine.step(dialog, engine.start(dialog), Start(goals, anonymous))
    records: list[Record] = []
    flags: list[RaiseFlag] = []
    steps = 0
    while True:
        records.extend(output for output in outputs if isinstance(output, Record))
        flags.extend(output for output in outputs if isinstance(output, RaiseFlag))
        if state.finished:
            return records, flags, True
        if stop_after is not None and steps >= stop_after:
            return records, flags, False
        ask = next(output for output in reversed(outputs) if isinstance(output, Ask))
        value = choose(ask, state)
        state, outputs = engine.step(dialog, state, Skip() if value is None else Answer(value))
        steps += 1


def _level(trend: str, t: float) -> float:
    """How things go, 1..5, at `t` (0..1) of the client's time with us."""
    if trend == "improving":
        return 2.3 + 1.9 * t
    if trend == "declining":
        return 3.9 - 1.6 * t
    if trend == "dip":
        return 3.7 - 1.5 * math.sin(math.pi * t)
    return 3.4


_GOLDEN = (math.sqrt(5) - 1) / 2
_OFFSETS = {"joy": 0.1, "belonging": -0.2, "coping": 0.0, "physical": 0.2}


class _Maker:
    """Plans answers for one unit, with its own seeded random numbers."""

    def __init__(
        self,
        rng: random.Random,
        dialogs: dict[str, Dialog],
        unit_id: int,
        first: dt.datetime,
        today: dt.date,
    ) -> None:
        self.rng = rng
        self.dialogs = dialogs
        self.unit_id = unit_id
        self.first = first
        self.end = dt.datetime.combine(today, dt.time(), dt.UTC)  # nothing from today on

    def _when(self, day: dt.datetime) -> dt.datetime:
        """A local afternoon or evening of the day (or of one of the next two), in UTC."""
        late = self.rng.choices((0, 1, 2), weights=(6, 3, 1))[0]
        minutes = self.rng.randrange(14 * 60, 21 * 60 + 30)
        local = day + dt.timedelta(days=late, minutes=minutes)
        return local - FINNISH_OFFSET

    def check_ins(self, person: _Client) -> list[seed.SampleResponse]:
        plan = person.plan
        dialog = self.dialogs["child_checkin" if plan.audience == "child" else "youth_checkin"]
        start = self.first + dt.timedelta(days=int(plan.starts * DAYS))
        span = (self.end - start).days or 1
        found: list[seed.SampleResponse] = []
        day = start + dt.timedelta(days=self.rng.randrange(plan.every))
        while day < self.end:
            rate = plan.rate * (0.55 if day.month == 7 else 1.0)  # the summer holiday
            if self.rng.random() < rate:
                at = self._when(day)
                if at < self.end:
                    t = (day - start).days / span
                    found.append(self._check_in(dialog, person, at, _level(plan.trend, t)))
            day += dt.timedelta(days=plan.every)
        return found

    def _score(self, level: float, offset: float) -> int:
        value = round(level + offset + self.rng.gauss(0, 0.6))
        if value <= 1 and self.rng.random() < 0.5:
            value = 2  # a "1" is rare: it raises a flag
        return max(1, min(5, value))

    def _check_in(
        self, dialog: Dialog, person: _Client, at: dt.datetime, level: float
    ) -> seed.SampleResponse:
        rng = self.rng
        concern = level < 2.7 and rng.random() < 0.06

        def choose(ask: Ask, state: State) -> str | None:
            if ask.kind is StepKind.SCALE:
                if rng.random() < 0.04:
                    return None
                return str(self._score(level, _OFFSETS.get(ask.step_id, 0.0)))
            if ask.kind is StepKind.GAS:
                if rng.random() < 0.06:
                    return None
                gas = round((level - 3.0) * 1.1 + rng.gauss(0, 0.55))
                return str(max(-2, min(2, gas)))
            if ask.kind is StepKind.CHOICE:
                return rng.choice(("yes", "no", "no", "not_now"))
            if ask.kind is StepKind.TEXT:
                if concern:
                    return rng.choice(words.NOTES_CONCERN)
                if rng.random() > 0.18:
                    return None
                pool = (
                    words.NOTES_GOOD
                    if level > 3.5
                    else words.NOTES_BAD
                    if level < 2.7
                    else words.NOTES_SO_SO
                )
                return rng.choice(pool)
            return None

        stop = rng.randrange(1, 4) if rng.random() < 0.04 else None
        records, flags, completed = run_dialog(
            dialog, goals=person.goals, anonymous=False, choose=choose, stop_after=stop
        )
        if concern and completed:
            flags.append(RaiseFlag("risk_screen", FlagLevel.CONCERN))
        return seed.SampleResponse(
            unit_id=self.unit_id,
            client_id=person.id,
            dialog_id=dialog.id,
            dialog_version=dialog.version,
            channel=rng.choice((TELEGRAM, TELEGRAM, WEB)),
            language=person.plan.language,
            completed=completed,
            at=at,
            records=records,
            flags=tuple(seed.SampleFlag(flag) for flag in flags),
        )

    def _parent(
        self,
        at: dt.datetime,
        *,
        client_id: int | None,
        language: str | None,
        draw: float | None = None,
    ) -> seed.SampleResponse:
        """One parents' service feedback; the recommendation rises over the year (NPS about
        50 at its start, about 70 at its end)."""
        rng = self.rng
        dialog = self.dialogs["parent_service"]
        t = max(0.0, min(1.0, (at - self.first).days / DAYS))
        promoter, detractor = 0.58 + 0.20 * t, 0.10 - 0.04 * t
        draw = rng.random() if draw is None else draw
        kind = "promoter" if draw < promoter else "detractor" if draw > 1 - detractor else "passive"
        nps = {
            "promoter": rng.choice((9, 10, 10)),
            "passive": rng.choice((7, 8)),
            "detractor": rng.choice((3, 4, 5, 6, 6)),
        }[kind]
        scale_mean = {"promoter": 4.4, "passive": 3.6, "detractor": 2.4}[kind]
        pool = {
            "promoter": words.BETTER_PROMOTER,
            "passive": words.BETTER_PASSIVE,
            "detractor": words.BETTER_DETRACTOR,
        }[kind]
        fitting = [item for item in pool if language is None or item[0] == language] or list(pool)
        text_language, text = rng.choice(fitting)
        writes = rng.random() < 0.55

        def choose(ask: Ask, state: State) -> str | None:
            if ask.kind is StepKind.NPS:
                return None if rng.random() < 0.03 else str(nps)
            if ask.kind is StepKind.SCALE:
                if rng.random() < 0.05:
                    return None
                return str(max(1, min(5, round(scale_mean + rng.gauss(0, 0.7)))))
            if ask.kind is StepKind.TEXT:
                return text if writes else None
            if ask.kind is StepKind.YESNO:
                return "yes" if kind == "detractor" and rng.random() < 0.5 else "no"
            return None

        records, flags, completed = run_dialog(
            dialog, goals=(), anonymous=client_id is None, choose=choose
        )
        return seed.SampleResponse(
            unit_id=self.unit_id,
            client_id=client_id,
            dialog_id=dialog.id,
            dialog_version=dialog.version,
            channel=rng.choice((WEB, WEB, TELEGRAM)),
            language=language or (text_language if writes else "fi"),
            completed=completed,
            at=at,
            records=records,
            flags=tuple(seed.SampleFlag(flag) for flag in flags),
        )

    def named_parent(self, person: _Client) -> list[seed.SampleResponse]:
        plan = person.plan
        found = []
        day = self.first + dt.timedelta(days=self.rng.randrange(plan.every))
        while day < self.end:
            if self.rng.random() < plan.rate:
                at = self._when(day)
                if at < self.end:
                    found.append(self._parent(at, client_id=person.id, language=plan.language))
            day += dt.timedelta(days=plan.every)
        return found

    def _day(self) -> dt.datetime:
        """A day of the year, fewer in July, more on weekdays."""
        while True:
            day = self.first + dt.timedelta(days=self.rng.randrange((self.end - self.first).days))
            if day.month == 7 and self.rng.random() < 0.5:
                continue
            if day.weekday() >= 5 and self.rng.random() < 0.6:
                continue
            return day + dt.timedelta(hours=self.rng.randrange(8, 20))

    def anonymous_parents(self, count: int) -> list[seed.SampleResponse]:
        """Parents' feedback through the unit's link and kiosk. Their recommendations are
        drawn evenly in date order (a golden-ratio sequence), so that every month shows the
        year's trend and not chance."""
        days = sorted(self._day() for _ in range(count))
        return [
            self._parent(day, client_id=None, language=None, draw=(0.5 + k * _GOLDEN) % 1.0)
            for k, day in enumerate(days)
        ]

    def open_feedback(self, count: int) -> list[seed.SampleResponse]:
        rng = self.rng
        dialog = self.dialogs["open_feedback"]
        found = []
        for _ in range(count):
            rating = rng.choices((1, 2, 3, 4), weights=(1, 2, 4, 4))[0]
            pool = (
                words.FEEDBACK_BAD
                if rating == 1
                else words.FEEDBACK_MIXED
                if rating == 2
                else rng.choice((words.FEEDBACK_GOOD, words.FEEDBACK_GOOD, words.FEEDBACK_MIXED))
            )
            language, text = rng.choice(pool)
            writes = rng.random() < 0.7
            if not writes:
                text = ""
            option = dialog.steps[dialog.step_index("rating")].options[rating - 1].id

            def choose(
                ask: Ask, state: State, option: str = option, text: str | None = text
            ) -> str | None:
                if ask.kind is StepKind.CHOICE:
                    return option
                if ask.kind is StepKind.TEXT:
                    return text or None
                return None

            records, flags, completed = run_dialog(dialog, goals=(), anonymous=True, choose=choose)
            found.append(
                seed.SampleResponse(
                    unit_id=self.unit_id,
                    client_id=None,
                    dialog_id=dialog.id,
                    dialog_version=dialog.version,
                    channel=rng.choice((WEB, WEB, TELEGRAM)),
                    language=language if writes else "fi",
                    completed=completed,
                    at=self._day(),
                    records=records,
                    flags=tuple(seed.SampleFlag(flag) for flag in flags),
                )
            )
        return found

    def with_history(
        self, samples: list[seed.SampleResponse], workers: list[int], people: list[_Client]
    ) -> list[seed.SampleResponse]:
        """The flags' fate: older ones acknowledged and mostly resolved, the last two weeks'
        partly still open."""
        rng = self.rng
        worker_of = {person.id: person.worker_id for person in people}
        recent = self.end - dt.timedelta(days=14)
        changed = []
        for sample in samples:
            if not sample.flags:
                changed.append(sample)
                continue
            worker = worker_of.get(sample.client_id or 0, workers[0])
            flags = []
            for item in sample.flags:
                history = None
                if sample.at < recent or rng.random() < 0.5:
                    acknowledged = sample.at + dt.timedelta(hours=rng.randrange(1, 48))
                    resolved = None
                    if sample.at < recent and rng.random() < 0.85:
                        resolved = acknowledged + dt.timedelta(hours=rng.randrange(4, 24 * 6))
                    history = seed.FlagHistory(
                        worker,
                        min(acknowledged, self.end),
                        None if resolved is None else min(resolved, self.end),
                        rng.choice(words.RESOLVED_NOTES) if resolved is not None else None,
                    )
                flags.append(seed.SampleFlag(item.flag, history))
            changed.append(
                seed.SampleResponse(
                    sample.unit_id,
                    sample.client_id,
                    sample.dialog_id,
                    sample.dialog_version,
                    sample.channel,
                    sample.language,
                    sample.completed,
                    sample.at,
                    sample.records,
                    tuple(flags),
                )
            )
        return changed
