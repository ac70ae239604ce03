"""The words of the texts: one word for one thing, and none of the words the review found wrong.

The words and the reasons are in docs/DIALOGS.md ("Writing the texts"). The crisis reply
(`dialogs/helplines.py`) is rewritten on its own and is not checked here.
"""

from __future__ import annotations

import re

import pytest

from bot.i18n import Translations
from dialogs.loader import load_directory
from dialogs.model import StepKind
from kerro.i18n import ROOT, extract

# A word (a regular expression, case-insensitive) that must not be in a language's texts, and why.
WRONG = {
    "en": {
        r"how likely would you": "ungrammatical: how likely is it that you would",
        r"want to tell\?": "tell needs an object",
        r"tell your own view": "not idiomatic: say what you think",
        r"responsible for your matters": "not idiomatic: handles your case",
        r"supervisory authority": "names no body: the national supervisory agency",
        r"computer program|a program, not": "the bot is a chat bot",
    },
    "fi": {
        r"tietokoneohjelma|olen ohjelma|on ohjelma|chatbot": "the bot is a botti",
        r"valvontaviranomai": "names no body: Lupa- ja valvontavirasto",
        r"virallinen valitus": "a valitus is an appeal against a decision",
        r"\bkpl\b": "a clerical abbreviation; a plural message instead",
        r"seuraava vastaaja": "vastaaja is also a defendant",
        r"tätä keskustelua (ei|enää)|tämä keskustelu on": "this chat is a chat",
        r"palautteen antamista varten": "nominal phrasing",
        r"\bkoordinaattori": "jargon to a parent",
    },
    "sv": {
        r"arbetstagare": "an employee: the worker is a kontaktperson",
        r"avstämning": "office jargon: frågorna om hur du mår",
        r"\buppger\b": "officialese: skriver",
        r"integritetsskydd": "abstract: to protect you",
        r"\bbeaktas\b": "officialese: ta hänsyn till",
        r"i nödsituationer,": "Ring 112 om det är en nödsituation.",
        r"tillsynsmyndigheten": "names no body: Tillstånds- och tillsynsverket",
        r"\bst\.": "a clerical abbreviation; a plural message instead",
        r"om tjänsten|tjänsten,": "the service is servicen",
        r"datorprogram": "the bot is a chattbot",
    },
}
_CRISIS_REPLY = "dialogs/helplines.py"


def _texts(language: str) -> list[tuple[str, str]]:
    """Every msgid and its text in `language`, but the crisis reply's."""
    translator = Translations.load().get(language)
    texts: list[tuple[str, str]] = []
    for message in extract(ROOT):
        if not message.id or all(path == _CRISIS_REPLY for path, _ in message.locations):
            continue
        if isinstance(message.id, str):
            texts.append((message.id, translator.gettext(message.id)))
        else:
            singular, plural = str(message.id[0]), str(message.id[1])
            for count in (1, 2):
                texts.append((singular, translator.ngettext(singular, plural, count)))
    return texts


@pytest.mark.parametrize("language", list(WRONG))
def test_no_text_uses_a_word_the_review_found_wrong(language: str) -> None:
    found = [
        (why, text)
        for _, text in _texts(language)
        for pattern, why in WRONG[language].items()
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("language", "worker"),
    [("fi", "omatyöntekijä"), ("sv", "kontaktperson"), ("en", "worker")],
)
def test_the_worker_has_one_name_outside_the_child_check_in(language: str, worker: str) -> None:
    child = {step.text for step in load_directory()["child_checkin"].steps}
    named = [
        text
        for msgid, text in _texts(language)
        if "your worker" in msgid.lower() and msgid not in child and "staff" not in msgid
    ]
    assert named
    assert [text for text in named if worker not in text.lower()] == []


def test_the_child_check_in_says_tyontekija_a_word_a_child_knows() -> None:
    finnish = Translations.load().get("fi")
    texts = [finnish.gettext(step.text) for step in load_directory()["child_checkin"].steps]
    assert any("työntekijäsi" in text for text in texts)
    assert not any("omatyöntekijä" in text.lower() for text in texts)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_child_check_in_asks_one_thing_per_question(language: str) -> None:
    translator = Translations.load().get(language)
    questions = [
        translator.gettext(step.text)
        for step in load_directory()["child_checkin"].steps
        if step.kind in (StepKind.SCALE, StepKind.GAS)
    ]
    assert len(questions) == 5
    assert [q for q in questions if q.count("?") != 1] == []
    # "Home" is a hard word for a child placed outside it; the period is this week, not "lately".
    home = {"fi": "koti", "sv": "hemma", "en": "home"}[language]
    assert [q for q in questions if home in q.lower()] == []


@pytest.mark.parametrize(
    ("language", "agency", "where"),
    [
        ("fi", "Lupa- ja valvontavirastoon", "verkkosivuilta"),
        ("sv", "Tillstånds- och tillsynsverket", "webbplats"),
        ("en", "Lupa- ja valvontavirasto", "website"),
    ],
)
def test_the_formal_routes_name_the_agency_and_where_to_find_them(
    language: str, agency: str, where: str
) -> None:
    translator = Translations.load().get(language)
    dialogs = load_directory()
    wanted = {("parent_service", "formal_routes"), ("info", "about_feedback")}
    routes = [
        translator.gettext(step.text)
        for name, dialog in dialogs.items()
        for step in dialog.steps
        if (name, step.id) in wanted
    ]
    assert len(routes) == 2
    for text in routes:
        assert agency in text
        assert where in text
