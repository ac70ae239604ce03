"""The risk screen for free text: crisis, concern or none (Finnish, Swedish, English).

The lexicons are data (`dialogs/data/risk_*.yaml`, one per language, reviewed by
professionals); this module only normalises text and matches the lexicons' patterns:

- normalisation: Unicode compatibility forms, case, zero-width and format characters,
  combining marks (except the Nordic ä, ö, å), look-alike letters of other scripts, leetspeak
  inside words (`k1ll` -> `kill`), letters repeated three times or more (`kuollaaaa` -> `kuolla`),
  apostrophes (`don't` -> `dont`) and a few emoji that stand for a means (💊, 🔪, 🪢);
- a pattern is a sequence of slots (`haluan|haluun kuol*`); a slot is a set of alternatives,
  each a whole word, a stem (`kuol*`) or a part of a compound (`*itsemurh*`). Between two
  slots up to `gap` other words may stand ("haluan vaan kuolla"); a pattern matches within
  one sentence;
- with Voikko (Finnish morphology, when the system library is installed) a word also matches
  through its lemmas (`sillalta` -> `silta`, `viillän` -> `viiltää`); without it, the stems and
  the listed forms of the lexicon do the work;
- a negation just before or inside a crisis match, or a match inside quotation marks, makes it
  a concern of the lexicons: "en ole ajatellut itsemurhaa" still raises a flag. Recall first,
  the model may still answer it with the help numbers: the negation window also catches some
  crises of the development corpus (letting the lexicons overrule the model cost 3 points of
  held-out crisis recall in Finnish);
- `method` entries (means: pills, rope, bridge) count only beside another hit, and then make
  it a crisis; `ignore` entries are idioms whose words are not screened ("tapan aikaa");
- spoken Finnish (`dialogs/data/risk_spoken_fi.yaml`) is read in its standard forms too, before
  Voikko and the stems (`itteni` is also `itseni`, `syöny` also `syönyt`);
- beside the lexicons votes a linear model (`dialogs/risk_model.py`) trained on the development
  corpus, with a crisis threshold per language when the chat's language is given; the higher
  level wins, so a crisis from either is a crisis (and a concern of the
  lexicons with a near-crisis score of the model is one too), and the `Screening` names
  the entries (`model` for the model) and the words of the text that decided it.

The screen is pure: it reads its data files once, at load, and never raises on any text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

import yaml

from dialogs.model import LANGUAGES
from dialogs.risk_model import MODEL, RiskModel

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
MAX_CHARS = 20_000  # longer texts are screened in their first MAX_CHARS characters
DEFAULT_GAP = 2
NEGATION_WINDOW = 2


class RiskLevel(IntEnum):
    NONE = 0
    CONCERN = 1
    CRISIS = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Screening:
    """The result: the level, the ids of the lexicon entries that decided it (`model` when the
    model voted it), and the words of the text that decided it, so that staff can see why."""

    level: RiskLevel
    entries: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


Lemmatizer = Callable[[str], Sequence[str]]


class LexiconError(ValueError):
    pass


# Normalisation ---------------------------------------------------------------------------

_KEEP_MARKS = {"\u0308", "\u030a"}  # diaeresis (ä, ö) and ring (å)
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
        "ı": "i", "ł": "l", "ø": "ö", "æ": "ä", "ß": "ss",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
_APOSTROPHES = re.compile(r"[’'`´ʼ]")
_EMOJI = {
    "💊": " pills ",
    "🔪": " knife ",
    "🗡": " knife ",
    "🪢": " rope ",
    "🔫": " gun ",
    "🌉": " bridge ",
    "⚰": " coffin ",
    "🩸": " blood ",
}
_QUOTE_PAIRS = {'"': '"', "“": "”", "”": "”", "„": "“", "«": "»", "»": "«"}
_SENTENCE_END = set(".,!?;:\n")
# A word: letters, with leetspeak digits and signs inside it (k1ll, $uicide, itsemurh4).
_WORD = re.compile(r"[^\W_]*[^\W\d_][^\W_]*|[^\W_]*[@$€][\w@$€]*|\d+", re.UNICODE)
NUMBER = "<n>"  # the form of any number written in digits ("took 20 pills")
_REPEATS = re.compile(r"(.)\1{2,}")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        char
        for char in decomposed
        if not (unicodedata.combining(char) and char not in _KEEP_MARKS)
        and unicodedata.category(char) != "Cf"  # zero-width and other format characters
    )
    return unicodedata.normalize("NFC", kept)


def _word_form(raw: str) -> str:
    if raw.isdigit():
        return NUMBER
    word = raw.translate(_LEET) if any(char.isdigit() or char in "@$€" for char in raw) else raw
    return _REPEATS.sub(r"\1", word)


@dataclass(frozen=True, slots=True)
class Token:
    form: str
    sentence: int
    quoted: bool


def normalise(text: str) -> str:
    """The text as the screen reads it: one comparable form of letters, lower case."""
    return " ".join(token.form for token in tokens(text))


def tokens(text: str) -> list[Token]:
    """The words of a text, normalised, with their sentence number and quotation."""
    text = text[:MAX_CHARS]
    for emoji, word in _EMOJI.items():
        if emoji in text:
            text = text.replace(emoji, word)
    text = _strip_marks(text).casefold().translate(_LOOKALIKES)
    text = _APOSTROPHES.sub("", text)
    result: list[Token] = []
    sentence = 0
    closing: str | None = None
    position = 0
    for match in _WORD.finditer(text):
        between = text[position : match.start()]
        for char in between:
            if closing is not None and char == closing:
                closing = None
            elif closing is None and char in _QUOTE_PAIRS:
                closing = _QUOTE_PAIRS[char]
            elif char in _SENTENCE_END:
                sentence += 1
                closing = None
        position = match.end()
        form = _word_form(match.group())
        if form:
            result.append(Token(form, sentence, closing is not None))
    return result


# Lexicon ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Alternative:
    text: str
    kind: str  # word | stem | part

    def matches(self, form: str) -> bool:
        if self.kind == "word":
            return form == self.text
        if self.kind == "stem":
            return form.startswith(self.text)
        return self.text in form


@dataclass(frozen=True, slots=True)
class _Slot:
    alternatives: tuple[_Alternative, ...]
    pattern: re.Pattern[str]  # all alternatives in one expression, for speed

    @classmethod
    def of(cls, alternatives: tuple[_Alternative, ...]) -> _Slot:
        def group(kind: str) -> str:
            texts = sorted((re.escape(a.text) for a in alternatives if a.kind == kind), key=len)
            return "|".join(reversed(texts))

        parts = [
            template.format(group(kind))
            for kind, template in (("word", "^(?:{})$"), ("stem", "^(?:{})"), ("part", "(?:{})"))
            if group(kind)
        ]
        return cls(alternatives, re.compile("|".join(parts)))

    def matches(self, forms: Iterable[str]) -> bool:
        search = self.pattern.search
        return any(search(form) is not None for form in forms)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    language: str
    level: str  # crisis | concern | method | ignore
    patterns: tuple[tuple[_Slot, ...], ...]
    gap: int = DEFAULT_GAP
    means: bool = False  # a concern that words about means turn into a crisis
    comment: str = ""


_LEVELS = ("crisis", "concern", "method", "ignore")
_ENTRY_KEYS = {"id", "level", "match", "gap", "means", "comment"}


def _slot(source: str, where: str) -> _Slot:
    alternatives: list[_Alternative] = []
    for raw in source.split("|"):
        if raw == NUMBER:
            alternatives.append(_Alternative(NUMBER, "word"))
            continue
        if "*" in raw.strip("*"):
            raise LexiconError(f"{where}: '*' only at the end or at both ends: {raw!r}")
        word = normalise(raw.strip("*"))
        if not word or " " in word:
            raise LexiconError(f"{where}: bad alternative {raw!r}")
        if raw.startswith("*") and raw.endswith("*"):
            alternatives.append(_Alternative(word, "part"))
        elif raw.endswith("*"):
            alternatives.append(_Alternative(word, "stem"))
        elif raw.startswith("*"):
            raise LexiconError(f"{where}: '*' only at the end or at both ends: {raw!r}")
        else:
            alternatives.append(_Alternative(word, "word"))
    return _Slot.of(tuple(alternatives))


def parse_lexicon(data: Any, *, language: str, source: str = "<lexicon>") -> tuple[Entry, ...]:
    """Entries of one language's lexicon; raises LexiconError on anything malformed."""
    if not isinstance(data, Mapping) or not isinstance(data.get("entries"), list):
        raise LexiconError(f"{source}: a mapping with a list 'entries' expected")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, item in enumerate(data["entries"], 1):
        where = f"{source}: entry {number}"
        if not isinstance(item, Mapping) or set(item) - _ENTRY_KEYS:
            raise LexiconError(f"{where}: keys are {sorted(_ENTRY_KEYS)}")
        entry_id, level, match = item.get("id"), item.get("level"), item.get("match")
        if not isinstance(entry_id, str) or entry_id in seen:
            raise LexiconError(f"{where}: a unique id is needed")
        seen.add(entry_id)
        if level not in _LEVELS:
            raise LexiconError(f"{where} ({entry_id}): level must be one of {_LEVELS}")
        if isinstance(match, str):
            match = [match]
        if not isinstance(match, list) or not match or not all(isinstance(m, str) for m in match):
            raise LexiconError(f"{where} ({entry_id}): 'match' is a pattern or a list of them")
        if not isinstance(item.get("means", False), bool):
            raise LexiconError(f"{where} ({entry_id}): means is true or false")
        gap = item.get("gap", DEFAULT_GAP)
        if not isinstance(gap, int) or not 0 <= gap <= 8:
            raise LexiconError(f"{where} ({entry_id}): gap is 0..8")
        patterns = tuple(
            tuple(_slot(part, f"{where} ({entry_id})") for part in pattern.split())
            for pattern in match
        )
        if any(not pattern for pattern in patterns):
            raise LexiconError(f"{where} ({entry_id}): an empty pattern")
        entries.append(
            Entry(
                id=f"{language}.{entry_id}",
                language=language,
                level=str(level),
                patterns=patterns,
                gap=gap,
                means=item.get("means") is True,
                comment=str(item.get("comment", "")),
            )
        )
    return tuple(entries)


def parse_negations(data: Any) -> frozenset[str]:
    words = data.get("negations", []) if isinstance(data, Mapping) else []
    return frozenset(normalise(str(word)) for word in words)


# Spoken Finnish -------------------------------------------------------------------------

SPOKEN_FI = "risk_spoken_fi.yaml"


@dataclass(frozen=True, slots=True)
class Spoken:
    """Spoken forms and their standard ones (`dialogs/data/risk_spoken_fi.yaml`): a word is
    screened in its own form and in these, before lemmas and stems."""

    words: Mapping[str, tuple[str, ...]]
    endings: tuple[tuple[str, str], ...]  # spoken ending, standard ending; longest first

    @classmethod
    def parse(cls, data: Any, *, source: str) -> Spoken:
        if not isinstance(data, Mapping):
            raise LexiconError(f"{source}: a mapping with 'words' and 'endings' expected")
        words: dict[str, tuple[str, ...]] = {}
        for spoken, standard in (data.get("words") or {}).items():
            forms = standard if isinstance(standard, list) else [standard]
            words[normalise(str(spoken))] = tuple(normalise(str(form)) for form in forms)
        endings = sorted(
            (
                (normalise(str(a)), normalise(str(b)))
                for a, b in (data.get("endings") or {}).items()
            ),
            key=lambda pair: -len(pair[0]),
        )
        return cls(words, tuple(endings))

    def standard(self, word: str) -> tuple[str, ...]:
        found = list(self.words.get(word, ()))
        for spoken, standard in self.endings:
            if len(word) >= len(spoken) + 3 and word.endswith(spoken):
                found.append(word[: -len(spoken)] + standard)
        return tuple(form for form in found if form != word)


# The screen ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: Entry
    slots: tuple[int, ...]
    negated: bool
    quoted: bool


@dataclass(frozen=True, slots=True)
class _Index:
    """The patterns by the alternatives of their first slot, so that a word finds the few
    patterns that can start at it without trying them all."""

    words: Mapping[str, tuple[tuple[int, int], ...]]
    stems: Mapping[str, tuple[tuple[int, int], ...]]
    parts: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    longest_stem: int

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> _Index:
        kinds: dict[str, dict[str, list[tuple[int, int]]]] = {"word": {}, "stem": {}, "part": {}}
        for entry_index, entry in enumerate(entries):
            for pattern_index, pattern in enumerate(entry.patterns):
                for alternative in pattern[0].alternatives:
                    starts = kinds[alternative.kind].setdefault(alternative.text, [])
                    starts.append((entry_index, pattern_index))

        def frozen(kind: str) -> dict[str, tuple[tuple[int, int], ...]]:
            return {text: tuple(starts) for text, starts in kinds[kind].items()}

        return cls(
            words=frozen("word"),
            stems=frozen("stem"),
            parts=tuple(frozen("part").items()),
            longest_stem=max((len(stem) for stem in kinds["stem"]), default=0),
        )


@dataclass
class RiskScreen:
    """Screens free text. Build it with `RiskScreen.load()`; `screen(text)` never raises."""

    entries: tuple[Entry, ...]
    negations: Mapping[str, frozenset[str]]  # per language
    lemmatizer: Lemmatizer | None = None
    model: RiskModel | None = None
    spoken: Spoken = field(default_factory=lambda: Spoken({}, ()))
    _lemmas: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _index: _Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = _Index.of(self.entries)

    @classmethod
    def load(
        cls,
        *,
        directory: Path = DATA,
        languages: Sequence[str] = LANGUAGES,
        lemmatizer: Lemmatizer | None = None,
        with_model: bool = True,
    ) -> RiskScreen:
        """The lexicons of `languages`, and the trained model beside them (`with_model`)."""
        entries: list[Entry] = []
        negations: dict[str, frozenset[str]] = {}
        for language in languages:
            path = directory / f"risk_{language}.yaml"
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            entries.extend(parse_lexicon(data, language=language, source=path.name))
            negations[language] = parse_negations(data)
        model = RiskModel.load(MODEL) if with_model else None
        spoken = Spoken({}, ())
        if "fi" in languages and (directory / SPOKEN_FI).exists():
            data = yaml.safe_load((directory / SPOKEN_FI).read_text(encoding="utf-8"))
            spoken = Spoken.parse(data, source=SPOKEN_FI)
        return cls(tuple(entries), negations, lemmatizer, model, spoken)

    @property
    def uses_lemmas(self) -> bool:
        return self.lemmatizer is not None

    def screen(self, text: str, *, language: str | None = None) -> Screening:
        """The text's level. `language`: the chat's language, when it is known; the model then
        takes that language's crisis threshold (the lexicons of every language read every
        text alike)."""
        try:
            return self._screen(text, language)
        except Exception:  # a screen must never stop a reply; err on the safe side
            return Screening(RiskLevel.CONCERN, ("screen-error",))

    def _forms(self, word: str) -> tuple[str, ...]:
        """The word, its standard forms if it is spoken Finnish, and the lemmas of both."""
        cached = self._lemmas.get(word)
        if cached is None:
            variants = [word, *self.spoken.standard(word)]
            lemmas: list[str] = []
            if self.lemmatizer is not None:
                for variant in variants:
                    lemmas.extend(self._lemmas_of(variant))
            cached = tuple(dict.fromkeys([*variants, *sorted(lemma for lemma in lemmas if lemma)]))
            if len(self._lemmas) > 50_000:
                self._lemmas.clear()
            self._lemmas[word] = cached
        return cached

    def _lemmas_of(self, word: str) -> list[str]:
        if self.lemmatizer is None:
            return []
        try:
            return [normalise(lemma) for lemma in self.lemmatizer(word)]
        except Exception:  # an analyser failure only costs the lemmas
            return []

    def _starts(self, forms: tuple[str, ...]) -> set[tuple[int, int]]:
        """(entry, pattern) indices whose first slot one word (in any of its forms) matches."""
        index = self._index
        found: set[tuple[int, int]] = set()
        for form in forms:
            found.update(index.words.get(form, ()))
            for length in range(1, min(len(form), index.longest_stem) + 1):
                found.update(index.stems.get(form[:length], ()))
            for part, starts in index.parts:
                if part in form:
                    found.update(starts)
        return found

    def _screen(self, text: str, language: str | None) -> Screening:
        words = tokens(text)
        if not words:
            return Screening(RiskLevel.NONE)
        forms = [self._forms(word.form) for word in words]
        starts = [sorted(self._starts(word_forms)) for word_forms in forms]
        masked: set[int] = set()
        for start, candidates in enumerate(starts):
            for entry_index, pattern_index in candidates:
                entry = self.entries[entry_index]
                if entry.level != "ignore" or start in masked:
                    continue
                slots = _match(entry, pattern_index, start, words, forms, masked)
                if slots is not None:
                    masked.update(range(slots[0], slots[-1] + 1))
        hits: list[_Hit] = []
        for start, candidates in enumerate(starts):
            if start in masked:
                continue
            for entry_index, pattern_index in candidates:
                entry = self.entries[entry_index]
                if entry.level == "ignore":
                    continue
                slots = _match(entry, pattern_index, start, words, forms, masked)
                if slots is not None:
                    hits.append(
                        _Hit(
                            entry,
                            slots,
                            negated=self._negated(entry, words, slots),
                            quoted=any(words[i].quoted for i in slots),
                        )
                    )
        decided = _decide(hits, words)
        if self.model is None:
            return decided
        vote = self.model.vote(words, language=language)
        voted = RiskLevel.CRISIS if vote.crisis else RiskLevel.CONCERN if vote.flag else None
        if vote.beside_concern and decided.level is RiskLevel.CONCERN:
            voted = RiskLevel.CRISIS  # the lexicons' concern and the model's near-crisis: help
        if voted is None or voted < decided.level:
            return decided
        if voted > decided.level:
            return Screening(voted, ("model",), vote.words)
        return Screening(
            voted,
            (*decided.entries, "model"),
            tuple(dict.fromkeys((*decided.words, *vote.words))),
        )

    def _negated(self, entry: Entry, words: list[Token], slots: tuple[int, ...]) -> bool:
        """A negation in the few words before the match, or between its slots."""
        negations = self.negations.get(entry.language, frozenset())
        start = slots[0]
        sentence = words[start].sentence
        before = range(max(0, start - NEGATION_WINDOW), start)
        inside = (i for i in range(start + 1, slots[-1]) if i not in slots)
        return any(
            words[i].sentence == sentence and words[i].form in negations for i in (*before, *inside)
        )


def _match(
    entry: Entry,
    pattern_index: int,
    start: int,
    words: list[Token],
    forms: list[tuple[str, ...]],
    masked: set[int],
) -> tuple[int, ...] | None:
    """The word indices of the slots of a match of one pattern from `start`, if it matches."""
    rest = _rest(entry.patterns[pattern_index], 1, start, words, forms, masked, entry.gap)
    return None if rest is None else (start, *rest)


def _rest(
    pattern: tuple[_Slot, ...],
    slot: int,
    previous: int,
    words: list[Token],
    forms: list[tuple[str, ...]],
    masked: set[int],
    gap: int,
) -> tuple[int, ...] | None:
    if slot == len(pattern):
        return ()
    sentence = words[previous].sentence
    for index in range(previous + 1, min(len(words), previous + gap + 2)):
        if words[index].sentence != sentence:
            return None
        if index in masked or not pattern[slot].matches(forms[index]):
            continue
        rest = _rest(pattern, slot + 1, index, words, forms, masked, gap)
        if rest is not None:
            return (index, *rest)
    return None


def _decide(hits: list[_Hit], words: Sequence[Token]) -> Screening:
    level = RiskLevel.NONE
    decided: list[str] = []
    decisive: list[_Hit] = []
    methods = [hit for hit in hits if hit.entry.level == "method"]
    for hit in hits:
        if hit.entry.level == "method":
            continue
        hit_level = RiskLevel.CRISIS if hit.entry.level == "crisis" else RiskLevel.CONCERN
        if hit_level is RiskLevel.CRISIS and (hit.negated or hit.quoted):
            hit_level = RiskLevel.CONCERN
        if hit_level > level:
            level, decided, decisive = hit_level, [], []
        if hit_level == level:
            decided.append(hit.entry.id)
            decisive.append(hit)
    if any(
        not set(method.slots) & set(hit.slots)
        for method in methods
        for hit in hits
        if hit.entry.means
    ):
        # Means beside thoughts of dying or of self-harm: a crisis.
        level = RiskLevel.CRISIS
        decided = [
            *(hit.entry.id for hit in hits if hit.entry.means or hit.entry.level == "crisis"),
            *(hit.entry.id for hit in methods),
        ]
        decisive = [
            hit for hit in hits if hit.entry.means or hit.entry.level in ("crisis", "method")
        ]
    slots = sorted({slot for hit in decisive for slot in hit.slots})
    return Screening(
        level,
        tuple(sorted(set(decided))),
        tuple(dict.fromkeys(words[slot].form for slot in slots)),
    )


VOIKKO_LIBRARY_ENV = "KERRO_VOIKKO_LIBRARY"  # the libvoikko shared library file to load
VOIKKO_DICTIONARY_ENV = "KERRO_VOIKKO_DICTIONARY"  # a directory that holds the dictionary


def _default_voikko_library() -> str:
    if sys.platform == "win32":
        return "libvoikko-1.dll"
    return "libvoikko.1.dylib" if sys.platform == "darwin" else "libvoikko.so.1"


def load_voikko(
    library: str | None = None, dictionary: str | None = None
) -> tuple[Lemmatizer | None, str]:
    """Finnish lemmas from Voikko, or None and the reason why Voikko cannot be used.

    `library` is the libvoikko shared library file (default: the system's, by its usual name);
    `dictionary` a directory holding the Finnish dictionary (`5/mor-standard/...`), the only one
    used when given (default: the system's dictionaries). Unset, they are read from
    KERRO_VOIKKO_LIBRARY and KERRO_VOIKKO_DICTIONARY; a file or a directory that does not hold
    Voikko hides it, as on a machine without it. Never raises, never leaves a half-made handle.
    """
    library = library or os.environ.get(VOIKKO_LIBRARY_ENV) or None
    dictionary = dictionary or os.environ.get(VOIKKO_DICTIONARY_ENV) or None
    try:
        import libvoikko  # type: ignore[import-untyped]  # optional
    except ImportError:
        return None, "the libvoikko Python package is not installed"
    name = library or _default_voikko_library()
    try:
        # Loaded here first, so that libvoikko never makes a handle without its library (its
        # half-made object raises in __del__ on every exit).
        native = libvoikko.VoikkoLibrary(name)
    except OSError as error:
        return None, f"the Voikko library {name} cannot be loaded ({error})"
    if dictionary is not None and not any(Path(dictionary).glob("[0-9]*/mor-*/index.txt")):
        return None, f"no Voikko dictionary in {dictionary}"

    class _Voikko(libvoikko.Voikko):  # type: ignore[misc]
        @classmethod
        def _Voikko__getLib(cls) -> Any:  # the library loaded above, no other
            return native

        def __del__(self) -> None:
            with contextlib.suppress(Exception):
                super().__del__()

    try:
        voikko = _Voikko("fi", dictionary)
        voikko.analyze("kissa")
    except Exception as error:  # no Finnish dictionary (voikko-fi), or a broken one
        return None, f"Voikko has no Finnish dictionary ({error})"

    lock = threading.Lock()  # a Voikko handle is not safe to share between threads

    def lemmas(word: str) -> list[str]:
        with lock:
            analyses = voikko.analyze(word)
        return [str(a["BASEFORM"]) for a in analyses if "BASEFORM" in a]

    return lemmas, ""


def voikko_lemmatizer() -> Lemmatizer | None:
    """Finnish lemmas from Voikko, or None (and one log line) when it cannot be used."""
    lemmatizer, reason = load_voikko()
    if lemmatizer is None:
        log.info("Voikko not found, the risk screen matches stems: %s", reason)
    return lemmatizer
