"""Shared fixtures. One fixture makes the SQLite and the PostgreSQL variant of a storage test.

PostgreSQL: KERRO_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). When it
cannot be reached the PostgreSQL variants are skipped with the reason, unless
KERRO_TEST_REQUIRE_POSTGRES=1 (as in CI), which makes them fail instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.i18n import Translations
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.loader import load_directory
from dialogs.model import Dialog
from dialogs.risk import RiskScreen, voikko_lemmatizer
from storage import migrate, tables
from storage.crypto import Keyring
from storage.db import Database
from tests.support.clock import Clock

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TEST_SECRET = b"test-secret-key-that-is-long-enough-0123456789"
_postgres_status: dict[str, str] = {}


def postgres_base_url() -> str:
    return os.environ.get("KERRO_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def postgres_required() -> bool:
    return os.environ.get("KERRO_TEST_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def _admin_connect(url: str, dbname: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=dbname or parsed.database,
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    base = postgres_base_url()
    try:
        admin = _admin_connect(base)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable at {make_url(base).render_as_string()} ({error})"
        _postgres_status["skipped"] = reason
        if postgres_required():
            pytest.fail(f"{reason}; KERRO_TEST_REQUIRE_POSTGRES is set", pytrace=False)
        pytest.skip(f"{reason}; set KERRO_TEST_POSTGRES_URL to run the PostgreSQL variant")
    name = f"kerro_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    _postgres_status["ran"] = make_url(base).set(database=name).render_as_string()
    yield url
    with _admin_connect(base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _truncate_postgres(url: str) -> None:
    names = ", ".join(f'"{table.name}"' for table in tables.metadata.sorted_tables)
    engine = sa.create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: SQLite (a file) and PostgreSQL (emptied per test)."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "kerro.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def dialogs() -> dict[str, Dialog]:
    return load_directory()


@pytest.fixture(scope="session")
def translations() -> Translations:
    return Translations.load()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(TEST_SECRET)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def risk_screen() -> RiskScreen:
    """The shipped risk screen, with Voikko when it is installed."""
    return RiskScreen.load(lemmatizer=voikko_lemmatizer())


@pytest.fixture(scope="session")
def help_numbers() -> HelpNumbers:
    return HelpNumbers.load()


@pytest.fixture
def service(
    database: Database,
    dialogs: dict[str, Dialog],
    keyring: Keyring,
    translations: Translations,
    clock: Clock,
    risk_screen: RiskScreen,
    help_numbers: HelpNumbers,
) -> ConversationService:
    return ConversationService(
        database=database,
        dialogs=dialogs,
        keyring=keyring,
        translations=translations,
        clock=clock,
        risk_screen=risk_screen,
        help_numbers=help_numbers,
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a worker of pytest-xdist: hand the PostgreSQL variant's status to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["kerro_postgres"] = dict(_postgres_status)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """On the controller of pytest-xdist: gather what each worker said of PostgreSQL (a run
    anywhere is a run; a skip is reported only when no worker ran it)."""
    status: dict[str, str] = getattr(node, "workeroutput", {}).get("kerro_postgres", {})
    if "ran" in status:
        _postgres_status.pop("skipped", None)
        _postgres_status["ran"] = status["ran"]
    elif "skipped" in status and "ran" not in _postgres_status:
        _postgres_status["skipped"] = status["skipped"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "ran" in _postgres_status:
        terminalreporter.write_line(f"PostgreSQL variant: ran against {_postgres_status['ran']}")
    elif "skipped" in _postgres_status:
        terminalreporter.write_line(
            f"PostgreSQL variant: SKIPPED, {_postgres_status['skipped']}. Only SQLite was tested."
        )
