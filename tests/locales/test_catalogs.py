from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, Translations, normalise_language
from dialogs.loader import load_directory
from dialogs.model import Text
from kerro.i18n import check_catalogs, extract


def test_catalogs_are_complete_and_up_to_date() -> None:
    assert check_catalogs() == []


def test_extraction_finds_the_dialog_texts_and_the_python_ones() -> None:
    ids = {str(message.id) for message in extract() if message.id}
    dialogs = load_directory()
    for dialog in dialogs.values():
        assert dialog.title in ids
        for step in dialog.steps:
            assert step.text in ids
            assert all(option.text in ids for option in step.options)
    assert "Skip" in ids  # from dialogs/engine.py
    assert "Sorry, I can't find that conversation." in ids  # from bot/service.py


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_dialog_texts_are_really_translated(language: str) -> None:
    translator = Translations.load().get(language)
    dialogs = load_directory()
    same = [
        step.text
        for dialog in dialogs.values()
        for step in dialog.steps
        if translator.gettext(step.text) == step.text
    ]
    assert same == []


def test_nested_texts_and_parameters_are_translated_and_filled() -> None:
    translator = Translations.load().get("en")
    hint = Text("1 = {low}, 5 = {high}", {"low": Text("no joy at all"), "high": "lots"})
    assert translator.text(hint) == "1 = no joy at all, 5 = lots"


def test_a_broken_translation_falls_back_to_english() -> None:
    from bot.i18n import Translator

    broken = Translator("xx", {"Hi {name}": "Moi {nimi}"})
    assert broken.text(Text("Hi {name}", {"name": "Aino"})) == "Hi Aino"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fi", "fi"), ("sv-FI", "sv"), ("en_GB", "en"), ("de", "fi"), (None, "fi"), ("", "fi")],
)
def test_language_codes_are_normalised(code: str | None, expected: str) -> None:
    assert normalise_language(code) == expected


def test_every_language_has_a_catalog() -> None:
    translations = Translations.load()
    assert [t.language for t in translations.all()] == list(LANGUAGES)
    finnish = translations.get("fi")
    assert re.search(r"[äö]", finnish.gettext("Much worse than expected"))
