"""What decided a flag, shown to staff: the reason (the screen's entries, or the course of a
wellbeing index) on every flag; the client's own words (sealed at rest) on an identified flag,
only to staff who may see the flag, and audited as any read of it; never on an anonymous or an
erased flag. And a unit's trajectory signal, set by its coordinator (audited)."""

from __future__ import annotations

import httpx
from sqlmodel import select

from dialogs.model import FlagLevel, RaiseFlag
from storage import tables
from storage.crypto import Keyring, Purpose
from storage.db import Database
from storage.repositories import flags as flag_repository
from storage.repositories import responses
from tests.api.conftest import World, _add_response, bearer
from tests.bot.helpers import rows
from tests.support.clock import Clock

WORDS = ("haluun", "kuolla")
REASON = "fi.want_to_die model"


def _screened_flags(database: Database, keyring: Keyring, clock: Clock, world: World) -> None:
    """The risk screen's crisis flags with their words: one identified, one anonymous."""
    with database.transaction() as session:
        for client_id in (world.client_a, None):
            response_id, _ = _add_response(
                session,
                keyring,
                unit_id=world.unit_a,
                client_id=client_id,
                when=clock(),
                note="haluun vaan kuolla",
            )
            responses.add_flags(
                session,
                response_id=response_id,
                unit_id=world.unit_a,
                client_id=client_id,
                flags=[RaiseFlag("risk_screen", FlagLevel.CRISIS, reason=REASON, words=WORDS)],
                now=clock(),
                keyring=keyring,
            )


def _audit_actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.exec(select(tables.AuditEntry.action)).all())


async def test_an_identified_flag_shows_its_words_to_those_who_may_see_it(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    _screened_flags(database, keyring, clock, world)
    identified, anonymous = [f for f in rows(database, tables.Flag) if f.rule == "risk_screen"]

    # At rest: sealed, under its own purpose; the anonymous flag keeps no words at all.
    assert identified.words_sealed is not None
    assert "kuolla" not in identified.words_sealed
    assert keyring.open(identified.words_sealed, purpose=Purpose.FLAG_WORDS) == "haluun kuolla"
    assert anonymous.words_sealed is None
    assert anonymous.reason == identified.reason == REASON

    before = len(_audit_actions(database))
    listed = await http.get("/api/v1/flags", headers=bearer(world, "cw_a"))
    assert listed.status_code == 200
    by_id = {flag["id"]: flag for flag in listed.json()}
    assert by_id[identified.public_id]["words"] == list(WORDS)
    assert by_id[identified.public_id]["reason"] == REASON
    assert by_id[anonymous.public_id]["words"] is None
    assert by_id[anonymous.public_id]["reason"] == REASON
    detail = await http.get(f"/api/v1/flags/{identified.public_id}", headers=bearer(world, "cw_a"))
    assert detail.json()["words"] == list(WORDS)
    anonymous_detail = await http.get(
        f"/api/v1/flags/{anonymous.public_id}", headers=bearer(world, "cw_a")
    )
    assert anonymous_detail.json()["words"] is None
    assert _audit_actions(database)[before:] == ["flag.list", "flag.read", "flag.read"]

    # A colleague whose client it is not, and another unit, see neither the flag nor its words.
    for actor in ("cw_a2", "co_b"):
        other = await http.get(
            f"/api/v1/flags/{identified.public_id}", headers=bearer(world, actor)
        )
        assert other.status_code == 404
        assert "kuolla" not in other.text
        listing = await http.get("/api/v1/flags", headers=bearer(world, actor))
        assert "kuolla" not in listing.text


async def test_an_erased_flag_keeps_neither_the_words_nor_the_reason(
    http: httpx.AsyncClient, world: World, database: Database, keyring: Keyring, clock: Clock
) -> None:
    _screened_flags(database, keyring, clock, world)
    with database.transaction() as session:
        kept = flag_repository.keep_unresolved_on_erasure(
            session, client_id=world.client_a, now=clock()
        )
    assert kept >= 1
    [erased] = [f for f in rows(database, tables.Flag) if f.rule == "risk_screen" and f.client_id]
    assert (erased.response_id, erased.words_sealed, erased.reason) == (None, None, None)
    detail = await http.get(f"/api/v1/flags/{erased.public_id}", headers=bearer(world, "cw_a"))
    assert detail.json()["erased"] is True
    assert detail.json()["words"] is None


async def test_a_coordinator_sets_the_trajectory_signal_and_it_is_audited(
    http: httpx.AsyncClient, world: World, database: Database
) -> None:
    url = f"/api/v1/units/{world.unit_a}"
    shown = (await http.get(url, headers=bearer(world, "co_a"))).json()
    assert (shown["trajectory"], shown["trajectory_falls"], shown["trajectory_drop"]) == (
        True,
        3,
        1.0,
    )
    changed = await http.patch(
        url, json={"trajectory_falls": 2, "trajectory_drop": 1.5}, headers=bearer(world, "co_a")
    )
    assert changed.status_code == 200
    assert (changed.json()["trajectory"], changed.json()["trajectory_falls"]) == (True, 2)
    off = await http.patch(url, json={"trajectory": False}, headers=bearer(world, "co_a"))
    assert (off.json()["trajectory"], off.json()["trajectory_drop"]) == (False, 1.5)
    [unit] = [u for u in rows(database, tables.Unit) if u.id == world.unit_a]
    assert (unit.trajectory, unit.trajectory_falls, unit.trajectory_drop) == (False, 2, 1.5)
    assert _audit_actions(database).count("access.unit.trajectory") == 2

    for body in ({"trajectory_falls": 1}, {"trajectory_drop": 0}, {"trajectory": "maybe"}):
        bad = await http.patch(url, json=body, headers=bearer(world, "co_a"))
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
    refused = await http.patch(url, json={"trajectory": True}, headers=bearer(world, "cw_a"))
    assert refused.status_code == 403
    elsewhere = await http.patch(url, json={"trajectory": True}, headers=bearer(world, "co_b"))
    assert elsewhere.status_code == 404
    [unit] = [u for u in rows(database, tables.Unit) if u.id == world.unit_a]
    assert unit.trajectory is False
    assert _audit_actions(database).count("access.unit.trajectory") == 2
