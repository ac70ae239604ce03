"""How the risk screen does on labelled sets of messages: the development corpus and the blind sets.

    .venv/bin/python -m bench.risk_sets dev            # tests/dialogs/risk_corpus/dev
    .venv/bin/python -m bench.risk_sets blind/a        # a blind set: counts only, never a text
    .venv/bin/python -m bench.risk_sets dev --misses   # and every miss, by level and category
    .venv/bin/python -m bench.risk_sets dev --only 2   # one extension of a set: dev/fi-2.yaml

Per language, each text screened as in a chat of its language (the model's crisis threshold of
that language; --any-language: the one threshold for all, as when the chat's language is not
known), with Voikko's lemmas when Voikko is installed (the stem fallback otherwise, or
with --stems): the share of crises that get the help numbers in the very reply (the screen says
crisis), of crises and concerns that raise a flag at all, and of ordinary messages that get the
help numbers (a false alarm) or a flag. Then the same per category. A set's items are
`{text, level, category, about, register}` (tests/dialogs/risk_corpus/WRITING.md).
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from dialogs.risk import RiskLevel, RiskScreen, voikko_lemmatizer

SETS = Path(__file__).resolve().parent.parent / "tests" / "dialogs" / "risk_corpus"
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    level: str
    category: str


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Item
    said: RiskLevel

    @property
    def right(self) -> bool:
        """Crisis: the help numbers came; concern: a flag came; none: no help numbers."""
        if self.item.level == "crisis":
            return self.said is RiskLevel.CRISIS
        if self.item.level == "concern":
            return self.said is not RiskLevel.NONE
        return self.said is not RiskLevel.CRISIS


def load(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Item(str(row["text"]), str(row["level"]), str(row["category"])) for row in data]


def parts(folder: Path, language: str, only: str | None = None) -> list[Path]:
    """A set's files of one language: `fi.yaml`, then its extensions `fi-2.yaml`, ... written
    later by other writers (`only`: just the extension of that name, e.g. "2")."""
    if only is not None:
        return [path for path in [folder / f"{language}-{only}.yaml"] if path.exists()]
    first = [folder / f"{language}.yaml"] if (folder / f"{language}.yaml").exists() else []
    return first + sorted(folder.glob(f"{language}-*.yaml"))


def load_set(folder: Path, language: str, only: str | None = None) -> list[Item]:
    """Every item of a set in one language, over all its files."""
    return [item for path in parts(folder, language, only) for item in load(path)]


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.0%}" if whole else "-"


def summary(language: str, outcomes: list[Outcome]) -> str:
    by_level: Counter[str] = Counter(o.item.level for o in outcomes)
    helped = Counter(o.item.level for o in outcomes if o.said is RiskLevel.CRISIS)
    flagged = Counter(o.item.level for o in outcomes if o.said is not RiskLevel.NONE)
    return (
        f"{language}: crisis given help {share(helped['crisis'], by_level['crisis'])}, "
        f"flagged {share(flagged['crisis'], by_level['crisis'])}; "
        f"concern flagged {share(flagged['concern'], by_level['concern'])}; "
        f"none given help {share(helped['none'], by_level['none'])}, "
        f"flagged {share(flagged['none'], by_level['none'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", help="a folder under tests/dialogs/risk_corpus, e.g. dev or blind/a")
    parser.add_argument("--stems", action="store_true", help="screen without Voikko")
    parser.add_argument("--misses", action="store_true", help="print every miss (not blind!)")
    parser.add_argument("--only", help="just one extension of the set, e.g. 2 for fi-2.yaml")
    parser.add_argument(
        "--any-language", action="store_true", help="screen without the chat's language"
    )
    args = parser.parse_args()
    lemmatizer = None if args.stems else voikko_lemmatizer()
    screen = RiskScreen.load(lemmatizer=lemmatizer)
    print(
        f"set {args.set}, {'Voikko lemmas' if lemmatizer else 'stems only'}, "
        f"{'no chat language' if args.any_language else 'in a chat of its language'}"
    )
    for language in LANGUAGES:
        items = load_set(SETS / args.set, language, args.only)
        if not items:
            continue
        chat = None if args.any_language else language
        outcomes = [Outcome(item, screen.screen(item.text, language=chat).level) for item in items]
        print(summary(language, outcomes))
        cells: Counter[tuple[str, str]] = Counter()
        right: Counter[tuple[str, str]] = Counter()
        for outcome in outcomes:
            cell = (outcome.item.level, outcome.item.category)
            cells[cell] += 1
            right[cell] += outcome.right
        for cell in sorted(cells):
            print(f"    {cell[0]:8} {cell[1]:24} {share(right[cell], cells[cell])}")
        if args.misses:
            for outcome in outcomes:
                if not outcome.right:
                    item, said = outcome.item, outcome.said.label
                    print(f"    MISS {item.level}/{item.category} ({said}): {item.text}")


if __name__ == "__main__":
    main()
