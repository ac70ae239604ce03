"""The help numbers' data file and the crisis reply built from it: the loader refuses a file
that the texts do not fit, and the first message stays short in every language."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from bot.i18n import Translations
from bot.messages import render
from dialogs import helplines
from dialogs.helplines import (
    HELP_NUMBERS,
    Audience,
    HelpNumbers,
    HelpNumbersError,
    Reader,
    parse_help_numbers,
)
from dialogs.model import LANGUAGES, Say, Text

DATA: dict[str, Any] = yaml.safe_load(HELP_NUMBERS.read_text(encoding="utf-8"))
TRANSLATIONS = Translations.load()


def changed(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(DATA)
    change(data)
    return data


def test_the_shipped_file_loads_with_every_line_and_the_numbers_of_content_md() -> None:
    numbers = HelpNumbers.load()
    assert [line.id for line in numbers.lines] == [item["id"] for item in DATA["lines"]]
    assert numbers.placeholders["emergency"] == "112"
    assert numbers.placeholders["mll"] == "116 111"
    assert numbers.placeholders["mieli"] == "09 2525 0111"
    assert numbers.placeholders["victim_support"] == "116 006"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lines"].pop(), "every line"),
        (lambda d: d["lines"].append(d["lines"][0]), "every line"),
        (lambda d: d["lines"][1]["numbers"].pop("mll_sv"), "do not fit"),
        (lambda d: d["lines"][1]["numbers"].update(mll=116111), "numbers are text"),
        (lambda d: d["lines"][0].update(id="police"), "known id"),
        (lambda d: d["lines"][1].update({"for": ["adults"]}), "'for' lists"),
        (lambda d: d["lines"][1].update({"for": []}), "'for' lists"),
        (lambda d: d["lines"][0].update({"for": ["child"]}), "for everyone"),
        (lambda d: d.pop("lines"), "a mapping"),
    ],
)
def test_a_file_the_texts_do_not_fit_is_refused(change: Any, message: str) -> None:
    with pytest.raises(HelpNumbersError, match=message):
        parse_help_numbers(changed(change))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("reader", list(Reader))
def test_the_first_message_is_short_and_plain_in_every_language(
    language: str, audience: Audience, reader: Reader
) -> None:
    numbers = HelpNumbers.load()
    translator = TRANSLATIONS.get(language)
    [first] = render(
        numbers.crisis_reply(audience=audience, reader=reader, pressed=False), translator
    )
    # Four short paragraphs, about a phone screen: the old reply was seven messages.
    words = first.text.split()
    assert len(words) <= 72, first.text
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", first.text) if s.strip()]
    assert max(len(s.split()) for s in sentences) <= 18, first.text
    assert "{" not in first.text
    assert "112" in first.text
    assert first.help
    assert [b.data for b in first.buttons] == [helplines.more_data(audience)]


@pytest.mark.parametrize("audience", list(Audience))
def test_every_audience_gets_more_lines_than_the_first_message(audience: Audience) -> None:
    numbers = HelpNumbers.load()
    [more] = numbers.more(audience)
    assert isinstance(more, Say)
    shown = [p for p in more.text.params.values() if isinstance(p, Text)]
    assert len(shown) >= 4  # the title, 112 and at least one more line, what to do now
    for line in numbers.lines:
        listed = any(p.msgid == helplines.LINE_TEXTS[line.id] for p in shown)
        assert listed == (audience in line.audiences), line.id


@pytest.mark.parametrize("given", ["child", "youth", "parent", "any", None, "", "staff"])
def test_the_audience_is_the_first_that_names_one(given: str | None) -> None:
    expected = given if given in ("child", "youth", "parent") else "anyone"
    assert Audience.of(given) == expected
    assert Audience.of(given, "parent") == (expected if expected != "anyone" else "parent")
