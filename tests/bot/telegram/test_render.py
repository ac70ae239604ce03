from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.inbound import command_payload
from bot.channels.telegram.render import TEXT_LIMIT, escape, keyboard, merge, split
from bot.messages import Button, Message
from tests.support.fake_bot_api import parsed_length


@given(st.text(min_size=0, max_size=12000, alphabet=st.characters(codec="utf-8")))
def test_split_pieces_fit_and_keep_the_whole_text(text: str) -> None:
    pieces = split(text)
    assert all(len(piece) <= TEXT_LIMIT for piece in pieces)
    assert all(parsed_length(piece)[1] == [] for piece in pieces)  # valid HTML, no cut entity
    rebuilt = "".join(html.unescape(piece) for piece in pieces)
    assert "".join(rebuilt.split()) == "".join(text.split())  # cuts lose only whitespace


def test_split_prefers_paragraphs() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000
    assert [len(piece) for piece in split(text)] == [3000, 3000]


def test_escape_leaves_no_markup() -> None:
    assert escape("<b>Tom & Jerry</b>") == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"


def test_scales_share_a_row_and_skip_has_its_own() -> None:
    buttons = (
        *tuple(Button(f"joy:{n}", f"😐 {n}") for n in range(1, 6)),
        Button("joy:skip", "Ohita"),
    )
    markup = keyboard(buttons)
    assert markup is not None
    assert [len(row) for row in markup.inline_keyboard] == [5, 1]


def test_long_labels_get_a_row_each() -> None:
    buttons = (Button("g:-2", "Much worse than expected"), Button("g:2", "Much better"))
    markup = keyboard(buttons)
    assert markup is not None
    assert [len(row) for row in markup.inline_keyboard] == [1, 1]


def test_callback_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard((Button("x" * 65, "X"),))


def test_texts_are_merged_with_the_question_after_them() -> None:
    merged = merge([Message("Hello"), Message("Info"), Message("Q?", (Button("q:1", "1"),))])
    assert [m.text for m in merged] == ["Hello\n\nInfo\n\nQ?"]
    assert merged[0].buttons == (Button("q:1", "1"),)
    kept = merge([Message("x" * 3000), Message("y" * 3000)])
    assert len(kept) == 2


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("/start", "start"),
        ("/start abc_DEF-1", "start abc_DEF-1"),
        ("/start bad<code>", "start invalid-link"),
        ("/start " + "a" * 65, "start invalid-link"),
        ("/help@kerro_bot", "help"),
        ("/FORGET", "forget"),
        ("/unknown", "menu"),
        ("/", "menu"),
    ],
)
def test_commands_and_deep_links_are_parsed(text: str, payload: str) -> None:
    assert command_payload(text) == payload
