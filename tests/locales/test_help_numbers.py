"""Help numbers live only in dialogs/data/help_numbers.yaml: every text that names one (dialog
texts, the bot's texts, their translations) says it through a placeholder such as
{emergency}, which is filled from the data file wherever the text is shown."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import Translations, catalog_path
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.model import LANGUAGES, Text
from kerro.i18n import ROOT, extract

# Three digits or more, also in groups ("112", "116 111", "09 2525 0111", "0800-96-116").
PHONE = re.compile(r"(?<![\w{])\d(?:[ \u00a0-]?\d){2,}(?!\w)")


def _dialog_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for dialog in load_directory().values():
        for step in dialog.steps:
            where = f"{dialog.id}.{step.id}"
            texts += [(where, step.text), *((where, o.text) for o in step.options)]
            texts += [(where, t) for t in (step.low, step.high) if t]
    return texts


def test_the_pattern_finds_every_number_of_the_data_file() -> None:
    numbers = HelpNumbers.load().numbers()
    assert len(numbers) >= 7
    for number in numbers:
        assert PHONE.fullmatch(number), number
    assert PHONE.findall("call {emergency} or 116 111, ages 12 to 29, 1-5") == ["116 111"]


def test_no_dialog_text_writes_a_number() -> None:
    texts = _dialog_texts()
    assert len(texts) > 50
    assert [(where, text) for where, text in texts if PHONE.search(text)] == []
    assert any("{emergency}" in text for _, text in texts)


def test_no_python_text_writes_a_number() -> None:
    messages = [message for message in extract(ROOT) if message.id]
    assert len(messages) > 100
    found = []
    for message in messages:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        found += [(str(i), message.locations) for i in ids if PHONE.search(str(i))]
    assert found == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_writes_a_number(language: str) -> None:
    with catalog_path(language, ROOT / "locales").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    strings = [
        str(string)
        for message in catalog
        if message.id
        for string in (message.string if isinstance(message.string, tuple) else [message.string])
    ]
    assert len(strings) > 100
    assert [string for string in strings if PHONE.search(string)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_placeholder_of_a_number_is_filled_where_a_text_is_shown(language: str) -> None:
    numbers = HelpNumbers.load().placeholders
    translator = Translations.load().get(language)
    shown = [translator.text(Text(text)) for _, text in _dialog_texts()]
    placeholder = re.compile("|".join(re.escape(f"{{{name}}}") for name in numbers))
    assert not [text for text in shown if placeholder.search(text)]
    assert any("112" in text for text in shown)


def test_a_changed_number_reaches_every_text() -> None:
    data = HelpNumbers.load()
    changed = {**data.placeholders, "emergency": "999 999"}
    translations = Translations.load(
        help_numbers=type(data)(
            tuple(
                type(line)(line.id, {k: changed[k] for k in line.numbers}, line.audiences)
                for line in data.lines
            )
        )
    )
    for language in LANGUAGES:
        shown = [translations.get(language).text(Text(text)) for _, text in _dialog_texts()]
        assert any("999 999" in text for text in shown)
        assert not any(re.search(r"(?<!\d)112(?!\d)", text) for text in shown)
