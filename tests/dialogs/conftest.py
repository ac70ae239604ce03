"""The risk corpus figures, collected by the corpus test and printed in the summary."""

from __future__ import annotations

import pytest

# (language, mode) -> (figures, sentences per level)
CorpusFigures = dict[tuple[str, str], tuple[dict[str, float], dict[str, int]]]
_FIGURES: CorpusFigures = {}


@pytest.fixture
def corpus_figures() -> CorpusFigures:
    return _FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FIGURES:
        return
    terminalreporter.write_sep("-", "risk screen corpus")
    for (language, mode), (figures, sizes) in sorted(_FIGURES.items()):
        counts = ", ".join(f"{level} {count}" for level, count in sizes.items())
        shown = ", ".join(f"{name} {value:.0%}" for name, value in figures.items())
        terminalreporter.write_line(f"{language} ({mode}; {counts}): {shown}")
