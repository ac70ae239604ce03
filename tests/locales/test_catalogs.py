from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.i18n import LANGUAGES, Translations, normalise_language
from dialogs.loader import load_directory
from dialogs.model import Text
from kerro.i18n import ROOT, check_catalogs, extract


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


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "your 1 answer and", "your 2 answers and"),
        ("fi", "Poistaisin 1 vastauksesi", "Poistaisin 2 vastaustasi"),
        ("sv", "radera ditt 1 svar", "radera dina 2 svar"),
    ],
)
def test_a_count_chooses_the_plural_form_of_the_language(language: str, one: str, two: str) -> None:
    from bot.commands import FORGET_QUESTION

    translator = Translations.load().get(language)
    assert one in translator.text(FORGET_QUESTION.text(1))
    assert two in translator.text(FORGET_QUESTION.text(2))


def test_an_alert_counts_its_minutes_in_the_right_form() -> None:
    from bot.alerts import ESCALATED

    english = Translations.load().get("en")
    swedish = Translations.load().get("sv")
    assert english.text(ESCALATED.text(1, {"minutes": "1"})).endswith("in 1 minute.")
    assert english.text(ESCALATED.text(30, {"minutes": "30"})).endswith("in 30 minutes.")
    assert swedish.text(ESCALATED.text(1, {"minutes": "1"})).endswith("på 1 minut.")


def test_a_plural_with_an_empty_form_is_untranslated(tmp_path: Path) -> None:
    from kerro.i18n import update

    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copytree(ROOT / "dialogs", tmp_path / "dialogs", ignore=shutil.ignore_patterns("*.pyc"))
    for name in ("bot", "api", "kerro"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    update(tmp_path)
    assert check_catalogs(tmp_path) == []
    finnish = tmp_path / "locales" / "fi" / "LC_MESSAGES" / "kerro.po"
    text = finnish.read_text(encoding="utf-8")
    form = 'msgstr[1] "Kukaan ei ole kuitannut sitä {minutes} minuutissa."'
    assert form in text
    finnish.write_text(text.replace(form, 'msgstr[1] ""'), encoding="utf-8")
    assert any(
        "minute" in problem and "not translated" in problem for problem in check_catalogs(tmp_path)
    )
