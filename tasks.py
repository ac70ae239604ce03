#!/usr/bin/env python3
"""Set up and run Kerro from a source checkout, with nothing but Python 3.11+.

    python3 tasks.py run     Kerro on SQLite with a demo unit (public app :8000, staff app :8001)
                             and a token of its coordinator for the staff API
    python3 tasks.py test    the test suite (extra arguments go to pytest)
    python3 tasks.py lint    ruff, mypy (strict) and import-linter

The first call makes a virtual environment in .venv and installs Kerro into it; later calls
reinstall only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".kerro-installed"


def _call(*command: str | Path) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Kerro needs Python 3.11 or newer.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Making a virtual environment in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Kerro and its tools into .venv ...", flush=True)
    _call(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _call(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def run(args: list[str]) -> None:
    _call(BIN / "kerro", "demo")
    host = os.environ.get("KERRO_HOST", "127.0.0.1")
    public = f"http://{host}:{os.environ.get('KERRO_PUBLIC_PORT', '8000')}"
    staff = f"http://{host}:{os.environ.get('KERRO_STAFF_PORT', '8001')}"
    print(f"\nThe demo unit's web chat: {public}/chat/demo (its kiosk: {public}/kiosk/demo)")
    print(f"The staff app's API description: {staff}/api/v1/docs")
    print(f"The staff API with the coordinator's token above: {staff}/api/v1/units")
    print("Chat in a terminal meanwhile: .venv/bin/kerro chat youth_checkin --client DEMO-1\n")
    os.execv(BIN / "kerro", [str(BIN / "kerro"), "serve", *args])


def test(args: list[str]) -> None:
    # Two workers (pytest-xdist), a test file each at a time, unless told otherwise (-n 0 runs
    # the tests in this one process; KERRO_TEST_WORKERS sets the default).
    if not any(arg.startswith("-n") or arg.startswith("--numprocesses") for arg in args):
        workers = os.environ.get("KERRO_TEST_WORKERS", "2")
        args = ["-n", workers, "--dist", "loadfile", *args]
    os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *args])


def lint(_: list[str]) -> None:
    _call(BIN / "ruff", "check", ".")
    _call(BIN / "ruff", "format", "--check", ".")
    _call(BIN / "mypy")
    _call(BIN / "lint-imports")


COMMANDS = {"run": run, "test": test, "lint": lint}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    ensure_environment()
    COMMANDS[sys.argv[1]](sys.argv[2:])
