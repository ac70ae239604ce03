"""The Telegram channel, on aiogram 3: webhook or long polling in, the outbox sender out."""
