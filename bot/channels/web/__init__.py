"""The web channel: a chat page per unit and per invite, and a feedback kiosk."""

from bot.channels.web.pages import WebSettings
from bot.channels.web.router import WebChannel, web_channel
from bot.messages import WEB as CHANNEL

__all__ = ["CHANNEL", "WebChannel", "WebSettings", "web_channel"]
