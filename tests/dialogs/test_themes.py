"""Themes of open feedback: hand-written Finnish, Swedish and English texts get the themes a
reader would give them, with Voikko and without it; the keywords are checked; quotes hide
what could identify."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.risk import load_voikko
from dialogs.themes import (
    HIDDEN,
    QUOTE_LENGTH,
    Theme,
    ThemeError,
    ThemeMatcher,
    active_themes,
    check_keywords,
    in_force,
    light_stem,
    load_defaults,
    parse_keyword,
    parse_themes,
    redact,
)

VOIKKO, WHY_NOT = load_voikko()
SHIPPED = load_defaults()
LEMMATIZERS = [
    pytest.param(None, id="stems"),
    pytest.param(
        VOIKKO,
        id="voikko",
        marks=pytest.mark.skipif(VOIKKO is None, reason=f"no Voikko: {WHY_NOT}"),
    ),
]

# (text, the themes it speaks of): every shipped theme, in the three languages.
CASES = [
    ("En saanut työntekijää kiinni, soitin monta kertaa eikä kukaan vastannut.", {"reachability"}),
    ("Työntekijälleni en saa yhteyttä.", {"reachability"}),
    ("Tiedoista oli apua, mutta päätöksestä en ymmärtänyt mitään.", {"information"}),
    ("Jouduin odottamaan kolme kuukautta ensimmäistä tapaamista.", {"waiting", "meetings"}),
    ("Kiitos, hän kuunteli minua!", {"being_heard", "praise"}),
    ("Tapaamisissa minua ei kuunneltu.", {"being_heard", "meetings"}),
    ("Työntekijä vaihtui taas, neljäs tänä vuonna.", {"worker_change"}),
    ("Toimeentulotuen hakeminen oli vaikeaa ja vuokra myöhässä.", {"money_housing", "waiting"}),
    ("Chatin kysymykset olivat helppoja.", {"chat"}),
    ("Jag fick vänta länge och ingen svarade i telefon.", {"waiting", "reachability"}),
    ("Tack för att ni lyssnade på mig.", {"praise", "being_heard"}),
    ("Det var svårt att förstå beslutet.", {"information"}),
    ("The chat questions were easy and my worker listened to me.", {"chat", "being_heard"}),
    ("It took weeks to get an appointment.", {"meetings"}),
    ("My rent is late and I have no money.", {"money_housing"}),
    ("Ihan tavallinen päivä.", set()),
    ("", set()),
]


@pytest.mark.parametrize("lemmatizer", LEMMATIZERS)
@pytest.mark.parametrize(("text", "expected"), CASES)
def test_hand_written_feedback_gets_its_themes(
    lemmatizer: object, text: str, expected: set[str]
) -> None:
    matcher = ThemeMatcher(SHIPPED, lemmatizer)  # type: ignore[arg-type]
    assert set(matcher.themes_of(text)) == expected


def test_themes_come_in_the_themes_order() -> None:
    found = ThemeMatcher(SHIPPED).themes_of("Odotin pitkään. Kiitos kuitenkin avusta!")
    keys = [theme.key for theme in SHIPPED]
    assert list(found) == sorted(found, key=keys.index)
    assert set(found) == {"waiting", "praise"}


def _one(*keywords: str) -> tuple[Theme, ...]:
    return (Theme("t", {"fi": "T", "sv": "T", "en": "T"}, keywords),)


@pytest.mark.skipif(VOIKKO is None, reason=f"no Voikko: {WHY_NOT}")
def test_voikko_finds_a_lemma_that_no_stem_reaches() -> None:
    themes = _one("tieto")  # "tiedot" only through its lemma: the stems differ (d/t)
    assert ThemeMatcher(themes, VOIKKO).themes_of("Sain vihdoin tiedot.") == ("t",)
    assert ThemeMatcher(themes, None).themes_of("Sain vihdoin tiedot.") == ()


def test_without_voikko_a_light_stem_matches_inflected_forms() -> None:
    themes = _one("työntekijä", "handläggare")
    matcher = ThemeMatcher(themes, None)
    assert matcher.themes_of("Työntekijälleni ei voi soittaa.") == ("t",)
    assert matcher.themes_of("Handläggaren var snäll.") == ("t",)
    assert matcher.themes_of("Työ on raskasta.") == ()
    assert light_stem("työntekijälle") == light_stem("työntekijä")


def test_patterns_stems_parts_and_phrases() -> None:
    matcher = ThemeMatcher(_one("soit*", "*odotus*", "ei|en vastaa|vastannut"), None)
    assert matcher.themes_of("Soittelin") == ("t",)
    assert matcher.themes_of("Jonotusodotusaika oli pitkä") == ("t",)
    assert matcher.themes_of("Kukaan ei sitten vastannut") == ("t",)  # one word between
    assert matcher.themes_of("Ei. Vastannut on eri asia") == ()  # not across sentences
    assert matcher.themes_of("Ei hän sitten koskaan vastannut") == ()  # too far apart
    assert matcher.themes_of("Asoitin") == ()  # a stem is the word's beginning


def test_inactive_themes_count_for_nothing() -> None:
    theme = Theme("t", {"fi": "T", "sv": "T", "en": "T"}, ("kiitos",), active=False)
    assert ThemeMatcher((theme,)).themes_of("kiitos") == ()


def test_the_shipped_set_is_valid_named_in_three_languages_and_unique() -> None:
    keys = [theme.key for theme in SHIPPED]
    assert len(keys) == len(set(keys)) >= 8
    for theme in SHIPPED:
        assert set(theme.names) == {"fi", "sv", "en"}
        assert all(theme.names.values())


@pytest.mark.parametrize("keyword", ["", "*", "**", "!!!", "| |", "x" * 101])
def test_a_keyword_without_letters_or_too_long_is_refused(keyword: str) -> None:
    with pytest.raises(ThemeError):
        parse_keyword(keyword)


def test_signs_inside_a_keyword_split_it_as_they_split_a_text() -> None:
    matcher = ThemeMatcher(_one("sähkö-posti*", "x.y|jono"), None)
    assert matcher.themes_of("Laitoin sähkö-postia") == ("t",)
    assert matcher.themes_of("Jonossa taas") == ("t",)
    assert matcher.themes_of("sähkö") == ()


def test_check_keywords_drops_repeats_and_wants_one() -> None:
    assert check_keywords(["kiitos", " kiitos ", "tack"]) == ("kiitos", "tack")
    with pytest.raises(ThemeError, match="at least one"):
        check_keywords([])


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"themes": "x"},
        {
            "themes": [
                {"key": "Bad Key", "name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["x"]}
            ]
        },
        {"themes": [{"key": "k", "name": {"fi": "a"}, "keywords": ["x"]}]},
        {"themes": [{"key": "k", "name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": "x"}]},
        {
            "themes": [
                {"key": "k", "name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["x"]},
                {"key": "k", "name": {"fi": "a", "sv": "b", "en": "c"}, "keywords": ["y"]},
            ]
        },
    ],
)
def test_a_broken_theme_file_is_refused(data: object) -> None:
    with pytest.raises(ThemeError):
        parse_themes(data)


def test_the_organisation_replaces_shipped_themes_and_a_unit_replaces_both() -> None:
    names = {"fi": "x", "sv": "x", "en": "x"}
    shipped = (Theme("a", names, ("a",)), Theme("b", names, ("b",)))
    organisation = (Theme("b", names, ("bb",)), Theme("c", names, ("c",)))
    unit = (Theme("a", names, ("a",), active=False), Theme("d", names, ("d",)))
    placed = in_force(shipped, organisation, unit)
    assert [(item.theme.key, item.source) for item in placed] == [
        ("a", "unit"),
        ("b", "organisation"),
        ("c", "organisation"),
        ("d", "unit"),
    ]
    assert [theme.key for theme in active_themes(placed)] == ["b", "c", "d"]
    assert in_force(shipped, organisation)[1].theme.keywords == ("bb",)


def test_a_quote_hides_numbers_addresses_and_names_inside_a_sentence() -> None:
    quote = redact(
        "Kiitos Annalle! Soita 040 123 4567 tai maija.m@example.fi, katso www.example.fi "
        "ja kysy Pekalta.\n\nOlen 16-vuotias."
    )
    for hidden in ("Annalle", "040", "4567", "maija", "example", "Pekalta", "16"):
        assert hidden not in quote
    assert quote.startswith(f"Kiitos {HIDDEN}! Soita {HIDDEN}")
    assert "\n" not in quote
    assert redact("x" * 1000).endswith("…")


@given(st.text(max_size=400))
def test_any_text_is_themed_and_quoted_without_an_error(text: str) -> None:
    assert set(ThemeMatcher(SHIPPED).themes_of(text)) <= {theme.key for theme in SHIPPED}
    assert len(redact(text)) <= QUOTE_LENGTH
