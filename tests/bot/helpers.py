"""Helpers for driving the conversation service as a channel would."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from bot.delivery import deliver_chat
from bot.i18n import Translator
from bot.messages import Acknowledgement, Handled, Inbound, Kind, Message, Outgoing
from bot.service import ConversationService
from dialogs import helplines
from dialogs.helplines import Audience, Reader
from storage import tables
from storage.db import Database

_keys = itertools.count(1)


class Chat:
    """One chat on a test channel: sends updates and collects the delivered messages."""

    def __init__(self, service: ConversationService, address: str, channel: str = "test") -> None:
        self.service = service
        self.address = address
        self.channel = channel
        self.received: list[Message] = []
        self.acknowledged: list[Acknowledgement] = []

    def inbound(
        self, kind: Kind, payload: str = "", key: str | None = None, **extra: Any
    ) -> Inbound:
        return Inbound(
            channel=self.channel,
            address=self.address,
            update_key=key or f"u{next(_keys)}",
            kind=kind,
            payload=payload,
            **extra,
        )

    async def send(
        self, kind: Kind, payload: str = "", key: str | None = None, **extra: Any
    ) -> Handled:
        handled = await self.service.handle(self.inbound(kind, payload, key, **extra))
        await self.deliver()
        return handled

    async def begin(self, dialog_id: str, **extra: Any) -> Handled:
        extra.setdefault("unit_code", "u1")
        return await self.send(Kind.BEGIN, dialog_id, **extra)

    async def say(self, *texts: str) -> Handled:
        handled = Handled()
        for text in texts:
            handled = await self.send(Kind.TEXT, text)
        return handled

    async def deliver(self) -> None:
        async def collect(message: Outgoing) -> None:
            if isinstance(message, Message):
                self.received.append(message)
            else:
                self.acknowledged.append(message)

        await deliver_chat(
            self.service.database,
            chat=self.service.chat_key(self.channel, self.address),
            send=collect,
        )


def rows(database: Database, table: type[SQLModel]) -> list[Any]:
    """All rows of a table, in primary key order."""
    with database.transaction() as session:
        order = list(SQLModel.metadata.tables[str(table.__tablename__)].primary_key.columns)
        return list(session.exec(select(table).order_by(*order)).all())


def all_cells(database: Database) -> list[tuple[str, str, str]]:
    """Every cell of every table as text: (table, column, value)."""
    cells: list[tuple[str, str, str]] = []
    with database.transaction() as session:
        connection = session.connection()
        for table in tables.metadata.sorted_tables:
            result = connection.execute(sa.select(table))
            for row in result.mappings():
                cells.extend((table.name, column, str(value)) for column, value in row.items())
    return cells


def assert_help_reply(
    message: Message,
    translator: Translator,
    *,
    audience: Audience,
    reader: Reader,
    pressed: bool,
) -> None:
    """The crisis reply's first message: automatic, opened for a press or for what was
    written, 112, the audience's line, who will see it; one button to the other lines."""
    shown = message.text
    opening = helplines.OPENING_PRESSED if pressed else helplines.OPENING_SCREENED
    other = helplines.OPENING_SCREENED if pressed else helplines.OPENING_PRESSED
    assert shown.startswith(translator.gettext(opening)), shown
    assert translator.gettext(other) not in shown
    assert translator.gettext(helplines.CALL_EMERGENCY) in shown
    assert "112" in shown
    for each, line in helplines.TALK.items():
        assert (translator.gettext(line) in shown) == (each is audience), (each, shown)
    for someone, who in helplines.WHO_SEES.items():
        assert (translator.gettext(who) in shown) == (someone is reader), (someone, shown)
    assert message.help
    assert [(b.data, b.label) for b in message.buttons] == [
        (helplines.more_data(audience), translator.gettext(helplines.MORE_LABEL))
    ]
