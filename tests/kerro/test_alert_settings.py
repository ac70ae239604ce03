"""Alert settings: the channels `kerro serve` builds from KERRO_* values, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.alert_channels import EmailChannel, WebhookChannel
from bot.alerts import EMAIL, WEBHOOK
from kerro.runtime import alert_channels
from kerro.settings import Settings


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_no_alert_channel_is_on_by_default(tmp_path: Path) -> None:
    assert alert_channels(settings(tmp_path)) == {}


def test_the_smtp_url_gives_host_port_and_decoded_credentials(tmp_path: Path) -> None:
    channels = alert_channels(
        settings(
            tmp_path,
            smtp_url="smtp://alerts%40koti:p%3Ass@mail.koti.example:2587",
            smtp_from="kerro@koti.example",
        )
    )
    channel = channels[EMAIL]
    assert isinstance(channel, EmailChannel)
    smtp = channel.smtp
    assert (smtp.host, smtp.port, smtp.username, smtp.password) == (
        "mail.koti.example",
        2587,
        "alerts@koti",
        "p:ss",
    )
    assert (smtp.sender, smtp.implicit_tls) == ("kerro@koti.example", False)
    implicit = alert_channels(settings(tmp_path, smtp_url="smtps://mail.koti.example"))[EMAIL]
    assert isinstance(implicit, EmailChannel)
    assert (implicit.smtp.port, implicit.smtp.implicit_tls) == (465, True)


def test_the_webhook_needs_its_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="KERRO_ALERT_WEBHOOK_SECRET"):
        settings(tmp_path, alert_webhook_url="https://hooks.example/kerro")
    channel = alert_channels(
        settings(
            tmp_path, alert_webhook_url="https://hooks.example/kerro", alert_webhook_secret="s" * 32
        )
    )[WEBHOOK]
    assert isinstance(channel, WebhookChannel)
    assert channel.url == "https://hooks.example/kerro"


def test_an_smtp_url_of_another_scheme_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="KERRO_SMTP_URL"):
        settings(tmp_path, smtp_url="http://mail.example")
