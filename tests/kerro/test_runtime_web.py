"""The web chat's settings, as the composition root makes them from KERRO_* values."""

from __future__ import annotations

from pathlib import Path

from kerro.runtime import web_settings
from kerro.settings import Settings


def test_the_kiosk_idle_time_and_the_public_url_reach_the_web_chat(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        web_kiosk_idle_seconds=42,
        public_url="https://kerro.example",
    )
    web = web_settings(settings)
    assert web.kiosk_idle_seconds == 42
    assert web.kiosk_thanks == 42  # the thanks screen follows it
    assert web.public_url == "https://kerro.example"
