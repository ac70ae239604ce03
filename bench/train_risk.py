"""Train the risk screen's model (dialogs/risk_model.py) on the development corpus.

    .venv/bin/python -m bench.train_risk            # writes dialogs/data/risk_model.json.gz
    .venv/bin/python -m bench.train_risk --check    # cross-validated figures only, writes nothing

Reproducible: a fixed seed, a fixed feature order, scikit-learn's deterministic solver. Two
logistic regressions over the features of `dialogs.risk_model.features`: "crisis" against the
rest and "needs a flag" (crisis or concern) against ordinary talk, with balanced class weights.
The thresholds are chosen on five held-out folds, together with the lexicons as the screen
combines them (the higher level wins; a lexicon concern with a crisis score of at least
BESIDE_CONCERN is a crisis): the lowest crisis threshold whose held-out false alarms
(ordinary talk given the help numbers) stay at most FALSE_ALARMS in every language, and
likewise for the flag head with FLAGS. Beside that one crisis threshold for all languages (the
screen's when the chat's language is not known), each language gets its own: the lowest whose
held-out false alarms in that language stay at most LANGUAGE_FALSE_ALARMS (the screen's when the
chat's language is known). Recall first, no crisis threshold lies above the score of a crisis of
the corpus that only the model catches (`every_crisis_caps`; it needs the final model, so
--check shows the choices before this cap). The flag threshold holds its limit with either. The
held-out figures it prints are the honest estimate of how the screen does on messages like these
that it has not learnt from; the blind sets measure it on messages of other writers. Only this
script needs scikit-learn (the dev extra).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from collections.abc import Sequence

import numpy as np
import yaml
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from bench.risk_sets import LANGUAGES, SETS, Item, load_set
from dialogs.risk import RiskLevel, RiskScreen, tokens
from dialogs.risk_model import HEADS, MODEL, RiskModel, features, weight_of

SEED = 20261203
FOLDS = 5
C = 30.0  # inverse regularisation strength
MIN_TEXTS = 2  # a feature seen in fewer texts of the corpus is not learnt
FALSE_ALARMS = 0.08  # held out, per language: ordinary talk given the help numbers
# Recall first. The crisis head learns crises against ordinary talk above all: a concern counts
# this much of a text, so that what lies between (a concern that may be a crisis) scores
# towards help. And a text the lexicons flag as a concern is a crisis when the crisis head's
# score reaches BESIDE_CONCERN (below its own threshold): two voices of worry decide for help.
CONCERN_WEIGHT = 0.1
BESIDE_CONCERN = -1.5
FLAGS = 0.15  # held out, per language: ordinary talk flagged
# A crisis threshold per language, used when the chat's language is known: held-out false alarms
# at most this in each language, a margin under the goal's 10% for messages of other writers.
LANGUAGE_FALSE_ALARMS = 0.07
DIGITS = 4


def corpus() -> tuple[list[Item], list[str]]:
    """The development corpus, and the project's own corpus of near misses beside it."""
    items: list[Item] = []
    languages: list[str] = []
    for language in LANGUAGES:
        rows = load_set(SETS / "dev", language)
        own = yaml.safe_load((SETS / f"{language}.yaml").read_text(encoding="utf-8"))
        rows.extend(
            Item(str(text), level, "own_corpus") for level, texts in own.items() for text in texts
        )
        items.extend(rows)
        languages.extend([language] * len(rows))
    return items, languages


def matrix(texts: Sequence[list[tuple[str, int]]], vocabulary: dict[str, int]) -> csr_matrix:
    rows, cols, values = [], [], []
    for row, found in enumerate(texts):
        value = weight_of(len(found))
        for name, _ in found:
            column = vocabulary.get(name)
            if column is not None:
                rows.append(row)
                cols.append(column)
                values.append(value)
    return csr_matrix((values, (rows, cols)), shape=(len(texts), len(vocabulary)))


def vocabulary_of(texts: Sequence[list[tuple[str, int]]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for found in texts:
        for name, _ in found:
            counts[name] = counts.get(name, 0) + 1
    kept = sorted(name for name, count in counts.items() if count >= MIN_TEXTS)
    return {name: column for column, name in enumerate(kept)}


def fit(
    x: csr_matrix, y: np.ndarray, c: float, weights: np.ndarray | None = None
) -> LogisticRegression:
    model = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", random_state=SEED, max_iter=1000
    )
    model.fit(x, y, sample_weight=weights)
    return model


def sample_weights(items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's weight for the crisis head (a concern counts CONCERN_WEIGHT) and the flag
    head (all alike)."""
    crisis = np.array([CONCERN_WEIGHT if item.level == "concern" else 1.0 for item in items])
    return crisis, np.ones(len(items))


def targets(items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
    crisis = np.array([item.level == "crisis" for item in items], dtype=int)
    flag = np.array([item.level != "none" for item in items], dtype=int)
    return crisis, flag


def held_out(texts: Sequence[list[tuple[str, int]]], items: Sequence[Item], c: float) -> np.ndarray:
    """Each text's two scores from models that did not see it."""
    crisis, flag = targets(items)
    weights = sample_weights(items)
    levels = np.array([item.level for item in items])
    scores = np.zeros((len(items), 2))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(np.zeros(len(items)), levels):
        vocabulary = vocabulary_of([texts[i] for i in train])
        x_train = matrix([texts[i] for i in train], vocabulary)
        x_test = matrix([texts[i] for i in test], vocabulary)
        for head, y in enumerate((crisis, flag)):
            model = fit(x_train, y[train], c, weights[head][train])
            scores[test, head] = model.decision_function(x_test)
    return scores


def threshold(
    scores: np.ndarray,
    lexicon_says: np.ndarray,
    negative: np.ndarray,
    languages: np.ndarray,
    limit: float,
) -> float:
    """The lowest threshold at which, in every language, at most `limit` of the negatives are
    said yes by the lexicons or the model."""
    candidates = np.unique(np.round(scores[negative], DIGITS))
    best = float(candidates.max()) + 1e-3
    for value in sorted(candidates, reverse=True):
        ok = True
        for language in LANGUAGES:
            mask = negative & (languages == language)
            if not mask.any():
                continue
            said = lexicon_says[mask] | (scores[mask] >= value)
            if said.mean() > limit:
                ok = False
                break
        if not ok:
            break
        best = float(value)
    return best


def thresholds_by_language(
    scores: np.ndarray,
    lexicon_says: np.ndarray,
    negative: np.ndarray,
    languages: np.ndarray,
    limit: float,
) -> dict[str, float]:
    """Each language's lowest threshold at which at most `limit` of its negatives are said yes."""
    return {
        language: threshold(
            scores, lexicon_says, negative & (languages == language), languages, limit
        )
        for language in LANGUAGES
    }


def every_crisis_caps(
    weights: dict[str, list[float]],
    bias: list[float],
    items: Sequence[Item],
    languages: np.ndarray,
    lexicon_crisis: np.ndarray,
    lexicon_flag: np.ndarray,
) -> dict[str, float]:
    """Per language, the highest crisis threshold at which the shipped model (these weights)
    still gives every crisis of the corpus the help numbers, beside the lexicons."""
    model = RiskModel({k: (v[0], v[1]) for k, v in weights.items()}, (bias[0], bias[1]), (0, 0))
    caps = {language: float("inf") for language in LANGUAGES}
    for i, item in enumerate(items):
        if item.level != "crisis" or lexicon_crisis[i]:
            continue
        score = model.vote(tokens(item.text)).scores[0]  # thresholds 0: the score itself
        if lexicon_flag[i] and score >= BESIDE_CONCERN:
            continue
        language = str(languages[i])
        caps[language] = min(caps[language], math.floor(score * 10**DIGITS - 1) / 10**DIGITS)
    return caps


def report(
    title: str,
    items: Sequence[Item],
    languages: np.ndarray,
    crisis: np.ndarray,
    flag: np.ndarray,
) -> None:
    print(title)
    levels = np.array([item.level for item in items])
    # "concern given help": a concern answered with the help numbers, the price of recall
    own = np.array([item.category == "own_corpus" for item in items])
    for language in LANGUAGES:
        mask = (languages == language) & ~own  # the development corpus only

        def share(level: str, said: np.ndarray, mask: np.ndarray = mask) -> str:
            where = mask & (levels == level)
            return f"{said[where].sum()}/{where.sum()} = {said[where].mean():.0%}"

        print(
            f"  {language}: crisis given help {share('crisis', crisis)}; "
            f"concern flagged {share('concern', flag)}, given help {share('concern', crisis)}; "
            f"none given help {share('none', crisis)}, flagged {share('none', flag)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="held-out figures only")
    parser.add_argument("--c", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--false-alarms", type=float, default=FALSE_ALARMS)
    parser.add_argument("--language-false-alarms", type=float, default=LANGUAGE_FALSE_ALARMS)
    parser.add_argument(
        "--misses", action="store_true", help="and every held-out miss of the development corpus"
    )
    args = parser.parse_args()

    items, language_list = corpus()
    languages = np.array(language_list)
    lexicons = RiskScreen.load(with_model=False)
    said = [lexicons.screen(item.text).level for item in items]
    lexicon_crisis = np.array([level is RiskLevel.CRISIS for level in said])
    lexicon_flag = np.array([level is not RiskLevel.NONE for level in said])
    texts = [features(tokens(item.text)) for item in items]
    crisis, flag = targets(items)
    scores = held_out(texts, items, args.c)
    none = np.array([item.level == "none" for item in items])
    lexicon_crisis_beside = lexicon_crisis | (lexicon_flag & (scores[:, 0] >= BESIDE_CONCERN))
    crisis_at = threshold(scores[:, 0], lexicon_crisis_beside, none, languages, args.false_alarms)
    by_language = thresholds_by_language(
        scores[:, 0], lexicon_crisis_beside, none, languages, args.language_false_alarms
    )
    data: dict[str, object] = {}
    if not args.check:
        vocabulary = vocabulary_of(texts)
        x = matrix(texts, vocabulary)
        heads = [
            fit(x, y, args.c, w) for y, w in zip((crisis, flag), sample_weights(items), strict=True)
        ]
        weights = {}
        for column, name in enumerate(vocabulary):
            pair = [round(float(head.coef_[0][column]), DIGITS) for head in heads]
            if any(pair):
                weights[name] = pair
        bias = [round(float(head.intercept_[0]), DIGITS) for head in heads]
        data = {"bias": bias, "weights": weights}
        # Recall first: no threshold above a crisis of the corpus that only the model catches.
        caps = every_crisis_caps(weights, bias, items, languages, lexicon_crisis, lexicon_flag)
        print(f"held-out choices {crisis_at}, {by_language}; every crisis of the corpus: {caps}")
        crisis_at = min(crisis_at, min(caps.values()))
        by_language = {
            language: min(by_language[language], caps[language]) for language in LANGUAGES
        }
    held_crisis = lexicon_crisis_beside | (scores[:, 0] >= crisis_at)
    own_threshold = np.array([by_language[language] for language in language_list])
    language_crisis = lexicon_crisis_beside | (scores[:, 0] >= own_threshold)
    flag_at = max(
        threshold(scores[:, 1], lexicon_flag | crisis_said, none, languages, FLAGS)
        for crisis_said in (held_crisis, language_crisis)
    )
    report("lexicons alone", items, languages, lexicon_crisis, lexicon_flag)
    held_flag = lexicon_flag | held_crisis | (scores[:, 1] >= flag_at)
    report(
        f"lexicons and model, held out ({FOLDS} folds; thresholds {crisis_at}, {flag_at})",
        items,
        languages,
        held_crisis,
        held_flag,
    )
    language_flag = lexicon_flag | language_crisis | (scores[:, 1] >= flag_at)
    report(
        f"the same, a crisis threshold per language {by_language}",
        items,
        languages,
        language_crisis,
        language_flag,
    )
    if args.misses:  # as the service screens: in a chat of the text's language
        for item, crisis_said, flag_said in zip(items, language_crisis, language_flag, strict=True):
            missed = (item.level == "crisis" and not crisis_said) or (
                item.level == "concern" and not flag_said
            )
            if item.category != "own_corpus" and (missed or (item.level == "none" and crisis_said)):
                print(f"    MISS {item.level}/{item.category}: {item.text}")
    if args.check:
        return
    data = {
        "about": "dialogs/risk_model.py; rebuilt by python -m bench.train_risk",
        "heads": list(HEADS),
        "thresholds": [crisis_at, flag_at],
        "beside_concern": BESIDE_CONCERN,
        "crisis_by_language": by_language,
        **data,
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    MODEL.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"wrote {MODEL.name}: {len(weights)} features, {MODEL.stat().st_size} bytes")


if __name__ == "__main__":
    main()
