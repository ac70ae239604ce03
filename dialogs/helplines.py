"""Help numbers shown on a crisis hit of the risk screen, and the words around them.

The numbers are data (`dialogs/data/help_numbers.yaml`); the texts are English msgids here,
translated where they are shown. The loader checks that every line of the data file has a
text, and that the text's placeholders are exactly the line's numbers.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogs.model import N_, Output, Say, Text

HELP_NUMBERS = Path(__file__).parent / "data" / "help_numbers.yaml"

INTRO = N_("What you wrote sounds really hard. You are not alone, and you can get help right now:")
LINE_TEXTS: Mapping[str, str] = {
    "emergency": N_("{number}: the emergency number, when a life is in danger"),
    "mieli_crisis_helpline": N_(
        "MIELI Crisis Helpline: {fi} (Finnish, day and night), {sv} (Swedish), {ar} (Arabic)"
    ),
    "mll_children_and_youth_phone": N_(
        "MLL children and young people's phone: {number} (free, you don't have to say your "
        "name); in Swedish {sv}"
    ),
    "sekasin_chat": N_(
        "Sekasin chat for ages 12 to 29: anonymous, every day until midnight (search for "
        "Sekasin chat)"
    ),
    "victim_support": N_("Victim Support Finland (Rikosuhripäivystys): {number}"),
}
# An enrolled client: their worker sees the flag, but not at once and not around the clock.
WORKER_WILL_SEE = N_(
    "Your worker will see your message and can contact you. They are not at work around the "
    "clock, so if you need help now, call one of the numbers above."
)
# An anonymous writer: nobody can contact them from here.
WHERE_TO_TURN = N_(
    "This chat is anonymous, so nobody can contact you from here. Please call or write to one "
    "of the numbers above, or tell an adult you trust, today."
)
GO_ON_GENTLY = N_("If you want, we can go on. You can skip any question.")


class HelpNumbersError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class HelpLine:
    id: str
    numbers: Mapping[str, str]

    def text(self) -> Text:
        return Text(LINE_TEXTS[self.id], dict(self.numbers))


@dataclass(frozen=True, slots=True)
class HelpNumbers:
    lines: tuple[HelpLine, ...]

    @classmethod
    def load(cls, *, path: Path = HELP_NUMBERS) -> HelpNumbers:
        return parse_help_numbers(yaml.safe_load(path.read_text(encoding="utf-8")))

    def crisis_reply(self, *, enrolled: bool) -> list[Output]:
        """The help message: the numbers, then who can contact the person, or where to turn."""
        return [
            Say(Text(INTRO)),
            *(Say(line.text()) for line in self.lines),
            Say(Text(WORKER_WILL_SEE if enrolled else WHERE_TO_TURN)),
        ]


def _placeholders(msgid: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(msgid) if name}


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
        lines.append(HelpLine(str(item["id"]), dict(numbers)))
    if {line.id for line in lines} != set(LINE_TEXTS):
        raise HelpNumbersError("help numbers: every line must be there once")
    return HelpNumbers(tuple(lines))
