"""Translations from the gettext catalogs in locales/ (read with Babel, no compile step)."""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

from dialogs.helplines import HelpNumbers
from dialogs.model import LANGUAGES as LANGUAGES  # re-exported: where the bot's texts are
from dialogs.model import Text

DEFAULT_LANGUAGE = "fi"
DOMAIN = "kerro"


def normalise_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """'sv-FI' -> 'sv'; anything unknown -> the default."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else default


def catalog_path(language: str, directory: Path | None = None) -> Path:
    root = directory if directory is not None else Path(str(resources.files("locales")))
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _english_plural(n: int) -> int:
    return int(n != 1)


class Translator:
    def __init__(
        self,
        language: str,
        messages: Mapping[str, str],
        plurals: Mapping[str, tuple[str, ...]] | None = None,
        plural_form: Callable[[int], int] = _english_plural,
        numbers: Mapping[str, str] | None = None,
    ) -> None:
        self.language = language
        self._messages = messages
        self._plurals = plurals or {}
        self._plural_form = plural_form
        # The help numbers by placeholder: "{emergency}" in any text is "112" (they are
        # written only in dialogs/data/help_numbers.yaml).
        self._numbers = {f"{{{name}}}": number for name, number in (numbers or {}).items()}

    def _filled(self, text: str) -> str:
        if "{" in text:
            for placeholder, number in self._numbers.items():
                text = text.replace(placeholder, number)
        return text

    def gettext(self, msgid: str) -> str:
        return self._filled(self._messages.get(msgid) or msgid)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of a plural message for `count`, by the catalog's plural rule."""
        forms = self._plurals.get(singular)
        if forms:
            index = self._plural_form(count)
            if 0 <= index < len(forms):
                return self._filled(forms[index])
        return self._filled(singular if count == 1 else plural)

    def text(self, text: Text) -> str:
        params = {
            name: self.text(value) if isinstance(value, Text) else value
            for name, value in text.params.items()
        }
        if text.plural is not None:
            translated = self.ngettext(text.msgid, text.plural, text.count)
            source = text.msgid if text.count == 1 else text.plural
        else:
            translated, source = self.gettext(text.msgid), text.msgid
        source = self._filled(source)
        if not params:
            return translated
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):
            return source.format(**params)


class Translations:
    def __init__(self, translators: Mapping[str, Translator], default: str) -> None:
        self._translators = translators
        self.default = default

    @classmethod
    def load(
        cls,
        directory: Path | None = None,
        default: str = DEFAULT_LANGUAGE,
        *,
        help_numbers: HelpNumbers | None = None,
    ) -> Translations:
        """The catalogs; the help numbers (by default the shipped data file) fill their
        placeholders in every text."""
        numbers = (help_numbers or HelpNumbers.load()).placeholders
        translators: dict[str, Translator] = {}
        for language in LANGUAGES:
            path = catalog_path(language, directory)
            messages: dict[str, str] = {}
            plurals: dict[str, tuple[str, ...]] = {}
            plural_form: Callable[[int], int] = _english_plural
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=language)
                plural_form = gettext.c2py(catalog.plural_expr)
                for message in catalog:
                    if not message.id or message.fuzzy:
                        continue
                    if isinstance(message.id, str) and isinstance(message.string, str):
                        if message.string:
                            messages[message.id] = message.string
                    elif isinstance(message.string, tuple) and all(message.string):
                        plurals[str(message.id[0])] = tuple(message.string)
            translators[language] = Translator(
                language, messages, plurals, plural_form, numbers=numbers
            )
        return cls(translators, default)

    def get(self, language: str | None) -> Translator:
        return self._translators[normalise_language(language, self.default)]

    def all(self) -> list[Translator]:
        return list(self._translators.values())


class PageTexts:
    """A texts module's upper-case N_() texts, given by lower-case name in one language (for a
    page template): `page_texts = PageTexts(globals())` at the module's end."""

    def __init__(self, namespace: Mapping[str, object]) -> None:
        self.names = {
            name: value
            for name, value in namespace.items()
            if name.isupper() and not name.startswith("_") and isinstance(value, str)
        }

    def __call__(self, translator: Translator) -> dict[str, str]:
        return {name.lower(): translator.gettext(value) for name, value in self.names.items()}
