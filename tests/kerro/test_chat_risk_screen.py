"""S1 through the terminal channel: a crisis line in a piped `kerro chat` gets the help numbers
in the chat's language and exactly one crisis flag, and the conversation goes on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.i18n import Translations
from dialogs import helplines
from dialogs.helplines import Reader
from tests.kerro.test_cli import kerro

CASES = {
    "fi": ("haluan kuolla", "Kuinka paljon olet viime aikoina tuntenut"),
    "sv": ("jag vill inte leva", "Hur mycket har du känt"),
    "en": ("I want to die", "How much have you felt"),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_piped_crisis_line_gets_help_and_one_flag(tmp_path: Path, language: str) -> None:
    crisis, second_question = CASES[language]
    assert kerro(tmp_path, "demo").returncode == 0
    answers = f"3\n{crisis}\n+\n4\n2\n5\nskip\n"  # "+": more places to get help
    result = kerro(tmp_path, "chat", "youth_checkin", "--lang", language, stdin=answers)
    assert result.returncode == 0, result.stderr
    translator = Translations.load().get(language)
    out = result.stdout
    intro = out.index(translator.gettext(helplines.OPENING_SCREENED))
    assert "112" in out[intro:]
    assert translator.gettext(helplines.WHO_SEES[Reader.STAFF]) in out
    assert f"+) {translator.gettext(helplines.MORE_LABEL)}" in out
    more = out.index(translator.gettext(helplines.MORE_TITLE))
    for number in ("112", "09 2525 0111", "116 006"):
        assert number in out[more:]
    # The help comes before the question is asked again, and the dialog then runs to its end.
    assert out.index(second_question) < intro < more < out.rindex(second_question)
    assert crisis not in result.stderr
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        # The demo's year of sample answers came by other channels.
        flags = db.execute(
            "SELECT level, rule, flag.client_id FROM flag JOIN response"
            " ON response.id = flag.response_id WHERE response.channel = 'terminal'"
        ).fetchall()
        measures = [
            m
            for (m,) in db.execute(
                "SELECT measure FROM answer JOIN response ON response.id = answer.response_id"
                " WHERE response.channel = 'terminal' ORDER BY answer.id"
            )
        ]
        plain = db.execute(
            "SELECT count(*) FROM answer WHERE text_sealed LIKE ?", (f"%{crisis}%",)
        ).fetchone()
    assert flags == [("crisis", "risk_screen", None)]
    assert measures == ["joy", "risk_screen", "belonging", "coping", "physical", "note"]
    assert plain == (0,)
