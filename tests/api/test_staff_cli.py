from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tests.kerro.test_cli import kerro


def test_staff_add_prints_the_token_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    assert kerro(tmp_path, "unit", "add", "koti", "Nuorisokoti").returncode == 0
    result = kerro(tmp_path, "staff", "add", "Maija", "--role", "caseworker", "--unit", "koti")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("kerro_")
    assert len(token) > 40
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        stored = db.execute("SELECT token_hash FROM staff_token").fetchall()
        role = db.execute("SELECT role FROM staff").fetchall()
        dump = "\n".join(db.iterdump())
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert role == [("caseworker",)]
    assert token not in dump
    again = kerro(tmp_path, "staff", "add", "Maija", "--role", "admin")
    assert again.returncode != 0
    assert "exists already" in again.stderr
    no_unit = kerro(tmp_path, "staff", "add", "Pekka", "--role", "caseworker", "--unit", "nope")
    assert no_unit.returncode != 0
    assert "no unit" in no_unit.stderr
    revoked = kerro(tmp_path, "staff", "revoke", "Maija")
    assert "Revoked 1 token" in revoked.stdout


def test_alert_addresses_are_set_with_the_unit_and_the_member(tmp_path: Path) -> None:
    added = kerro(tmp_path, "unit", "add", "koti", "Koti", "--on-call", "paivystys@koti.example")
    assert added.returncode == 0, added.stderr
    result = kerro(
        tmp_path,
        "staff",
        "add",
        "Maija",
        "--role",
        "caseworker",
        "--unit",
        "koti",
        "--email",
        "maija@koti.example",
        "--lang",
        "sv",
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        on_call = db.execute("SELECT on_call_email FROM unit").fetchall()
        member = db.execute("SELECT email, language FROM staff").fetchall()
    assert on_call == [("paivystys@koti.example",)]
    assert member == [("maija@koti.example", "sv")]
    bad = kerro(tmp_path, "unit", "add", "toinen", "Toinen", "--on-call", "not an address")
    assert bad.returncode != 0
    assert "not an e-mail address" in bad.stderr
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        assert db.execute("SELECT count(*) FROM unit").fetchone() == (1,)
