"""The admin commands open the database only: no dialogs, no risk screen, no bot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kerro.demo import ORGANISATION
from tests.kerro.test_cli import kerro


def test_admin_commands_open_only_the_database(tmp_path: Path) -> None:
    # `serve` and `chat` log which risk screen they built; an admin command builds none.
    info = {"KERRO_LOG_LEVEL": "INFO"}
    commands = [
        ("unit", "add", "north", "North unit"),
        ("staff", "add", "Aino", "--role", "caseworker", "--unit", "north"),
        ("staff", "token", "Aino"),
        ("staff", "revoke", "Aino"),
        ("demo",),
    ]
    for command in commands:
        result = kerro(tmp_path, *command, **info)
        assert result.returncode == 0, result.stderr
        assert "risk screen" not in result.stderr, command
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        codes = [code for (code,) in db.execute("SELECT code FROM unit ORDER BY code")]
    assert codes == sorted(["north", *(plan.code for plan in ORGANISATION)])
