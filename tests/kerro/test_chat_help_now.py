""" "I need help now" through the terminal channel: in a piped `kerro chat` the key `!` gives the
help numbers in the chat's language and one anonymous crisis flag, and the dialog goes on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.i18n import Translations
from bot.messages import HELP_NOW_LABEL
from dialogs import helplines
from dialogs.helplines import Reader
from tests.kerro.test_cli import kerro

FIRST_QUESTION = {
    "fi": "Kuinka paljon elämässäsi",
    "sv": "Hur mycket glädje",
    "en": "How much joy",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_help_now_key_gives_help_and_the_dialog_goes_on(tmp_path: Path, language: str) -> None:
    assert kerro(tmp_path, "demo").returncode == 0
    answers = "!\n3\n4\n2\n5\nskip\n"
    result = kerro(tmp_path, "chat", "youth_checkin", "--lang", language, stdin=answers)
    assert result.returncode == 0, result.stderr
    translator = Translations.load().get(language)
    out = result.stdout
    assert f"!) {translator.gettext(HELP_NOW_LABEL)}" in out
    intro = out.index(translator.gettext(helplines.OPENING_PRESSED))
    assert ("0800 96 116" if language == "sv" else "116 111") in out[intro:]
    assert translator.gettext(helplines.WHO_SEES[Reader.STAFF]) in out
    # Asked, helped, asked again, and then answered to the end.
    assert out.index(FIRST_QUESTION[language]) < intro < out.rindex(FIRST_QUESTION[language])
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
    assert flags == [("crisis", "help_now", None)]
    assert measures == ["joy", "belonging", "coping", "physical", "note"]
