"""Sessions, CSRF tokens and rate limits of the web channel, without a server."""

from __future__ import annotations

from bot.channels.web.forms import accepted_language
from bot.channels.web.session import (
    RateLimiter,
    csrf_ok,
    csrf_token,
    new_session,
    read_session,
)
from bot.channels.web.views import button_view
from storage.crypto import Keyring
from tests.conftest import TEST_SECRET

KEYRING = Keyring(TEST_SECRET)


def test_a_session_cookie_reads_back_until_it_expires() -> None:
    session = new_session(now=1_000_000)
    value = session.cookie_value(KEYRING)
    assert read_session(KEYRING, value, max_age=60, now=1_000_030) == session
    assert read_session(KEYRING, value, max_age=60, now=1_000_061) is None  # expired
    assert read_session(Keyring(TEST_SECRET[::-1]), value, max_age=60, now=1_000_030) is None
    token, issued, mac = value.split(".")
    forged = f"{token}.{int(issued) + 3600}.{mac}"  # a later issue time, same MAC
    assert read_session(KEYRING, forged, max_age=60, now=1_003_630) is None
    for bad in ("", "x", "a.b.c", value + "0", "é" * 50, value.replace(".", "", 1)):
        assert read_session(KEYRING, bad, max_age=60, now=1_000_030) is None


def test_the_csrf_token_is_tied_to_the_session() -> None:
    one, other = new_session(), new_session()
    assert csrf_ok(KEYRING, one, csrf_token(KEYRING, one))
    assert not csrf_ok(KEYRING, one, csrf_token(KEYRING, other))
    assert not csrf_ok(KEYRING, one, "")
    assert csrf_token(KEYRING, one) not in KEYRING.address_hmac("web", one.token)


def test_the_rate_limiter_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(7)] == [True] * 6 + [False]
    assert limiter.allow("b")  # another key has its own bucket
    now[0] += 10  # one request every ten seconds
    assert limiter.allow("a")
    assert not limiter.allow("a")


def test_the_rate_limiter_forgets_full_buckets_when_it_holds_too_many() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0], max_keys=10)
    for key in range(10):
        limiter.allow(str(key))
    now[0] += 120
    limiter.allow("new")
    assert len(limiter._buckets) <= 10


def test_accept_language_picks_a_known_language_by_preference() -> None:
    assert accepted_language("de-DE,sv;q=0.8,en;q=0.9") == "en"
    assert accepted_language("sv-FI") == "sv"
    assert accepted_language("de, fr;q=0.5") is None
    assert accepted_language("fi;q=bad, en;q=0.1") == "en"
    assert accepted_language(None) is None


def test_emoji_are_separated_from_the_words_of_a_label() -> None:
    happy = button_view("rating:happy", "🙂 Happy")
    assert (happy.emoji, happy.words, happy.style) == ("🙂", "Happy", "wide")
    scale = button_view("joy:4", "🙂 4")
    assert (scale.emoji, scale.words, scale.style) == ("🙂", "4", "short")
    assert button_view("joy:skip", "Skip").style == "skip"
    assert button_view("contact:yes", "Yes, please").emoji == ""
