"""The web channel: a chat page per unit and per invite, and a feedback kiosk."""

from bot.channels.web.router import CHANNEL, WebSettings, web_router

__all__ = ["CHANNEL", "WebSettings", "web_router"]
