from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.crypto import Keyring, Purpose, SealError

SECRET = b"k" * 32


def test_seal_round_trips_and_hides_the_text() -> None:
    keyring = Keyring(SECRET)
    sealed = keyring.seal("I feel sad", purpose=Purpose.ANSWER_TEXT)
    assert "sad" not in sealed
    assert keyring.open(sealed, purpose=Purpose.ANSWER_TEXT) == "I feel sad"
    assert (
        keyring.seal("I feel sad", purpose=Purpose.ANSWER_TEXT) != sealed
    )  # a fresh nonce each time


def test_a_seal_opens_only_for_its_purpose_and_key() -> None:
    sealed = Keyring(SECRET).seal("123456789", purpose=Purpose.CHAT_ADDRESS)
    with pytest.raises(SealError):
        Keyring(SECRET).open(sealed, purpose=Purpose.ANSWER_TEXT)
    with pytest.raises(SealError):
        Keyring(b"x" * 32).open(sealed, purpose=Purpose.CHAT_ADDRESS)
    with pytest.raises(SealError):
        Keyring(SECRET).open(sealed[:-4] + "AAAA", purpose=Purpose.CHAT_ADDRESS)


def test_hmac_is_keyed_and_separates_channels() -> None:
    one, other = Keyring(SECRET), Keyring(b"y" * 32)
    assert one.address_hmac("telegram", "42") == one.address_hmac("telegram", "42")
    assert one.address_hmac("telegram", "42") != other.address_hmac("telegram", "42")
    assert one.address_hmac("telegram", "42") != one.address_hmac("web", "42")
    assert "42" not in one.address_hmac("telegram", "42")


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Keyring(b"short")


@given(st.text(max_size=300))
def test_any_text_round_trips(text: str) -> None:
    keyring = Keyring(SECRET)
    assert (
        keyring.open(keyring.seal(text, purpose=Purpose.ANSWER_TEXT), purpose=Purpose.ANSWER_TEXT)
        == text
    )


@given(st.text(max_size=80))
def test_garbage_tokens_fail_cleanly(token: str) -> None:
    with pytest.raises(SealError):
        Keyring(SECRET).open(token, purpose=Purpose.ANSWER_TEXT)


def test_the_purposes_keep_the_values_that_stored_data_was_sealed_under() -> None:
    assert {purpose.name: str(purpose) for purpose in Purpose} == {
        "ANSWER_TEXT": "answer-text",
        "CHAT_ADDRESS": "chat-address",
        "STAFF_CHAT": "staff-chat",
        "FLAG_NOTE": "flag-note",
        "FLAG_WORDS": "flag-words",
        "WEB_SESSION": "web-session",
    }
