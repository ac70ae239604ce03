"""Value types of the dialog domain: dialogs, steps, engine events, outputs and state.

Texts are `Text` values: an English msgid and its parameters. Translation happens where a
message is rendered for a person, never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dialogs.expr import Expr, Value

# The languages Kerro speaks (texts, dialogs, the risk screen's lexicons), the default first.
LANGUAGES = ("fi", "sv", "en")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class Plural:
    """A message with a singular and a plural msgid: which form is shown depends on a count."""

    singular: str
    plural: str

    def text(self, count: int, params: Mapping[str, str | Text] | None = None) -> Text:
        """The message for `count`; `{count}` in it is filled with the number."""
        return Text(self.singular, {"count": str(count), **(params or {})}, self.plural, count)


def NP_(singular: str, plural: str) -> Plural:
    """Mark a plural message for extraction (as ngettext); translated where it is shown."""
    return Plural(singular, plural)


@dataclass(frozen=True, slots=True)
class Text:
    """A translatable message: an English msgid and its parameters.

    A parameter that is itself a Text is translated too; a plain string is shown as it is.
    A plural message also has its plural msgid and the count that chooses the form.
    """

    msgid: str
    params: Mapping[str, str | Text] = field(default_factory=dict)
    plural: str | None = None
    count: int = 1


class StepKind(StrEnum):
    INFO = "info"
    SCALE = "scale"  # 1-5 emoji scale
    NPS = "nps"  # 0-10
    CHOICE = "choice"
    YESNO = "yesno"
    GAS = "gas"  # goal attainment -2..+2, once per goal of the client
    TEXT = "text"
    PRIVACY = "privacy"  # anonymously or with my name; asked only when the channel lets choose


class Privacy(StrEnum):
    """Who the answers of a dialog belong to.

    identified: an enrolled client answers in their own name (unenrolled people answer anonymously).
    optional: enrolled clients are asked whether to answer anonymously.
    anonymous: always anonymous.
    """

    IDENTIFIED = "identified"
    OPTIONAL = "optional"
    ANONYMOUS = "anonymous"


class FlagLevel(StrEnum):
    CRISIS = "crisis"
    CONCERN = "concern"


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: str
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    kind: StepKind
    text: str
    line: int
    measure: str | None = None
    options: tuple[Option, ...] = ()
    low: str | None = None
    high: str | None = None
    when: Expr | None = None
    max_length: int = 2000

    @property
    def asks(self) -> bool:
        return self.kind not in (StepKind.INFO, StepKind.PRIVACY)


@dataclass(frozen=True, slots=True)
class FlagRule:
    id: str
    when: Expr
    level: FlagLevel
    line: int


@dataclass(frozen=True, slots=True)
class Dialog:
    id: str
    version: str
    title: str
    audience: str
    privacy: Privacy
    needs_unit: bool
    steps: tuple[Step, ...]
    flags: tuple[FlagRule, ...]
    source: str

    def step_index(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise KeyError(step_id)


@dataclass(frozen=True, slots=True)
class Goal:
    id: int
    title: str
    weight: float = 1.0


# Engine events -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """Begin the dialog. anonymous=None lets the person choose at the dialog's privacy step."""

    goals: tuple[Goal, ...] = ()
    anonymous: bool | None = True


@dataclass(frozen=True, slots=True)
class Answer:
    """A choice id, a choice's 1-based number, or free text."""

    value: str


@dataclass(frozen=True, slots=True)
class Skip:
    pass


Event = Start | Answer | Skip


# Engine outputs ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class Say:
    """A message. `buttons` carry whole button data (a command's, such as "morehelp:child");
    `help` marks the help numbers' messages, which a channel may show differently (a kiosk
    keeps them on screen, a web page makes the numbers tappable)."""

    text: Text
    buttons: tuple[Choice, ...] = ()
    help: bool = False


@dataclass(frozen=True, slots=True)
class Ask:
    step_id: str
    kind: StepKind
    text: Text
    choices: tuple[Choice, ...]
    hint: Text | None = None
    free_text: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """One answer to store. Exactly one of number/choice/text is set unless skipped."""

    step_id: str
    measure: str
    number: float | None = None
    choice: str | None = None
    text: str | None = None
    goal_id: int | None = None
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class RaiseFlag:
    """A flag to raise. `reason`: why, in the project's terms (the risk screen's entries, a
    wellbeing course); `words`: the person's own words that decided it (stored sealed, and
    only on an identified response)."""

    rule: str
    level: FlagLevel
    reason: str = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finished:
    pass


@dataclass(frozen=True, slots=True)
class AnonymityChosen:
    anonymous: bool


Output = Say | Ask | Record | RaiseFlag | Finished | AnonymityChosen


# State ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class State:
    """Where a conversation is. Plain data; `to_json`/`from_json` round-trip it."""

    dialog_id: str
    version: str
    at: str | None = None  # id of the awaited step
    goal_index: int = 0
    anonymous: bool | None = True
    goals: tuple[Goal, ...] = ()
    answers: Mapping[str, Value] = field(default_factory=dict)
    raised: frozenset[str] = frozenset()
    finished: bool = False

    @property
    def started(self) -> bool:
        return self.at is not None or self.finished

    def to_json(self) -> dict[str, Any]:
        return {
            "dialog_id": self.dialog_id,
            "version": self.version,
            "at": self.at,
            "goal_index": self.goal_index,
            "anonymous": self.anonymous,
            "goals": [[g.id, g.title, g.weight] for g in self.goals],
            "answers": dict(self.answers),
            "raised": sorted(self.raised),
            "finished": self.finished,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> State:
        return cls(
            dialog_id=str(data["dialog_id"]),
            version=str(data["version"]),
            at=None if data["at"] is None else str(data["at"]),
            goal_index=int(data["goal_index"]),
            anonymous=data["anonymous"],
            goals=tuple(Goal(int(i), str(t), float(w)) for i, t, w in data["goals"]),
            answers=dict(data["answers"]),
            raised=frozenset(data["raised"]),
            finished=bool(data["finished"]),
        )
