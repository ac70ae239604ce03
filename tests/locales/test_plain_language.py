"""Plain language: every text a child or youth reads is measured, per language, in CI.

What is measured: the step texts of the child and youth check-ins, open feedback and info (not
their buttons or scale end labels), and the bot's own messages in Telegram and on the web (every
text of `bot/` and the dialog engine that ends like a sentence; staff alerts are left out). The
crisis reply (`dialogs/helplines.py`) and the parents' survey are not in this set.

Sentences are split at . ? ! and at line breaks; a word is a token that holds a letter, a digit
or a {placeholder}; a word's length is its letters.

The limits are written below, per language. The texts meet them since the language review
(docs/DIALOGS.md, "Writing the texts"); the texts before it failed every language's sentence
limits, measured the same way:

            longest sentence   share > 15 words   mean words   mean letters   words > 15 letters
    fi      18 (limit 14)      1.1 % (0 %)        6.4 (6.0)    6.22 (6.2)     17 (14)
    sv      28 (limit 18)      8.4 % (3 %)        8.5 (8.0)    4.28 (4.4)     7 (6)
    en      34 (limit 19)      8.0 % (2 %)        8.5 (8.0)    4.11 (4.2)     1 (1)

Finnish words are long by their make (omatyöntekijä, kuulumiskysely), so its word limits are its
own; compare figures only within one language. Raise a limit only with a reason: a new long
text should be split into sentences, and a long word said more simply, instead.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.i18n import Translations
from dialogs.loader import load_directory
from dialogs.model import Text
from kerro.i18n import ROOT, extract

READ_BY_CHILDREN_AND_YOUTHS = (
    "child_checkin",
    "youth_checkin",
    "open_feedback",
    "info",
    "meeting_followup",
)
# Python sources whose texts a child or youth may read: the bot's messages, the web pages'
# texts, the engine's hints. Staff alerts and the crisis reply are not measured here.
_SOURCES = ("bot/", "dialogs/engine.py")
_NOT_READ_BY_THEM = ("bot/alerts.py",)
_STAFF_TEXTS = {"STAFF_LINKED"}


@dataclass(frozen=True)
class Limits:
    longest: int  # words in the longest sentence
    over_15: float  # share of sentences over 15 words, %
    mean: float  # mean words per sentence
    mean_word: float  # mean letters per word
    long_words: int  # words over 15 letters, occurrences


LIMITS = {
    "fi": Limits(longest=14, over_15=0.0, mean=6.0, mean_word=6.2, long_words=14),
    "sv": Limits(longest=18, over_15=3.0, mean=8.0, mean_word=4.4, long_words=6),
    "en": Limits(longest=19, over_15=2.0, mean=8.0, mean_word=4.2, long_words=1),
}
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
_WORD = re.compile(r"\{\w+\}|[\w/:'’.-]*[^\W_][\w'’-]*")
_LETTER = re.compile(r"[^\W\d_]")


def _python_texts() -> list[Text]:
    """The bot's and the engine's own messages (those that end like sentences); a plural
    message once in each form."""
    from bot import commands

    staff = {getattr(commands, name) for name in _STAFF_TEXTS}
    texts: list[Text] = []
    for message in extract(ROOT):
        if not message.id:
            continue
        files = [Path(path).as_posix() for path, _ in message.locations]
        read = any(f.startswith(_SOURCES) and not f.startswith(_NOT_READ_BY_THEM) for f in files)
        forms = [message.id] if isinstance(message.id, str) else [str(f) for f in message.id]
        msgid = forms[0]
        if not read or msgid in staff or not msgid.rstrip().endswith((".", "?", "!", ":")):
            continue
        if len(forms) > 1:
            texts += [Text(msgid, {}, forms[1], count) for count in (1, 2)]
        else:
            texts.append(Text(msgid))
    return texts


def _dialog_texts() -> list[Text]:
    dialogs = load_directory()
    return [Text(step.text) for name in READ_BY_CHILDREN_AND_YOUTHS for step in dialogs[name].steps]


def corpus() -> list[Text]:
    texts = [*_python_texts(), *_dialog_texts()]
    unique = {(text.msgid, text.plural, text.count): text for text in texts}
    return list(unique.values())


def sentences(text: str) -> list[list[str]]:
    out = []
    for sentence in _SENTENCE_END.split(text):
        words = _WORD.findall(sentence)
        if words:
            out.append(words)
    return out


def _letters(word: str) -> int:
    return len(_LETTER.findall(word))


@dataclass(frozen=True)
class Figures:
    sentences: int
    longest: int
    longest_text: str
    over_15: float
    mean: float
    mean_word: float
    long_words: list[str]


def measure(texts: list[str]) -> Figures:
    all_sentences = [words for text in texts for words in sentences(text)]
    lengths = [len(words) for words in all_sentences]
    longest = max(all_sentences, key=len)
    words = [word for sentence in all_sentences for word in sentence if _letters(word)]
    return Figures(
        sentences=len(lengths),
        longest=len(longest),
        longest_text=" ".join(longest),
        over_15=100 * sum(n > 15 for n in lengths) / len(lengths),
        mean=statistics.fmean(lengths),
        mean_word=statistics.fmean(_letters(word) for word in words),
        long_words=sorted(word for word in words if _letters(word) > 15),
    )


def _translated(language: str) -> list[str]:
    translator = Translations.load().get(language)
    return [translator.text(text) for text in corpus()]


def test_the_corpus_holds_what_children_and_youths_read() -> None:
    texts = [text.msgid for text in corpus()]
    assert len(texts) > 60
    assert any("{emergency}" in text for text in texts)  # the bot's welcome: 112
    assert any(text.startswith("This page was open too long") for text in texts)  # web
    assert not any("staff API" in text for text in texts)  # staff alerts are not in it


def test_the_measure_splits_sentences_and_words_as_it_says() -> None:
    figures = measure(["Hi! I'm Kerro, a chat bot.\n/checkin: a check-in from {worker}"])
    assert figures.sentences == 3
    assert figures.longest == 5
    assert figures.mean == pytest.approx(11 / 3)


@pytest.mark.parametrize("language", list(LIMITS))
def test_texts_for_children_and_youths_are_short_and_plain(language: str) -> None:
    figures = measure(_translated(language))
    limits = LIMITS[language]
    assert figures.longest <= limits.longest, figures.longest_text
    assert figures.over_15 <= limits.over_15, figures
    assert figures.mean <= limits.mean, figures
    assert figures.mean_word <= limits.mean_word, figures
    assert len(figures.long_words) <= limits.long_words, figures.long_words
