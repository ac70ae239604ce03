"""Voikko is optional: without its library or its dictionary the risk screen matches stems, and
nothing but one log line says so (no traceback, no exception ignored in a destructor)."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialogs.risk import (
    VOIKKO_DICTIONARY_ENV,
    VOIKKO_LIBRARY_ENV,
    RiskScreen,
    load_voikko,
    voikko_lemmatizer,
)


@pytest.fixture
def unraisable() -> Iterator[list[Any]]:
    """Exceptions that Python could only print (for example from a destructor)."""
    seen: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        yield seen
    finally:
        gc.collect()
        sys.unraisablehook = previous


def _with_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's Voikko library, even where the run hides it (a dictionary test needs it)."""
    monkeypatch.delenv(VOIKKO_LIBRARY_ENV, raising=False)
    monkeypatch.delenv(VOIKKO_DICTIONARY_ENV, raising=False)
    lemmatizer, why = load_voikko()
    if lemmatizer is None and "library" in why:
        pytest.skip(f"a dictionary test needs the Voikko library: {why}")


def _loaded_silently(caplog: pytest.LogCaptureFixture, unraisable: list[Any], why: str) -> None:
    with caplog.at_level(logging.DEBUG):
        lemmatizer = voikko_lemmatizer()
        gc.collect()
    assert lemmatizer is None
    assert unraisable == []
    lines = [record for record in caplog.records if record.levelno >= logging.DEBUG]
    assert len(lines) == 1, [record.getMessage() for record in lines]
    assert lines[0].levelno == logging.INFO
    assert "Voikko not found" in lines[0].getMessage()
    assert why in lines[0].getMessage()
    # The screen still works, on stems.
    screen = RiskScreen.load(lemmatizer=lemmatizer)
    assert not screen.uses_lemmas
    assert screen.screen("haluan kuolla").level.label == "crisis"


def test_a_missing_library_is_one_log_line_and_no_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    unraisable: list[Any],
) -> None:
    missing = str(tmp_path / "libvoikko.so.1")
    monkeypatch.setenv(VOIKKO_LIBRARY_ENV, missing)
    _loaded_silently(caplog, unraisable, missing)


def test_a_missing_dictionary_is_one_log_line_and_no_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    unraisable: list[Any],
) -> None:
    _with_the_library(monkeypatch)
    monkeypatch.setenv(VOIKKO_DICTIONARY_ENV, str(tmp_path))
    _loaded_silently(caplog, unraisable, f"no Voikko dictionary in {tmp_path}")


def test_the_reason_names_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lemmatizer, why = load_voikko(library=str(tmp_path / "nothing.so"))
    assert lemmatizer is None
    assert "nothing.so cannot be loaded" in why
    _with_the_library(monkeypatch)
    lemmatizer, why = load_voikko(dictionary=str(tmp_path))
    assert lemmatizer is None
    assert why == f"no Voikko dictionary in {tmp_path}"
