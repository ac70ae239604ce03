"""Playwright driving Debian's Chromium (headless, no network) against a real server.

The browser is /usr/bin/chromium; `.ci/run` installs it when it is missing. Without it these
tests are skipped locally and fail in CI. Screenshots go to test-output/e2e/.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.web import WebSettings
from bot.i18n import Translations
from bot.service import ConversationService
from dialogs.helplines import HelpNumbers
from dialogs.model import Dialog
from dialogs.risk import RiskScreen
from storage.db import Database
from storage.repositories import units
from tests.conftest import TEST_SECRET
from tests.support.web import serve, web_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "e2e"
PHONE: ViewportSize = {"width": 390, "height": 844}

if not Path(CHROMIUM).exists():
    reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI"):
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module-scoped: Playwright's sync API keeps an event loop running while it is open, and
    # async tests after this module need the thread without one.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "kerro.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    with db.transaction() as session:
        units.add_unit(session, code="demo", name="Demo unit", now=dt.datetime.now(dt.UTC))
    yield db
    db.dispose()


@pytest.fixture
def web_service(
    database: Database,
    dialogs: dict[str, Dialog],
    translations: Translations,
    risk_screen: RiskScreen,
    help_numbers: HelpNumbers,
) -> ConversationService:
    from storage.crypto import Keyring

    return ConversationService(
        database=database,
        dialogs=dialogs,
        keyring=Keyring(TEST_SECRET),
        translations=translations,
        risk_screen=risk_screen,
        help_numbers=help_numbers,
    )


@pytest.fixture
def base_url(web_service: ConversationService) -> Iterator[str]:
    settings = WebSettings(kiosk_thanks_seconds=2, kiosk_idle_seconds=60)
    with serve(web_app(web_service, settings)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=1)
    opened = context.new_page()
    yield opened
    context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
