"""The risk screen: the corpus (recall, false alarms), normalisation, negation, quotation,
means, idioms, lemmas, the lexicon format, and that it never raises on any text."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.model import LANGUAGES
from dialogs.risk import (
    DATA,
    LexiconError,
    RiskLevel,
    RiskScreen,
    load_voikko,
    normalise,
    parse_lexicon,
    tokens,
)
from tests.dialogs.conftest import CorpusFigures

CORPUS = Path(__file__).parent / "risk_corpus"
MINIMUM = {"fi": 150, "sv": 60, "en": 60}
# Bounds reached by the shipped lexicons on the corpus (see the terminal summary).
CONCERN_RECALL_AT_LEAST = 0.95
FALSE_ALARMS_AT_MOST = 0.05

VOIKKO, WHY_NO_VOIKKO = load_voikko()
NO_VOIKKO = (
    f"Voikko variant skipped: {WHY_NO_VOIKKO} (install libvoikko1 and voikko-fi to run it;"
    " KERRO_VOIKKO_LIBRARY or KERRO_VOIKKO_DICTIONARY may hide it)"
)
VOIKKO_REQUIRED = os.environ.get("KERRO_TEST_REQUIRE_VOIKKO", "") not in ("", "0", "false")


def _without_voikko() -> NoReturn:
    """Skip a Voikko variant, or fail it where Voikko is required (CI installs it)."""
    if VOIKKO_REQUIRED:
        pytest.fail(f"{NO_VOIKKO}; KERRO_TEST_REQUIRE_VOIKKO is set", pytrace=False)
    pytest.skip(NO_VOIKKO)


@pytest.fixture(scope="module")
def stems() -> RiskScreen:
    return RiskScreen.load()


@pytest.fixture(scope="module")
def lexicons() -> RiskScreen:
    """The lexicons alone, without the model: their own rules, one at a time."""
    return RiskScreen.load(with_model=False)


@pytest.fixture(scope="module", params=["stems", "voikko"])
def screen(request: pytest.FixtureRequest, stems: RiskScreen) -> RiskScreen:
    if request.param == "stems":
        return stems
    if VOIKKO is None:
        _without_voikko()
    return RiskScreen.load(lemmatizer=VOIKKO)


def corpus(language: str) -> dict[str, list[str]]:
    data = yaml.safe_load((CORPUS / f"{language}.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"crisis", "concern", "none"}
    return {level: [str(text) for text in texts] for level, texts in data.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corpus_is_large_enough(language: str) -> None:
    sentences = [text for texts in corpus(language).values() for text in texts]
    assert len(sentences) >= MINIMUM[language]
    assert len(set(sentences)) == len(sentences), "a sentence is listed twice"


@pytest.mark.parametrize("language", LANGUAGES)
def test_corpus_recall_and_false_alarms(
    screen: RiskScreen, language: str, corpus_figures: CorpusFigures
) -> None:
    levels = {level: [screen.screen(text).level for text in texts]
              for level, texts in corpus(language).items()}  # fmt: skip
    crisis, concern, none = levels["crisis"], levels["concern"], levels["none"]
    figures = {
        "crisis recall": sum(level is RiskLevel.CRISIS for level in crisis) / len(crisis),
        "concern recall": sum(level >= RiskLevel.CONCERN for level in concern) / len(concern),
        "concern as crisis": sum(level is RiskLevel.CRISIS for level in concern) / len(concern),
        "false alarms": sum(level >= RiskLevel.CONCERN for level in none) / len(none),
    }
    mode = "voikko" if screen.uses_lemmas else "stems"
    corpus_figures[(language, mode)] = (figures, {k: len(v) for k, v in levels.items()})
    missed = [
        text
        for text, level in zip(corpus(language)["crisis"], crisis, strict=True)
        if level is not RiskLevel.CRISIS
    ]
    assert missed == [], "every crisis sentence must screen as a crisis"
    assert figures["concern recall"] >= CONCERN_RECALL_AT_LEAST
    assert figures["false alarms"] <= FALSE_ALARMS_AT_MOST


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("tapan aikaa", RiskLevel.NONE),
        ("kuolen nauruun", RiskLevel.NONE),
        ("this homework is killing me", RiskLevel.NONE),
        ("jag dör av skratt", RiskLevel.NONE),
        ("ajattelen itsemurhasta", RiskLevel.CRISIS),
        ("en jaksa elää", RiskLevel.CRISIS),
        ("haluan kuolla", RiskLevel.CRISIS),
        ("satutan itseäni", RiskLevel.CRISIS),
        ("I want to die", RiskLevel.CRISIS),
        ("vill inte leva", RiskLevel.CRISIS),
    ],
)
def test_the_cases_named_in_the_design(stems: RiskScreen, text: str, level: RiskLevel) -> None:
    assert stems.screen(text).level is level


@pytest.mark.parametrize(
    "text", ["itsemurha on aiheena esseessäni", "en ole ajatellut itsemurhaa", "I am not suicidal"]
)
def test_a_negated_or_reported_mention_is_at_least_a_concern(
    stems: RiskScreen, lexicons: RiskScreen, text: str
) -> None:
    # The lexicons make it a concern, never a crisis; recall first, the model may still
    # answer it with the help numbers (a borderline case is decided toward help).
    assert lexicons.screen(text).level is RiskLevel.CONCERN
    assert stems.screen(text).level >= RiskLevel.CONCERN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HALUAN KUOLLA", "haluan kuolla"),
        ("halu\u200ban\u200c ku\u200dolla\u2060\ufeff", "haluan kuolla"),  # zero-width
        ("satu\u00adtan", "satutan"),  # soft hyphen
        ("ｉ ｗａｎｔ ｔｏ ｄｉｅ", "i want to die"),  # full-width forms
        ("k1ll mys3lf", "kill myself"),
        ("$uicide", "suicide"),
        ("kuollaaaaa", "kuolla"),
        ("diiieee", "die"),
        ("don't I'm", "dont im"),
        ("dоn’t", "dont"),  # a Cyrillic letter, a typographic apostrophe
        ("k̶u̶o̶l̶l̶a̶", "kuolla"),  # combining strike-through
        ("Älä, Åsa, köysi", "älä åsa köysi"),  # the Nordic letters stay
        ("otin 20 💊", "otin <n> pills"),
        ("", ""),
    ],
)
def test_normalisation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_sentences_and_quotation_are_tracked() -> None:
    words = tokens('hän sanoi "haluan kuolla". Mutta minä')
    assert [(w.form, w.sentence, w.quoted) for w in words] == [
        ("hän", 0, False),
        ("sanoi", 0, False),
        ("haluan", 0, True),
        ("kuolla", 0, True),
        ("mutta", 1, False),
        ("minä", 1, False),
    ]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("haluan kuolla", RiskLevel.CRISIS),
        ('kaveri kirjoitti "haluan kuolla"', RiskLevel.CONCERN),  # quoted
        ("i dont really want to die", RiskLevel.CONCERN),  # negation before
        ("im not suicidal", RiskLevel.CONCERN),  # negation between the slots
        ("en tiedä miksi haluan kuolla", RiskLevel.CRISIS),  # too far to negate
        ("en halua kuolla, haluan kuolla", RiskLevel.CRISIS),  # the unnegated one counts
        ("en jaksa elää", RiskLevel.CRISIS),  # the negation is part of the phrase
        ("kotona ei oo turvallista", RiskLevel.CRISIS),  # likewise
        ("haluan. kuolla", RiskLevel.NONE),  # a phrase stays within one sentence
    ],
)
def test_negation_quotation_and_sentences(
    lexicons: RiskScreen, text: str, level: RiskLevel
) -> None:
    assert lexicons.screen(text).level is level


def test_means_count_only_beside_thoughts_of_dying(lexicons: RiskScreen) -> None:
    assert lexicons.screen("köysi ja teltta").level is RiskLevel.NONE
    # Means gathered or at hand are a crisis of their own (the policy): not the word,
    # the deed.
    assert lexicons.screen("ostin köyden").level is RiskLevel.CRISIS
    assert lexicons.screen("mietin itsemurhaa").level is RiskLevel.CRISIS
    assert lexicons.screen("itsemurha").level is RiskLevel.CONCERN
    both = lexicons.screen("itsemurha ja köysi")
    assert both.level is RiskLevel.CRISIS
    assert "fi.means" in both.entries
    # One word is not both the thought and the means.
    assert lexicons.screen("viiltely on yleistä").level is RiskLevel.CONCERN


def test_an_idiom_hides_only_its_own_words(stems: RiskScreen) -> None:
    assert stems.screen("this homework is killing me").level is RiskLevel.NONE
    assert stems.screen("this homework is killing me i want to die").level is RiskLevel.CRISIS


def test_lemmas_widen_the_stems() -> None:
    lemmas: dict[str, Sequence[str]] = {"hyppäänkin": ["hypätä"], "tappaisinkin": ["tappaa"]}
    with_lemmas = RiskScreen.load(lemmatizer=lambda word: lemmas.get(word, []), with_model=False)
    without = RiskScreen.load(with_model=False)
    for text in ("hyppäänkin sillalta", "tappaisinkin itteni"):
        assert without.screen(text).level is RiskLevel.NONE
        assert with_lemmas.screen(text).level is RiskLevel.CRISIS


def test_a_failing_lemmatizer_costs_only_the_lemmas() -> None:
    def broken(word: str) -> Sequence[str]:
        raise RuntimeError("analyser down")

    screen = RiskScreen.load(lemmatizer=broken)
    assert screen.screen("haluan kuolla").level is RiskLevel.CRISIS


def test_voikko_gives_finnish_lemmas() -> None:
    if VOIKKO is None:
        _without_voikko()
    assert VOIKKO is not None
    assert "itsemurha" in VOIKKO("itsemurhasta")
    assert "silta" in VOIKKO("sillalta")
    screen = RiskScreen.load(lemmatizer=VOIKKO)
    assert screen.uses_lemmas
    assert screen.screen("hyppäänkin sillalta").level is RiskLevel.CRISIS
    assert screen.screen("tappaisinkin itteni").level is RiskLevel.CRISIS


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_lexicon_entry_is_explained_for_its_reviewer(language: str) -> None:
    data = yaml.safe_load((DATA / f"risk_{language}.yaml").read_text(encoding="utf-8"))
    entries = parse_lexicon(data, language=language)
    assert entries
    assert all(entry.comment.strip() for entry in entries)
    assert {entry.level for entry in entries} == {"crisis", "concern", "method", "ignore"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a mapping with a list 'entries'"),
        ({"entries": [{"id": "a", "level": "alarm", "match": "x"}]}, "level must be one of"),
        ({"entries": [{"id": "a", "level": "crisis"}]}, "'match' is a pattern"),
        ({"entries": [{"id": "a", "level": "crisis", "match": "x", "gap": 99}]}, "gap is 0..8"),
        ({"entries": [{"id": "a", "level": "crisis", "match": "ku*ol"}]}, "'*' only at the end"),
        ({"entries": [{"id": "a", "level": "crisis", "match": "x", "means": "yes"}]}, "means"),
        ({"entries": [{"id": "a", "level": "crisis", "match": "x", "note": "?"}]}, "keys are"),
        (
            {"entries": [{"id": "a", "level": "crisis", "match": "x"}] * 2},
            "a unique id is needed",
        ),
        ({"entries": [{"id": "a", "level": "crisis", "match": "x|"}]}, "bad alternative"),
    ],
)
def test_a_malformed_lexicon_is_refused_with_the_reason(data: Any, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        parse_lexicon(data, language="fi")


_texts = st.text(max_size=10_000) | st.lists(
    st.sampled_from(
        ["haluan", "kuolla", "en", "\u200b", '"', ".", "k1ll", "myself", "ei", "köysi", "💊",
         "itsemurha", "vill", "inte", "leva", "not", "aaaa", " ", "\n", "20", "ä", "\u0301"]
    ),
    max_size=400,
).map("".join)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(text=_texts)
def test_the_screen_never_fails_and_is_deterministic(text: str) -> None:
    screen = _shared()
    first = screen.screen(text)
    assert "screen-error" not in first.entries  # the safety net was not needed
    assert screen.screen(text) == first
    assert _shared("again").screen(text) == first


def test_an_internal_failure_errs_on_the_safe_side(stems: RiskScreen) -> None:
    broken = RiskScreen(stems.entries, stems.negations, lemmatizer=None)
    broken._index = None  # type: ignore[assignment]  # a broken screen
    assert broken.screen("hello").level is RiskLevel.CONCERN


_cache: dict[str, RiskScreen] = {}


def _shared(name: str = "screen") -> RiskScreen:
    """Screens shared by all hypothesis examples (fixtures are not reset between them)."""
    if name not in _cache:
        _cache[name] = RiskScreen.load(lemmatizer=VOIKKO)
    return _cache[name]


def test_spoken_finnish_is_read_in_its_standard_forms_too(lexicons: RiskScreen) -> None:
    assert {"itseni"} <= set(lexicons.spoken.standard("itteni"))
    assert "syönyt" in lexicons.spoken.standard("syöny")  # a dropped ending
    assert "tekisi" in lexicons.spoken.standard("tekis")  # a spoken conditional
    bare = RiskScreen(lexicons.entries, lexicons.negations)  # no spoken forms
    text = "kukaa ei huomais jos mä katoisin"
    assert bare.screen(text).level is RiskLevel.NONE
    assert lexicons.screen(text).level >= RiskLevel.CONCERN
