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


async def test_build_wires_every_part_at_construction(tmp_path: Path) -> None:
    from bot.alert_channels import StaffTelegramChannel
    from bot.alerts import TELEGRAM
    from kerro.runtime import build

    settings = Settings(
        data_dir=tmp_path,
        telegram_token="123456:" + "a" * 35,
        telegram_webhook_secret="s" * 32,
        public_url="https://kerro.example",
    )
    runtime = build(settings)
    try:
        assert runtime.telegram is not None
        assert runtime.service.on_flag == runtime.alerts.wake
        staff_channel = runtime.alerts.channels[TELEGRAM]
        assert isinstance(staff_channel, StaffTelegramChannel)
        assert staff_channel.bot is runtime.telegram.bot
    finally:
        await runtime.aclose()
