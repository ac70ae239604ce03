"""Risk screen throughput: sentences per second, with stems only and with Voikko's lemmas,
beside a naive screen over the same lexicon in the same run (the text case-folded, then a
substring test for every word of the lexicon), which knows nothing of phrases, negation,
idioms, leetspeak or inflection.

    .venv/bin/python -m bench.risk
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml

from dialogs.risk import RiskScreen, voikko_lemmatizer

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "dialogs" / "risk_corpus"
ROUNDS = 5
REPEAT = 20


def sentences() -> list[str]:
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.extend(str(text) for level in data.values() for text in level)
    # Longer free-text answers too: a few sentences joined, as feedback is written.
    texts.extend(" ".join(texts[i : i + 6]) + "." for i in range(0, len(texts) - 6, 6))
    return texts


def naive(screen: RiskScreen) -> Callable[[str], bool]:
    words = sorted(
        {
            alt.text
            for entry in screen.entries
            for pattern in entry.patterns
            for slot in pattern
            for alt in slot.alternatives
        }
    )

    def hit(text: str) -> bool:
        folded = text.casefold()
        return any(word in folded for word in words)

    return hit


def rate(work: Callable[[str], object], texts: list[str], repeat: int = REPEAT) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            work(text)
    return repeat * len(texts) / (time.perf_counter() - started)


def main() -> None:
    texts = sentences()
    lemmatizer = voikko_lemmatizer()
    stems = RiskScreen.load()
    baseline = naive(stems)
    results: dict[str, list[float]] = {
        "stems": [],
        "voikko": [],
        "voikko, empty cache, one pass": [],
        "baseline": [],
    }
    for _ in range(ROUNDS):  # alternate, so that noise hits all alike
        results["stems"].append(rate(RiskScreen.load().screen, texts))
        if lemmatizer is not None:
            # A fresh screen each round: its lemma cache fills during the round, as in service.
            results["voikko"].append(rate(RiskScreen.load(lemmatizer=lemmatizer).screen, texts))
            cold = RiskScreen.load(lemmatizer=lemmatizer)
            results["voikko, empty cache, one pass"].append(rate(cold.screen, texts, 1))
        results["baseline"].append(rate(baseline, texts))
    mean_words = sum(len(text.split()) for text in texts) / len(texts)
    print(f"{len(texts)} texts, {mean_words:.1f} words on average, best of {ROUNDS} rounds")
    best = {name: max(values) for name, values in results.items() if values}
    for name, value in best.items():
        print(f"{name}: {value:,.0f} texts/s ({1e6 / value:.0f} µs a text)")
    if "voikko" not in best:
        print("voikko: not installed (libvoikko1, voikko-fi)")
    for name in ("stems", "voikko", "voikko, empty cache, one pass"):
        if name in best:
            print(f"{name}: {best['baseline'] / best[name]:.1f}x the baseline's time a text")


if __name__ == "__main__":
    main()
