"""Themes of open feedback, for social reporting: which themes a free text speaks of.

The themes are data: a shipped set (`dialogs/data/themes.yaml`, reviewed like the risk
lexicons) that staff can replace per organisation and per unit (rows in storage). A theme is a
key, a name in Finnish, Swedish and English, and keywords. A keyword is a pattern of one or
more slots (a phrase: its slots in order, with at most one other word between two), and a slot
is alternatives separated by `|`, each:

- `word`: the word in any inflected form: its lemmas from Voikko (Finnish morphology, when it
  is installed) or, without Voikko, a light stem of both (`työntekijälle` and `työntekijä`
  share `työntekij`);
- `stem*`: a word beginning so (`soit*`: soitin, soittaa, soitto);
- `*part*`: a word holding it, for compounds (`*odotus*`: jonotusodotus, odotusaika).

Texts are read with the risk screen's normalisation (case, Unicode forms, look-alike letters,
repeated letters). The module is pure: the lemmatizer is handed in.

`redact` makes a quote safer to show: it hides numbers, e-mail and web addresses and
capitalised words inside a sentence (names, mostly). A name that begins a sentence, or a
detail told in words, stays: quotes are shown only from groups of at least 5 respondents, and
each reading of them is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dialogs.model import LANGUAGES
from dialogs.risk import normalise, tokens

DATA = Path(__file__).parent / "data"
DEFAULTS = DATA / "themes.yaml"
KEY_PATTERN = r"^[a-z0-9_]{1,40}$"
_KEY = re.compile(KEY_PATTERN)
MAX_KEYWORDS = 200
MAX_KEYWORD_LENGTH = 100
PHRASE_GAP = 1  # other words allowed between two slots of a phrase
MIN_STEM = 4  # a light stem shorter than this matches only the same word

# Where open feedback is written: (dialog id, step id) of the free-text answers that are
# feedback on the service. A check-in's note to the worker is not feedback, and is not read.
FEEDBACK_STEPS = (("open_feedback", "comment"), ("parent_service", "better"))

Lemmatizer = Callable[[str], Sequence[str]]


class ThemeError(ValueError):
    """A theme or a keyword that cannot be used; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    names: Mapping[str, str]  # fi, sv, en
    keywords: tuple[str, ...]
    active: bool = True

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["fi"]


# Light stems: the endings of Finnish cases, possessives and clitics, Swedish articles and
# plurals, English inflection; stripped longest first, at most four times, while at least
# MIN_STEM letters stay. Both the text's word and the keyword are stemmed the same way.
_ENDING_WORDS = """
    kin kaan kään han hän ko kö pa pä
    ni si mme nne nsa nsä an än en in on ön un yn
    issa issä ista istä illa illä ilta iltä ille isiin ihin
    ssa ssä sta stä lla llä lta ltä lle ksi tta ttä na nä ja jä ta tä ia iä ine iin seen hin
    a ä e i o u y ö n t
    arna erna orna ande ende heten het ar er or et
    ing ed es s ly
"""  # Finnish clitics, possessives and cases; Swedish articles and plurals; English
_ENDINGS = tuple(sorted(set(_ENDING_WORDS.split()), key=lambda ending: (-len(ending), ending)))


def light_stem(word: str) -> str:
    """A word without its commonest endings (a fallback for lemmas, not a true stemmer)."""
    stem = word
    for _ in range(4):
        for ending in _ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= MIN_STEM:
                stem = stem[: -len(ending)]
                break
        else:
            break
    return stem


@dataclass(frozen=True, slots=True)
class _Alternative:
    kind: str  # word | stem | part
    value: str
    stem: str = ""

    def matches(self, forms: Sequence[str], stem: str) -> bool:
        if self.kind == "stem":
            return any(form.startswith(self.value) for form in forms)
        if self.kind == "part":
            return any(self.value in form for form in forms)
        if self.value in forms:
            return True
        return len(self.stem) >= MIN_STEM and stem == self.stem


@dataclass(frozen=True, slots=True)
class _Pattern:
    slots: tuple[tuple[_Alternative, ...], ...]


def _alternative(raw: str, core: str) -> _Alternative:
    if raw.startswith("*") and raw.endswith("*") and len(raw) > 2:
        return _Alternative("part", core)
    if raw.endswith("*"):
        return _Alternative("stem", core)
    return _Alternative("word", core, light_stem(core))


def parse_keyword(keyword: str) -> _Pattern:
    """A keyword's pattern; ThemeError when it holds no letter or digit, or is too long.

    Written as the module says; what else it holds is read as a text is: signs between
    letters split words, so `e-mail` is the phrase `e mail`. Inside alternatives (`a|b`) an
    alternative of several words keeps its longest word.
    """
    if len(keyword) > MAX_KEYWORD_LENGTH:
        raise ThemeError(f"a keyword is longer than {MAX_KEYWORD_LENGTH} characters")
    slots: list[tuple[_Alternative, ...]] = []
    for slot in keyword.split():
        if "|" not in slot:
            words = normalise(slot.strip("*")).split()
            for index, word in enumerate(words):
                star = "*" if slot.startswith("*") and index == 0 else ""
                end = "*" if slot.endswith("*") and index == len(words) - 1 else ""
                slots.append((_alternative(f"{star}{word}{end}", word),))
            continue
        alternatives: list[_Alternative] = []
        for raw in slot.split("|"):
            words = normalise(raw.strip("*")).split()
            if words:
                alternatives.append(_alternative(raw, max(words, key=len)))
        if alternatives:
            slots.append(tuple(alternatives))
    if not slots:
        raise ThemeError(f"the keyword {keyword!r} holds no letter or digit")
    return _Pattern(tuple(slots))


def _names(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise ThemeError(f"{where}: `name` must map fi, sv and en to a name")
    names: dict[str, str] = {}
    for language in LANGUAGES:
        value = data.get(language)
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise ThemeError(f"{where}: the name in {language!r} is missing or too long")
        names[language] = value.strip()
    return names


def check_keywords(keywords: Iterable[str], where: str = "theme") -> tuple[str, ...]:
    """The keywords, each checked (ThemeError otherwise), without repeats."""
    found = tuple(dict.fromkeys(keyword.strip() for keyword in keywords))
    if not found:
        raise ThemeError(f"{where}: give at least one keyword")
    if len(found) > MAX_KEYWORDS:
        raise ThemeError(f"{where}: at most {MAX_KEYWORDS} keywords")
    for keyword in found:
        try:
            parse_keyword(keyword)
        except ThemeError as error:
            raise ThemeError(f"{where}: {error}") from None
    return found


def parse_themes(data: Any, *, source: str = "<themes>") -> tuple[Theme, ...]:
    """The themes of a YAML document: `themes: [{key, name: {fi, sv, en}, keywords}]`."""
    if not isinstance(data, Mapping) or not isinstance(data.get("themes"), list):
        raise ThemeError(f"{source}: expected a mapping with a list `themes`")
    themes: list[Theme] = []
    for index, item in enumerate(data["themes"]):
        where = f"{source}: theme {index + 1}"
        if not isinstance(item, Mapping):
            raise ThemeError(f"{where} is not a mapping")
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise ThemeError(f"{where}: `key` must be lower-case letters, digits or _")
        if any(theme.key == key for theme in themes):
            raise ThemeError(f"{where}: the key {key!r} is used twice")
        keywords = item.get("keywords")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ThemeError(f"{where}: `keywords` must be a list of words")
        themes.append(
            Theme(key, _names(item.get("name"), where), check_keywords(keywords, f"{where}"))
        )
    return tuple(themes)


def load_defaults(path: Path = DEFAULTS) -> tuple[Theme, ...]:
    """The shipped themes."""
    return parse_themes(yaml.safe_load(path.read_text(encoding="utf-8")), source=path.name)


@dataclass(frozen=True, slots=True)
class Placed:
    """A theme in force somewhere, and where it comes from: shipped, organisation or unit."""

    theme: Theme
    source: str


def in_force(
    shipped: Sequence[Theme], organisation: Sequence[Theme], unit: Sequence[Theme] = ()
) -> list[Placed]:
    """The themes in force: the organisation's replace the shipped ones of the same key, a
    unit's replace both; new keys come after, in their order. Inactive ones are kept here (so
    that staff can see and turn them on again); `active_themes` drops them."""
    placed: dict[str, Placed] = {theme.key: Placed(theme, "shipped") for theme in shipped}
    for source, themes in (("organisation", organisation), ("unit", unit)):
        for theme in themes:
            placed[theme.key] = Placed(theme, source)
    return list(placed.values())


def active_themes(placed: Iterable[Placed]) -> tuple[Theme, ...]:
    return tuple(item.theme for item in placed if item.theme.active)


@dataclass
class ThemeMatcher:
    """Finds the themes of texts. Build it once per set of themes; `themes_of` never raises."""

    themes: Sequence[Theme]
    lemmatizer: Lemmatizer | None = None
    _patterns: list[tuple[str, tuple[_Pattern, ...]]] = field(init=False, repr=False)
    _forms: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._patterns = [
            (theme.key, tuple(parse_keyword(keyword) for keyword in theme.keywords))
            for theme in self.themes
            if theme.active
        ]

    def _word(self, word: str) -> tuple[tuple[str, ...], str]:
        cached = self._forms.get(word)
        if cached is None:
            lemmas: list[str] = []
            if self.lemmatizer is not None:
                try:
                    lemmas = [normalise(lemma) for lemma in self.lemmatizer(word)]
                except Exception:  # an analyser failure only costs the lemmas
                    lemmas = []
            cached = (tuple(dict.fromkeys([word, *(lemma for lemma in lemmas if lemma)])),
                      light_stem(word))  # fmt: skip
            if len(self._forms) > 50_000:
                self._forms.clear()
            self._forms[word] = cached
        return cached

    def themes_of(self, text: str) -> tuple[str, ...]:
        """The keys of the themes the text speaks of, in the themes' order."""
        words = tokens(text)
        if not words:
            return ()
        forms = [self._word(word.form) for word in words]
        sentences = [word.sentence for word in words]
        found: list[str] = []
        for key, patterns in self._patterns:
            if any(_matches(pattern, forms, sentences) for pattern in patterns):
                found.append(key)
        return tuple(found)


def _slot_matches(slot: tuple[_Alternative, ...], forms: tuple[tuple[str, ...], str]) -> bool:
    return any(alternative.matches(forms[0], forms[1]) for alternative in slot)


def _matches(
    pattern: _Pattern, forms: Sequence[tuple[tuple[str, ...], str]], sentences: Sequence[int]
) -> bool:
    first, *rest = pattern.slots
    for start, word in enumerate(forms):
        if _slot_matches(first, word) and _rest(rest, forms, sentences, start):
            return True
    return False


def _rest(
    slots: Sequence[tuple[_Alternative, ...]],
    forms: Sequence[tuple[tuple[str, ...], str]],
    sentences: Sequence[int],
    at: int,
) -> bool:
    if not slots:
        return True
    for index in range(at + 1, min(len(forms), at + 2 + PHRASE_GAP)):
        if sentences[index] != sentences[at]:
            return False
        if _slot_matches(slots[0], forms[index]) and _rest(slots[1:], forms, sentences, index):
            return True
    return False


# Quotes --------------------------------------------------------------------------------------

QUOTE_LENGTH = 300
_EMAIL = re.compile(r"\S+@\S+")
_WEB = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DIGITS = re.compile(r"\+?\d[\d\s\-/.:]*\d|\d")
_CAPITALISED = re.compile(r"(?<=[^\s.!?:;\"'(«“])(\s+)([A-ZÅÄÖ][\w\-]+)")
_SPACES = re.compile(r"\s+")
HIDDEN = "[…]"


def redact(text: str, *, limit: int = QUOTE_LENGTH) -> str:
    """A quote to show: numbers, e-mail and web addresses and capitalised words inside a
    sentence (names, mostly) hidden, white space folded, at most `limit` characters."""
    text = _SPACES.sub(" ", text).strip()
    text = _EMAIL.sub(HIDDEN, text)
    text = _WEB.sub(HIDDEN, text)
    text = _DIGITS.sub(HIDDEN, text)
    text = _CAPITALISED.sub(lambda match: f"{match.group(1)}{HIDDEN}", text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
