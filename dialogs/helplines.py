"""Help numbers, and the reply that gives them: the crisis reply of the risk screen and of
"I need help now".

The numbers are data (`dialogs/data/help_numbers.yaml`), the only place where they are written.
Every text names a number by its placeholder (`{emergency}`, `{mll}`, ...), which is filled
from the data file wherever the text is shown (`HelpNumbers.placeholders`).

The reply is one short message first: that it is an automatic reply, 112, the one line that
fits the audience (child, youth, parent, or anyone when it is not known), and who will see
what was written and when. It has one button, "More places to get help", which gives the
audience's lines of the data file and what to do now. The screen cannot tell whether a crisis
is the writer's own or someone else's, so every text here fits both ("if you or someone else
is in danger now, call 112").
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from dialogs.model import N_, Choice, Output, Say, Text

HELP_NUMBERS = Path(__file__).parent / "data" / "help_numbers.yaml"


class Audience(StrEnum):
    """Whom the reply speaks to: a dialog's audience, else the client's, else anyone."""

    CHILD = "child"
    YOUTH = "youth"
    PARENT = "parent"
    ANYONE = "anyone"

    @classmethod
    def of(cls, *candidates: str | None) -> Audience:
        """The first candidate that names an audience (a dialog's "any" does not)."""
        for candidate in candidates:
            if candidate in (cls.CHILD, cls.YOUTH, cls.PARENT):
                return cls(candidate)
        return cls.ANYONE


class Reader(StrEnum):
    """Who will see what was written (or that help was asked for), and when."""

    WORKER = "worker"  # an enrolled client's flag: their worker, on the next working day
    STAFF = "staff"  # an anonymous flag of a unit: its staff, later, without knowing who
    NOBODY = "nobody"  # nothing was stored


# The button under the first message: "morehelp:<audience>" (a command's button, so that it
# works at any time, also after the dialog has ended).
MORE_HELP = "morehelp"
MORE_LABEL = N_("More places to get help")

OPENING_SCREENED = N_(
    "This is an automatic reply. What you wrote sounds really hard. You are not alone."
)
OPENING_PRESSED = N_(
    "This is an automatic reply. It is good that you asked for help. You are not alone."
)
CALL_EMERGENCY = N_("If you or someone else is in danger now, call {emergency}.")
TALK: Mapping[Audience, str] = {
    Audience.CHILD: N_(
        "You can also call the MLL Helpline for Children and Young People: {mll}. It is free. "
        "Or tell an adult you trust."
    ),
    Audience.YOUTH: N_(
        "To talk to someone now, call the MLL Helpline for Children and Young People: {mll}. "
        "Or write in the Sekasin chat."
    ),
    Audience.PARENT: N_(
        "To talk to someone now, call the MIELI Crisis Helpline: {mieli}. It is open day and night."
    ),
    Audience.ANYONE: N_(
        "To talk to someone now, call the MIELI Crisis Helpline: {mieli}. Children and young "
        "people can call {mll}."
    ),
}
WHO_SEES: Mapping[Reader, str] = {
    Reader.WORKER: N_("Your worker will see this by their next working day, not right away."),
    Reader.STAFF: N_(
        "Staff may read this later. They cannot know who you are, and they cannot contact you."
    ),
    Reader.NOBODY: N_("This was not saved, and nobody will read it."),
}
MORE_TITLE = N_("More places to get help:")
LINE_TEXTS: Mapping[str, str] = {
    "emergency": N_("{emergency}: the emergency number, when a life is in danger"),
    "mll_children_and_youth_phone": N_(
        "MLL Helpline for Children and Young People: {mll} (free, you don't have to say your "
        "name); in Swedish {mll_sv}"
    ),
    "sekasin_chat": N_(
        "Sekasin chat for ages 12 to 29: you can write without giving your name, every day "
        "until midnight. Search for Sekasin chat."
    ),
    "mieli_crisis_helpline": N_(
        "MIELI Crisis Helpline: {mieli} (Finnish, day and night), {mieli_sv} (Swedish), "
        "{mieli_ar} (Arabic)"
    ),
    "victim_support": N_(
        "Victim Support Finland (Rikosuhripäivystys), if someone has hurt you or committed a "
        "crime against you: {victim_support}"
    ),
}
WHAT_NOW: Mapping[Audience, str] = {
    Audience.CHILD: N_(
        "What to do now: tell an adult you trust today, or call one of these numbers. If "
        "someone is in danger, call {emergency} at once."
    ),
    Audience.YOUTH: N_(
        "What to do now: call or write to one of these today, or tell someone you trust. If "
        "you or someone else is in danger, call {emergency} at once."
    ),
    Audience.PARENT: N_(
        "What to do now: call one of these today. If your child or someone else is in "
        "danger, call {emergency} at once, and stay with them."
    ),
}
GO_ON_GENTLY = N_("If you want, we can go on. You can skip any question.")

# How the parts of a reply make one message (not translated: it holds no words).
_PARAGRAPH = "\n\n"


class HelpNumbersError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class HelpLine:
    id: str
    numbers: Mapping[str, str]  # placeholder -> number
    audiences: frozenset[Audience]


def more_data(audience: Audience) -> str:
    """The data of the "more places to get help" button for this audience."""
    return f"{MORE_HELP}:{audience.value}"


@dataclass(frozen=True, slots=True)
class HelpNumbers:
    lines: tuple[HelpLine, ...]

    @classmethod
    def load(cls, *, path: Path = HELP_NUMBERS) -> HelpNumbers:
        return parse_help_numbers(yaml.safe_load(path.read_text(encoding="utf-8")))

    @property
    def placeholders(self) -> dict[str, str]:
        """Every number by its placeholder: what fills `{emergency}` in any text."""
        return {name: number for line in self.lines for name, number in line.numbers.items()}

    def numbers(self) -> list[str]:
        """Every number as it is written (for making them tappable on a page)."""
        return list(self.placeholders.values())

    def _text(self, msgid: str) -> Text:
        return Text(msgid, self.placeholders)

    def crisis_reply(self, *, audience: Audience, reader: Reader, pressed: bool) -> list[Output]:
        """The first, short message: automatic, 112, the audience's line, who sees it, and the
        button to the other lines. `pressed`: asked for with "I need help now"."""
        parts = {
            "opening": Text(OPENING_PRESSED if pressed else OPENING_SCREENED),
            "call": self._text(CALL_EMERGENCY),
            "talk": self._text(TALK[audience]),
            "who": Text(WHO_SEES[reader]),
        }
        layout = _PARAGRAPH.join("{%s}" % name for name in parts)  # noqa: UP031 (a format)
        more = Choice(more_data(audience), Text(MORE_LABEL))
        return [Say(Text(layout, parts), buttons=(more,), help=True)]

    def more(self, audience: Audience) -> list[Output]:
        """The other places to get help for this audience, and what to do now."""
        lines = [line for line in self.lines if audience in line.audiences]
        parts: dict[str, str | Text] = {"title": Text(MORE_TITLE)}
        parts.update({f"line{i}": self._text(LINE_TEXTS[line.id]) for i, line in enumerate(lines)})
        parts["now"] = self._text(WHAT_NOW.get(audience, WHAT_NOW[Audience.YOUTH]))
        layout = _PARAGRAPH.join("{%s}" % name for name in parts)  # noqa: UP031 (a format)
        return [Say(Text(layout, parts), help=True)]


def _placeholders(msgid: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(msgid) if name}


def _audiences(item: Mapping[str, Any]) -> frozenset[Audience]:
    named = item.get("for")
    if not isinstance(named, list) or not named or not all(a in set(Audience) for a in named):
        raise HelpNumbersError(
            f"help numbers: {item['id']}: 'for' lists some of {', '.join(Audience)}"
        )
    return frozenset(Audience(a) for a in named)


def parse_help_numbers(data: Any) -> HelpNumbers:
    if not isinstance(data, Mapping) or not isinstance(data.get("lines"), list):
        raise HelpNumbersError("help numbers: a mapping with a list 'lines' expected")
    lines: list[HelpLine] = []
    for item in data["lines"]:
        if not isinstance(item, Mapping) or item.get("id") not in LINE_TEXTS:
            raise HelpNumbersError(f"help numbers: a line with a known id expected, got {item!r}")
        numbers = item.get("numbers") or {}
        if not isinstance(numbers, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) and value.strip()
            for key, value in numbers.items()
        ):
            raise HelpNumbersError(f"help numbers: {item['id']}: numbers are text")
        if set(numbers) != _placeholders(LINE_TEXTS[item["id"]]):
            raise HelpNumbersError(
                f"help numbers: {item['id']}: numbers {sorted(numbers)} do not fit its text"
            )
        lines.append(HelpLine(str(item["id"]), dict(numbers), _audiences(item)))
    if {line.id for line in lines} != set(LINE_TEXTS) or len(lines) != len(LINE_TEXTS):
        raise HelpNumbersError("help numbers: every line must be there once")
    names = [name for line in lines for name in line.numbers]
    if len(names) != len(set(names)):
        raise HelpNumbersError("help numbers: a placeholder names one number only")
    used = {
        name
        for msgid in (CALL_EMERGENCY, *TALK.values(), *WHAT_NOW.values())
        for name in _placeholders(msgid)
    }
    if not used <= set(names):
        raise HelpNumbersError(f"help numbers: the reply needs {sorted(used - set(names))}")
    emergency = next(line for line in lines if line.id == "emergency")
    if emergency.audiences != set(Audience):
        raise HelpNumbersError("help numbers: the emergency line is for everyone")
    return HelpNumbers(tuple(lines))
