"""The risk screen on the development corpus (tests/dialogs/risk_corpus/dev), written apart
from the lexicons: every crisis gets the help numbers, at least 90% of concerns raise a flag, at
most 10% of ordinary talk gets the help numbers, with Voikko's lemmas and without; and the
screen names the words that decided it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.risk_sets import LANGUAGES, SETS, Item, load, load_set
from dialogs.risk import RiskLevel, RiskScreen, tokens
from dialogs.risk_model import MODEL, RiskModel
from tests.dialogs.test_risk import VOIKKO, _without_voikko

CRISIS_RECALL = 1.0  # crisis given the help numbers
CONCERN_FLAGGED = 0.90  # concern (or crisis) raised
NONE_GIVEN_HELP = 0.10  # ordinary talk given the help numbers: a false alarm


@pytest.fixture(scope="module", params=["stems", "voikko"])
def screen(request: pytest.FixtureRequest) -> RiskScreen:
    if request.param == "voikko" and VOIKKO is None:
        _without_voikko()
    return RiskScreen.load(lemmatizer=VOIKKO if request.param == "voikko" else None)


def _said(
    screen: RiskScreen, items: list[Item], level: str, chat: str | None
) -> list[tuple[Item, RiskLevel]]:
    return [
        (item, screen.screen(item.text, language=chat).level)
        for item in items
        if item.level == level
    ]


@pytest.mark.parametrize("chat_language", [True, False], ids=["chat-language", "any-language"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_crisis_gets_help_and_ordinary_talk_rarely(
    screen: RiskScreen, language: str, chat_language: bool
) -> None:
    items = load_set(SETS / "dev", language)  # fi.yaml and its extensions (fi-2.yaml, ...)
    chat = language if chat_language else None  # the chat's language known, or not
    crisis = _said(screen, items, "crisis", chat)
    concern = _said(screen, items, "concern", chat)
    none = _said(screen, items, "none", chat)
    assert len(crisis) >= 700
    assert len(concern) >= 700
    assert len(none) >= 600

    missed = [f"{i.category}: {i.text}" for i, said in crisis if said is not RiskLevel.CRISIS]
    assert len(missed) <= (1 - CRISIS_RECALL) * len(crisis), (
        "crises without the help numbers:\n" + "\n".join(missed)
    )
    unflagged = [f"{i.category}: {i.text}" for i, said in concern if said is RiskLevel.NONE]
    assert len(unflagged) <= (1 - CONCERN_FLAGGED) * len(concern), (
        f"{len(unflagged)}/{len(concern)} concerns not flagged:\n" + "\n".join(unflagged)
    )
    alarms = [f"{i.category}: {i.text}" for i, said in none if said is RiskLevel.CRISIS]
    assert len(alarms) <= NONE_GIVEN_HELP * len(none), (
        f"{len(alarms)}/{len(none)} ordinary messages given the help numbers:\n" + "\n".join(alarms)
    )


def test_the_model_finds_crises_in_words_no_lexicon_entry_has() -> None:
    lexicons = RiskScreen.load(with_model=False)
    both = RiskScreen.load()
    text = "ois kiva vaa lakata olemasta"  # "it would be nice to just stop existing"
    assert lexicons.screen(text).level is RiskLevel.NONE
    screening = both.screen(text)
    assert screening.level is RiskLevel.CRISIS
    assert screening.entries == ("model",)
    assert screening.words
    assert set(screening.words) <= set(text.split())


def test_the_lexicons_and_the_model_name_the_words_that_decided() -> None:
    screening = RiskScreen.load().screen("koulu oli ok. haluan kuolla")
    assert screening.level is RiskLevel.CRISIS
    assert any(entry.startswith("fi.") for entry in screening.entries)
    assert {"haluan", "kuolla"} <= set(screening.words)
    assert RiskScreen.load().screen("koulu oli ok").words == ()


def test_a_crisis_from_either_voter_wins() -> None:
    lexicons_only = RiskScreen.load(with_model=False)
    both = RiskScreen.load()
    for item in load(SETS / "dev" / "en.yaml")[:300]:
        assert both.screen(item.text).level >= lexicons_only.screen(item.text).level


def test_the_shipped_model_reads_without_scikit_learn() -> None:
    model = RiskModel.load(MODEL)
    assert len(model.weights) > 10_000
    assert all(len(pair) == 2 for pair in list(model.weights.values())[:100])
    assert RiskScreen.load().model is not None


def test_the_chats_language_takes_its_own_crisis_threshold() -> None:
    model = RiskModel.load(MODEL)
    assert set(model.crisis_by_language) == set(LANGUAGES)
    assert model.crisis_threshold() == model.thresholds[0]
    assert model.crisis_threshold("fi-FI") == model.crisis_by_language["fi"]
    assert model.crisis_threshold("sv_FI") == model.crisis_by_language["sv"]
    assert model.crisis_threshold("EN") == model.crisis_by_language["en"]
    assert model.crisis_threshold("de") == model.thresholds[0]  # no threshold of its own

    # A Swedish chat's threshold so low that any text is a crisis: only Swedish chats say so.
    eager = replace(model, crisis_by_language={"sv": -1_000.0})
    screen = replace(RiskScreen.load(), model=eager)
    text = "idag var det soligt och vi spelade fotboll"
    assert screen.screen(text, language="sv").level is RiskLevel.CRISIS
    assert screen.screen(text, language="sv").entries == ("model",)
    for other in (None, "fi", "en", "de"):
        assert screen.screen(text, language=other).level is RiskLevel.NONE, other


def test_the_chats_language_only_moves_the_models_crisis_threshold() -> None:
    """The same level with the chat's language as without it, wherever the model's crisis
    score is not between the two thresholds; the lexicons read every text alike."""
    screen = RiskScreen.load()
    lexicons = RiskScreen.load(with_model=False)
    assert screen.model is not None
    model = screen.model
    for language in LANGUAGES:
        low, high = sorted((model.crisis_threshold(), model.crisis_threshold(language)))
        for item in load(SETS / "dev" / f"{language}.yaml")[:200]:
            words = tokens(item.text)
            score = model.vote(words).scores[0] + model.crisis_threshold()
            with_language = screen.screen(item.text, language=language).level
            assert with_language >= lexicons.screen(item.text, language=language).level
            if not low <= score < high:
                assert with_language is screen.screen(item.text).level, item.text
