"""The risk screen's second voter: a small linear model over words and letter sequences.

The lexicons (`dialogs/risk.py`) know the phrasings professionals have written down; the model
has learnt from the labelled development corpus (tests/dialogs/risk_corpus/dev) how crises and
concerns are written in words the lexicons have never seen. It is two logistic regressions over
the same features of the normalised text (the screen's own `tokens`, so colloquial spellings,
leetspeak and look-alike letters are already folded):

- `w:` every word, `b:` every two neighbouring words of a sentence,
- `c:` every letter sequence of 3 to 5 letters inside a word padded with spaces (`" kuol"`),
  which carries inflections, compounds and typos of one letter;

each present feature counts 1/sqrt(n), n the number of features of the text. One head scores
"crisis", the other "needs a flag" (crisis or concern); a head says yes at or above its
threshold; a concern of the lexicons becomes a crisis when the crisis head reaches a lower
score, `beside_concern` (two voices of worry decide for help). The crisis head may have a
threshold per language (`crisis_by_language`), used when the chat's language is known; without
it, or for another language, the one threshold for all languages holds. The weights live in
`dialogs/data/risk_model.json.gz`, rebuilt reproducibly by `python -m bench.train_risk`, which
also chose the thresholds on held-out folds; reading them needs only the standard library. The
screen takes the higher of the two voters' levels, so a crisis from either wins, and it names
the words that weighed most.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

MODEL = Path(__file__).parent / "data" / "risk_model.json.gz"
CHAR_SIZES = (3, 4, 5)
HEADS = ("crisis", "flag")


class _Word(Protocol):
    @property
    def form(self) -> str: ...
    @property
    def sentence(self) -> int: ...


def features(words: Sequence[_Word]) -> list[tuple[str, int]]:
    """The features of a text's words, each with the index of the word it came from (the
    first word of a pair), in order and with repeats removed."""
    seen: set[str] = set()
    result: list[tuple[str, int]] = []

    def add(feature: str, index: int) -> None:
        if feature not in seen:
            seen.add(feature)
            result.append((feature, index))

    for index, word in enumerate(words):
        form = word.form
        add("w:" + form, index)
        if index + 1 < len(words) and words[index + 1].sentence == word.sentence:
            add(f"b:{form} {words[index + 1].form}", index)
        padded = f" {form} "
        for size in CHAR_SIZES:
            for start in range(len(padded) - size + 1):
                add("c:" + padded[start : start + size], index)
    return result


def weight_of(count: int) -> float:
    """The value of each present feature in a text of `count` features."""
    return 1.0 / math.sqrt(count) if count else 0.0


@dataclass(frozen=True, slots=True)
class Vote:
    crisis: bool
    flag: bool
    scores: tuple[float, float]  # crisis, flag: the heads' margins over their thresholds
    words: tuple[str, ...]  # the words that weighed most for the decision, strongest first
    # The crisis head is near enough to make a concern of the lexicons a crisis.
    beside_concern: bool = False


@dataclass(frozen=True, slots=True)
class RiskModel:
    weights: dict[str, tuple[float, float]]  # feature -> (crisis, flag)
    bias: tuple[float, float]
    thresholds: tuple[float, float]
    beside_concern: float | None = None  # a crisis score that makes a lexicon concern a crisis
    crisis_by_language: dict[str, float] = field(default_factory=dict)  # the crisis threshold

    @classmethod
    def load(cls, path: Path = MODEL) -> RiskModel:
        data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        weights = {
            str(name): (float(pair[0]), float(pair[1])) for name, pair in data["weights"].items()
        }
        bias = data["bias"]
        thresholds = data["thresholds"]
        beside = data.get("beside_concern")
        by_language = data.get("crisis_by_language", {})
        return cls(
            weights,
            (float(bias[0]), float(bias[1])),
            (float(thresholds[0]), float(thresholds[1])),
            None if beside is None else float(beside),
            {str(language): float(value) for language, value in by_language.items()},
        )

    def crisis_threshold(self, language: str | None = None) -> float:
        """The crisis head's threshold for a chat in `language` ("fi", "sv-FI", ...), or the one
        for all languages when it is not known or has none of its own."""
        if language is None:
            return self.thresholds[0]
        primary = language.replace("_", "-").split("-")[0].lower()
        return self.crisis_by_language.get(primary, self.thresholds[0])

    def vote(
        self, words: Sequence[_Word], *, language: str | None = None, explain: int = 3
    ) -> Vote:
        found = features(words)
        value = weight_of(len(found))
        crisis, flag = self.bias
        by_word: dict[int, list[float]] = {}
        get = self.weights.get
        for name, index in found:
            pair = get(name)
            if pair is None:
                continue
            crisis += pair[0] * value
            flag += pair[1] * value
            sums = by_word.setdefault(index, [0.0, 0.0])
            sums[0] += pair[0] * value
            sums[1] += pair[1] * value
        margins = (crisis - self.crisis_threshold(language), flag - self.thresholds[1])
        is_crisis, is_flag = margins[0] >= 0, margins[1] >= 0 or margins[0] >= 0
        beside = self.beside_concern is not None and crisis >= self.beside_concern
        head = 0 if is_crisis or beside else 1
        strongest = sorted(
            (index for index, sums in by_word.items() if sums[head] > 0),
            key=lambda index: -by_word[index][head],
        )
        words_out = _unique(words[index].form for index in strongest) if is_flag or beside else ()
        return Vote(is_crisis, is_flag, margins, tuple(words_out[:explain]), beside)


def _unique(forms: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return [form for form in forms if not (form in seen or seen.add(form))]  # type: ignore[func-returns-value]
