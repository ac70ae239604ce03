"""The risk screen's flag keeps what decided it: the entries as its reason on every flag, and
the client's own words, sealed, on an identified flag only."""

from __future__ import annotations

import pytest

from bot.screening import RISK_RULE
from bot.service import ConversationService
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from tests.bot.helpers import Chat, all_cells, rows
from tests.bot.test_service import enrol

pytestmark = pytest.mark.usefixtures("unit_id")


async def test_an_identified_crisis_flag_keeps_the_decisive_words_sealed(
    service: ConversationService, database: Database, keyring: Keyring
) -> None:
    chat = Chat(service, "4001")
    enrol(service, chat)
    await chat.begin("youth_checkin", language="en")
    await chat.say("i just want to die")
    [flag] = [flag for flag in rows(database, tables.Flag) if flag.rule == RISK_RULE]
    assert flag.level == "crisis"
    assert flag.client_id is not None
    assert flag.reason is not None
    assert flag.reason.startswith("en.")
    assert flag.words_sealed is not None
    words = keyring.open(flag.words_sealed, purpose=Purpose.FLAG_WORDS).split()
    assert {"want", "die"} <= set(words)
    assert not [cell for cell in all_cells(database) if "want die" in cell[2]]


async def test_an_anonymous_flag_keeps_the_reason_but_no_words(
    service: ConversationService, database: Database
) -> None:
    chat = Chat(service, "4002")
    await chat.begin("youth_checkin", language="en")
    await chat.say("i just want to die")
    [flag] = [flag for flag in rows(database, tables.Flag) if flag.rule == RISK_RULE]
    assert (flag.level, flag.client_id, flag.words_sealed) == ("crisis", None, None)
    assert flag.reason is not None
    assert flag.reason.startswith("en.")
