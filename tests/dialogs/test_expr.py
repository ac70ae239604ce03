from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.expr import ExprError, Symbol, Type, evaluate, parse

SYMBOLS = {
    "joy": Symbol(Type.NUMBER),
    "coping": Symbol(Type.NUMBER),
    "contact": Symbol(Type.CHOICE, frozenset({"yes", "no"})),
    "note": Symbol(Type.TEXT),
}


@pytest.mark.parametrize(
    ("source", "answers", "anonymous", "expected"),
    [
        ("joy <= 1", {"joy": 1.0}, False, True),
        ("joy <= 1", {"joy": 2.0}, False, False),
        ("joy <= 1", {}, False, False),
        ("joy <= 1 or coping <= 1", {"coping": 1.0}, False, True),
        ("joy <= 1 and coping <= 1", {"joy": 1.0, "coping": 3.0}, False, False),
        ("not (joy > 3)", {"joy": 2.0}, False, True),
        ("contact == 'yes'", {"contact": "yes"}, False, True),
        ('contact != "yes"', {"contact": "no"}, False, True),
        ("contact != 'yes'", {}, False, False),
        ("note", {"note": ""}, False, True),
        ("note", {}, False, False),
        ("anonymous and joy == 5", {"joy": 5.0}, True, True),
        ("not anonymous", {}, True, False),
        ("joy >= -1.5", {"joy": -1.0}, False, True),
    ],
)
def test_evaluates(
    source: str, answers: dict[str, float | str], anonymous: bool, expected: bool
) -> None:
    assert evaluate(parse(source, SYMBOLS), answers, anonymous=anonymous) is expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("happiness <= 1", "unknown measure 'happiness'"),
        ("contact == 'maybe'", "'maybe' is not an option of 'contact'"),
        ("contact <= 1", "'contact' is a choice"),
        ("joy == 'high'", "'joy' is a number"),
        ("note == 'x'", "'note' cannot be compared"),
        ("joy <=", "ends too early"),
        ("(joy <= 1", "missing ')'"),
        ("joy <= 1 1", "unexpected '1'"),
        ("joy ; coping", "unexpected character ';'"),
        ("__import__('os')", "unexpected '('"),
    ],
)
def test_rejects_with_a_clear_message(source: str, message: str) -> None:
    with pytest.raises(ExprError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(source, SYMBOLS)


def _parse_or_error(source: str) -> bool | ExprError:
    try:
        expr = parse(source, SYMBOLS)
    except ExprError as error:
        return error
    return evaluate(expr, {"joy": 3.0, "contact": "no"}, anonymous=False)


@given(st.text(max_size=60))
def test_any_text_parses_or_fails_cleanly(source: str) -> None:
    outcome = _parse_or_error(source)  # anything but ExprError escapes and fails the test
    if isinstance(outcome, ExprError):
        assert outcome.message
        assert outcome.column >= 0
    else:
        assert isinstance(outcome, bool)
