"""A small, safe condition language over answers (never `eval`).

    expr  := or
    or    := and ("or" and)*
    and   := not ("and" not)*
    not   := "not" not | cmp
    cmp   := atom (("==" | "!=" | "<" | "<=" | ">" | ">=") atom)?
    atom  := NUMBER | 'STRING' | "STRING" | NAME | "(" expr ")"

A NAME is a measure of the dialog or the built-in `anonymous`. A bare measure is true when it
was answered (not skipped). A comparison with an unanswered measure is false. Conditions are
parsed and type-checked when a dialog loads, so an unknown measure or option is a load error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

# An answer's value: a choice's number or id, or typed text.
Value = float | str


class ExprError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class Type(Enum):
    NUMBER = "number"
    CHOICE = "choice"
    TEXT = "text"
    BOOL = "bool"


@dataclass(frozen=True, slots=True)
class Symbol:
    type: Type
    options: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class Str:
    value: str


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Expr
    right: Expr


Expr = Num | Str | Name | Not | BoolOp | Compare

ANONYMOUS = "anonymous"
_COMPARATORS = ("==", "!=", "<=", ">=", "<", ">")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|<|>|\(|\))
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            column = position + len(source[position:]) - len(source[position:].lstrip()) + 1
            raise ExprError(f"unexpected character {source[column - 1]!r}", column)
        kind = match.lastgroup
        text = match.group(kind)
        column = match.start(kind) + 1
        if kind == "name" and text in ("and", "or", "not"):
            kind = "keyword"
        tokens.append(_Token(kind, text, column))
        position = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Expr:
        expr = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            raise ExprError(f"unexpected {token.text!r}", token.column)
        return expr

    def parse_or(self) -> Expr:
        left = self.parse_and()
        while self.peek().kind == "keyword" and self.peek().text == "or":
            self.take()
            left = BoolOp("or", left, self.parse_and())
        return left

    def parse_and(self) -> Expr:
        left = self.parse_not()
        while self.peek().kind == "keyword" and self.peek().text == "and":
            self.take()
            left = BoolOp("and", left, self.parse_not())
        return left

    def parse_not(self) -> Expr:
        if self.peek().kind == "keyword" and self.peek().text == "not":
            self.take()
            return Not(self.parse_not())
        return self.parse_compare()

    def parse_compare(self) -> Expr:
        left = self.parse_atom()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARATORS:
            self.take()
            return Compare(token.text, left, self.parse_atom())
        return left

    def parse_atom(self) -> Expr:
        token = self.take()
        if token.kind == "number":
            return Num(float(token.text))
        if token.kind == "string":
            return Str(token.text[1:-1])
        if token.kind == "name":
            return Name(token.text)
        if token.kind == "op" and token.text == "(":
            inner = self.parse_or()
            closing = self.take()
            if closing.text != ")":
                raise ExprError("missing ')'", closing.column)
            return inner
        if token.kind == "end":
            raise ExprError("the condition ends too early", token.column)
        raise ExprError(f"unexpected {token.text!r}", token.column)


def parse(source: str, symbols: Mapping[str, Symbol]) -> Expr:
    """Parse and type-check a condition; raises ExprError naming what is wrong."""
    expr = _Parser(source).parse()
    _check(expr, symbols, source)
    return expr


def _symbol(name: str, symbols: Mapping[str, Symbol], source: str) -> Symbol:
    if name == ANONYMOUS:
        return Symbol(Type.BOOL)
    if name not in symbols:
        known = ", ".join(sorted(symbols)) or "none yet"
        raise ExprError(f"unknown measure {name!r} (known here: {known})", source.find(name) + 1)
    return symbols[name]


def _check(expr: Expr, symbols: Mapping[str, Symbol], source: str) -> None:
    if isinstance(expr, Name):
        _symbol(expr.name, symbols, source)
    elif isinstance(expr, Not):
        _check(expr.operand, symbols, source)
    elif isinstance(expr, BoolOp):
        _check(expr.left, symbols, source)
        _check(expr.right, symbols, source)
    elif isinstance(expr, Compare):
        if not isinstance(expr.left, Name):
            raise ExprError("a comparison must start with a measure", 1)
        symbol = _symbol(expr.left.name, symbols, source)
        right = expr.right
        if symbol.type is Type.NUMBER:
            if not isinstance(right, Num):
                raise ExprError(f"{expr.left.name!r} is a number; compare it with a number", 1)
        elif symbol.type is Type.CHOICE:
            if not isinstance(right, Str) or expr.op not in ("==", "!="):
                raise ExprError(
                    f"{expr.left.name!r} is a choice; use == or != with an option id in quotes", 1
                )
            if right.value not in symbol.options:
                options = ", ".join(sorted(symbol.options))
                raise ExprError(
                    f"{right.value!r} is not an option of {expr.left.name!r} ({options})",
                    source.find(right.value),
                )
        else:
            raise ExprError(f"{expr.left.name!r} cannot be compared", 1)
    # Num and Str alone are constants: allowed, if pointless.


def evaluate(expr: Expr, answers: Mapping[str, Value], *, anonymous: bool) -> bool:
    if isinstance(expr, Name):
        if expr.name == ANONYMOUS:
            return anonymous
        return expr.name in answers
    if isinstance(expr, Not):
        return not evaluate(expr.operand, answers, anonymous=anonymous)
    if isinstance(expr, BoolOp):
        if expr.op == "and":
            return evaluate(expr.left, answers, anonymous=anonymous) and evaluate(
                expr.right, answers, anonymous=anonymous
            )
        return evaluate(expr.left, answers, anonymous=anonymous) or evaluate(
            expr.right, answers, anonymous=anonymous
        )
    if isinstance(expr, Compare):
        assert isinstance(expr.left, Name)
        value = answers.get(expr.left.name)
        if value is None:
            return False
        right = expr.right
        if isinstance(right, Num) and isinstance(value, float | int):
            return _compare_numbers(expr.op, float(value), right.value)
        if isinstance(right, Str) and isinstance(value, str):
            return (value == right.value) == (expr.op == "==")
        return False
    if isinstance(expr, Num):
        return expr.value != 0
    return bool(expr.value)


def _compare_numbers(op: str, left: float, right: float) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def names(expr: Expr) -> set[str]:
    if isinstance(expr, Name):
        return {expr.name}
    if isinstance(expr, Not):
        return names(expr.operand)
    if isinstance(expr, BoolOp | Compare):
        return names(expr.left) | names(expr.right)
    return set()
