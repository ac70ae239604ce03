from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.alert_coverage import NO_CHANNEL
from dialogs.loader import SHIPPED
from kerro.demo import DEMO_UNIT_NAME, ORGANISATION
from kerro.runtime import build
from kerro.settings import Settings

KERRO = str(Path(sys.executable).parent / "kerro")


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Kerro's settings are the test's own; where Voikko is hidden (CI's second run) it stays so.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KERRO_") or k.startswith("KERRO_VOIKKO_")
    }
    env.update({"KERRO_DATA_DIR": str(tmp_path / "data"), "KERRO_LOG_LEVEL": "WARNING", **extra})
    return env


def kerro(
    tmp_path: Path, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KERRO, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(tmp_path, **extra),
        timeout=60,
        check=False,
    )


def test_a_piped_chat_runs_to_the_end_and_is_stored(tmp_path: Path) -> None:
    assert kerro(tmp_path, "demo").returncode == 0
    answers = "3\n4\n2\n5\n1\n0\nskip\n"
    result = kerro(
        tmp_path, "chat", "youth_checkin", "--lang", "en", "--client", "DEMO-1", stdin=answers
    )
    assert result.returncode == 0, result.stderr
    assert "How much joy" in result.stdout
    assert "One of your goals is: Käyn koulussa joka päivä." in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Thank you!")
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        # The demo's year of sample answers came by other channels.
        stored = db.execute(
            "SELECT measure, number, skipped FROM answer JOIN response"
            " ON response.id = answer.response_id WHERE response.channel = 'terminal'"
            " ORDER BY answer.id"
        ).fetchall()
        response = db.execute(
            "SELECT client_id IS NOT NULL, completed FROM response WHERE channel = 'terminal'"
        ).fetchall()
    assert stored == [
        ("joy", 3.0, 0),
        ("belonging", 4.0, 0),
        ("coping", 2.0, 0),
        ("physical", 5.0, 0),
        ("gas", 1.0, 0),
        ("gas", 0.0, 0),
        ("note", None, 1),
    ]
    assert response == [(1, 1)]


async def _units_seen_with(token: str, tmp_path: Path) -> list[dict[str, object]]:
    settings = Settings(data_dir=tmp_path / "data")
    runtime = build(settings)
    try:
        transport = httpx.ASGITransport(app=runtime.staff_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://staff") as client:
            response = await client.get(
                "/api/v1/units", headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        runtime.close()
    assert response.status_code == 200, response.text
    units: list[dict[str, object]] = response.json()
    return units


async def test_demo_prints_a_coordinators_token_that_opens_the_staff_api(
    tmp_path: Path,
) -> None:
    tokens = []
    for _ in range(2):  # a second run gives a working token too
        result = kerro(tmp_path, "demo")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        last = result.stdout.rstrip().splitlines()[-1]
        assert last.startswith("Token: ")
        tokens.append(last.removeprefix("Token: "))
        assert f"Bearer {tokens[-1]}" in result.stdout
    assert tokens[0] != tokens[1]
    for token in tokens:
        units = await _units_seen_with(token, tmp_path)
        # The coordinator of the whole demo organisation: its units, with Finnish names.
        assert [(unit["code"], unit["name"]) for unit in units] == sorted(
            (plan.code, plan.name) for plan in ORGANISATION
        )
        assert ("demo", DEMO_UNIT_NAME) in [(unit["code"], unit["name"]) for unit in units]


def test_kerro_without_voikko_is_one_log_line_and_no_traceback(tmp_path: Path) -> None:
    missing = str(tmp_path / "libvoikko.so.1")
    for command in (("demo",), ("chat", "open_feedback", "--anonymous")):
        result = kerro(
            tmp_path,
            *command,
            stdin="3\nOhita\n",
            KERRO_VOIKKO_LIBRARY=missing,
            KERRO_LOG_LEVEL="INFO",
        )
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert "Exception ignored" not in result.stderr
        voikko_lines = [line for line in result.stderr.splitlines() if "Voikko not found" in line]
        if command == ("demo",):  # an admin command opens only the database: no risk screen
            assert voikko_lines == [], result.stderr
            continue
        assert len(voikko_lines) == 1, result.stderr
        assert missing in voikko_lines[0]


def test_labels_and_words_work_as_answers_in_finnish(tmp_path: Path) -> None:
    result = kerro(tmp_path, "chat", "open_feedback", "--anonymous", stdin="3\nOhita\n")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "kerro.db") as db:
        stored = db.execute("SELECT measure, number, choice, skipped FROM answer").fetchall()
        anonymous = db.execute("SELECT anonymous, client_id FROM response").fetchall()
    assert stored == [("rating", 3.0, "happy", 0), ("comment", None, None, 1)]
    assert anonymous == [(1, None)]


def test_input_that_ends_early_exits_non_zero_with_a_note(tmp_path: Path) -> None:
    result = kerro(tmp_path, "chat", "youth_checkin", "--lang", "en", stdin="3\n")
    assert result.returncode == 1
    assert "answers so far are saved" in result.stderr


def test_an_unknown_client_is_a_clear_error(tmp_path: Path) -> None:
    result = kerro(tmp_path, "chat", "youth_checkin", "--client", "NOBODY")
    assert result.returncode == 1
    assert "has no client 'NOBODY'" in result.stderr
    assert "Traceback" not in result.stderr


def test_dialogs_check_names_file_and_line(tmp_path: Path) -> None:
    good = kerro(tmp_path, "dialogs", "check")
    assert good.returncode == 0
    assert f"{len(SHIPPED)} dialog file(s) are valid" in good.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: B\nsteps:\n  - id: q\n    kind: scale\n    text: Q?\n")
    result = kerro(tmp_path, "dialogs", "check", str(broken))
    assert result.returncode == 1
    assert f"{broken}:4: 'low' is missing" in result.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = kerro(tmp_path, "db", "upgrade", KERRO_ENVIRONMENT="production")
    assert result.returncode == 1
    assert "KERRO_SECRET_KEY must be set" in result.stderr


def test_a_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = kerro(tmp_path, "db", "upgrade", KERRO_DATABASE_URL="mysql://x/y")
    assert result.returncode == 1
    assert "unsupported database 'mysql'" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_runs_both_apps_and_stops_gracefully(tmp_path: Path, stop_signal: int) -> None:
    public, staff = _free_port(), _free_port()
    process = subprocess.Popen(
        [KERRO, "serve", "--public-port", str(public), "--staff-port", str(staff)],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        statuses: dict[str, int] = {}
        while time.monotonic() < deadline:
            try:
                for port in (public, staff):
                    for path in ("/healthz", "/readyz"):
                        statuses[f"{port}{path}"] = httpx.get(
                            f"http://127.0.0.1:{port}{path}"
                        ).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert statuses == {
            f"{public}/healthz": 200,
            f"{public}/readyz": 200,
            f"{staff}/healthz": 200,
            f"{staff}/readyz": 200,
        }
        assert httpx.get(f"http://127.0.0.1:{staff}/api/v1/openapi.json").status_code == 200
        # no alert channel is configured: still ready, with a warning
        ready = httpx.get(f"http://127.0.0.1:{staff}/readyz").json()
        assert ready == {"status": "ready", "warnings": [NO_CHANNEL]}
        # the public app serves the web chat (no demo unit here: a clear 404 page)
        chat = httpx.get(f"http://127.0.0.1:{public}/chat/demo")
        assert chat.status_code == 404
        assert chat.headers["content-type"].startswith("text/html")
        # serve applied the migrations itself
        assert (tmp_path / "data" / "kerro.db").exists()
        process.send_signal(stop_signal)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert f"WARNING kerro: alerts: {NO_CHANNEL}" in stderr.splitlines()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
