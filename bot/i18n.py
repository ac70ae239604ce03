"""Translations from the gettext catalogs in locales/ (read with Babel, no compile step)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

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


class Translator:
    def __init__(self, language: str, messages: Mapping[str, str]) -> None:
        self.language = language
        self._messages = messages

    def gettext(self, msgid: str) -> str:
        return self._messages.get(msgid) or msgid

    def text(self, text: Text) -> str:
        params = {
            name: self.text(value) if isinstance(value, Text) else value
            for name, value in text.params.items()
        }
        translated = self.gettext(text.msgid)
        if not params:
            return translated
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):
            return text.msgid.format(**params)


class Translations:
    def __init__(self, translators: Mapping[str, Translator], default: str) -> None:
        self._translators = translators
        self.default = default

    @classmethod
    def load(cls, directory: Path | None = None, default: str = DEFAULT_LANGUAGE) -> Translations:
        translators: dict[str, Translator] = {}
        for language in LANGUAGES:
            path = catalog_path(language, directory)
            messages: dict[str, str] = {}
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=language)
                for message in catalog:
                    if (
                        isinstance(message.id, str)
                        and message.id
                        and not message.fuzzy
                        and isinstance(message.string, str)
                        and message.string
                    ):
                        messages[message.id] = message.string
            translators[language] = Translator(language, messages)
        return cls(translators, default)

    def get(self, language: str | None) -> Translator:
        return self._translators[normalise_language(language, self.default)]

    def all(self) -> list[Translator]:
        return list(self._translators.values())
