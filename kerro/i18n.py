"""Catalog upkeep: extract msgids with Babel (Python and dialog YAML), update and check .po files.

`kerro i18n update` rewrites locales/kerro.pot and merges it into fi, sv and en.
`check_catalogs` is what the tests run: it lists every way the catalogs disagree with the sources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, catalog_path
from dialogs.helplines import HelpNumbers

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
# N_ and NP_ (dialogs.model) mark texts; NP_ is a plural message, as ngettext.
_KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": (1, 2)}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A fixed header date keeps the catalogs' diffs to what changed in the texts.
_HEADER_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _header(catalog: Catalog) -> None:
    catalog.project = "Kerro"
    catalog.version = "1"
    catalog.copyright_holder = "the Kerro authors"
    catalog.msgid_bugs_address = ""
    catalog.creation_date = _HEADER_DATE
    catalog.revision_date = _HEADER_DATE
    catalog.fuzzy = False


def extract(root: Path = ROOT) -> Catalog:
    """A fresh template from the sources, as `pybabel extract -F babel.cfg` would make it."""
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    catalog = Catalog(domain=DOMAIN, charset="utf-8")
    _header(catalog)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=_KEYWORDS, comment_tags=("Translators:",)
    ):
        catalog.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle, catalog, width=96, omit_header=False, sort_output=False, ignore_obsolete=True
        )


def update(root: Path = ROOT) -> list[str]:
    """Write the template and merge it into every language; returns the msgids added."""
    template = extract(root)
    locales = root / "locales"
    _write(locales / f"{DOMAIN}.pot", template)
    added: set[str] = set()
    for language in LANGUAGES:
        path = catalog_path(language, locales)
        catalog = (
            _read(path, language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
        )
        before = {str(m.id) for m in catalog if m.id}
        catalog.update(template, no_fuzzy_matching=True)
        _header(catalog)
        catalog.language_team = f"Kerro {language}"
        catalog.last_translator = "the Kerro authors"
        if language == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
        added |= {str(m.id) for m in catalog if m.id} - before
        _write(path, catalog)
    return sorted(added)


def _translated(message: Message) -> bool:
    """Whether every form of the message (one, or the plural forms) has a translation."""
    if isinstance(message.string, tuple | list):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def _ids(messages: Iterable[Message]) -> set[str]:
    return {str(message.id) for message in messages if message.id}


def _placeholders_fit(msgid: str, msgstr: str, numbers: set[str]) -> bool:
    """A translation has its msgid's placeholders; only a help number may be another help
    number of the same service (the Swedish line of a helpline), and 112 stays 112."""
    source, translated = set(_PLACEHOLDER.findall(msgid)), set(_PLACEHOLDER.findall(msgstr))
    if source - numbers != translated - numbers:
        return False
    if "emergency" in source and "emergency" not in translated:
        return False
    return bool(translated & numbers) == bool(source & numbers)


def check_catalogs(root: Path = ROOT) -> list[str]:
    """Every problem of the catalogs: out of date, untranslated, fuzzy, broken placeholders."""
    problems: list[str] = []
    numbers = set(HelpNumbers.load().placeholders)
    source_ids = _ids(extract(root))
    locales = root / "locales"
    template_path = locales / f"{DOMAIN}.pot"
    if not template_path.exists():
        return [f"{template_path.name} is missing; run `kerro i18n update`"]
    template_ids = _ids(_read(template_path))
    for msgid in sorted(source_ids - template_ids):
        problems.append(f"{DOMAIN}.pot lacks {msgid!r}; run `kerro i18n update`")
    for msgid in sorted(template_ids - source_ids):
        problems.append(f"{DOMAIN}.pot still has {msgid!r}, no longer in the sources")
    for language in LANGUAGES:
        path = catalog_path(language, locales)
        if not path.exists():
            problems.append(f"{language}: the catalog is missing")
            continue
        catalog = _read(path, language)
        ids = _ids(catalog)
        for msgid in sorted(source_ids - ids):
            problems.append(f"{language}: no entry for {msgid!r}")
        for msgid in sorted(ids - source_ids):
            problems.append(f"{language}: {msgid!r} is no longer in the sources")
        for message in catalog:
            if not message.id:
                continue
            msgid = str(message.id)
            if not _translated(message):
                problems.append(f"{language}: {msgid!r} is not translated")
            elif message.fuzzy:
                problems.append(f"{language}: {msgid!r} is marked fuzzy")
            elif not _placeholders_fit(msgid, str(message.string), numbers):
                problems.append(f"{language}: {msgid!r} has other placeholders in its translation")
    return problems
