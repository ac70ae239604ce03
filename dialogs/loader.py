"""Load dialog YAML into `Dialog` values, validating it against the dialog schema.

Every problem is reported with the file, the line and what is wrong, all of them at once.
The schema is documented in docs/DIALOGS.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogs import expr as expressions
from dialogs.model import Dialog, FlagLevel, FlagRule, Option, Privacy, Step, StepKind

DEFINITIONS = Path(__file__).parent / "definitions"
SHIPPED = (
    "youth_checkin",
    "child_checkin",
    "parent_service",
    "open_feedback",
    "info",
    "meeting_followup",
)
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TOP_KEYS = {"id", "title", "audience", "privacy", "unit", "steps", "flags"}
_STEP_KEYS: dict[StepKind, set[str]] = {
    StepKind.INFO: {"id", "kind", "text", "when"},
    StepKind.SCALE: {"id", "kind", "text", "when", "measure", "low", "high"},
    StepKind.NPS: {"id", "kind", "text", "when", "measure", "low", "high"},
    StepKind.CHOICE: {"id", "kind", "text", "when", "measure", "options"},
    StepKind.YESNO: {"id", "kind", "text", "when", "measure"},
    StepKind.GAS: {"id", "kind", "text", "when", "measure"},
    StepKind.TEXT: {"id", "kind", "text", "when", "measure", "max_length"},
    StepKind.PRIVACY: {"id", "kind", "text"},
}
_AUDIENCES = {"youth", "child", "parent", "any"}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DialogError(ValueError):
    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Map(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class _List(list[Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and sequences know their line numbers.

    Only `true` and `false` are booleans, so that an option id `yes` or `no` stays text.
    """


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    result = _List(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def line_of(self, mapping: _Map, key: str) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def text(self, mapping: _Map, key: str, *, required: bool = True) -> str | None:
        value = mapping.get(key)
        if value is None:
            if required:
                self.fail(mapping.line, f"'{key}' is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(self.line_of(mapping, key), f"'{key}' must be a non-empty text")
            return None
        return value.strip()

    def identifier(self, mapping: _Map, key: str) -> str | None:
        value = mapping.get(key)
        if value is None:
            self.fail(mapping.line, f"'{key}' is missing")
            return None
        if not isinstance(value, str) or not _ID.match(value):
            self.fail(
                self.line_of(mapping, key),
                f"'{key}' must be lower-case letters, digits and _ (starting with a letter), "
                f"got {value!r}",
            )
            return None
        return value

    def unknown_keys(self, mapping: _Map, allowed: set[str], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.fail(
                    self.line_of(mapping, key),
                    f"unknown key '{key}' in {where} (allowed: {', '.join(sorted(allowed))})",
                )


def dialog_version(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()[:12]


def parse_dialog(source: str, *, file: str = "<dialog>") -> Dialog:
    """Parse and validate one dialog document; raises DialogError with every problem found."""
    checker = _Checker(file)
    try:
        data = yaml.load(source, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise DialogError([Problem(file, line, f"not valid YAML: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise DialogError([Problem(file, 1, f"not valid YAML: {error}")]) from None
    if not isinstance(data, _Map):
        raise DialogError(
            [Problem(file, 1, "a dialog file must be a mapping with 'id' and 'steps'")]
        )
    checker.unknown_keys(data, _TOP_KEYS, "the dialog")
    dialog_id = checker.identifier(data, "id")
    title = checker.text(data, "title")
    audience = data.get("audience", "any")
    if audience not in _AUDIENCES:
        checker.fail(
            checker.line_of(data, "audience"),
            f"'audience' must be one of {', '.join(sorted(_AUDIENCES))}, got {audience!r}",
        )
    privacy_text = data.get("privacy", "anonymous")
    privacy = Privacy.ANONYMOUS
    try:
        privacy = Privacy(privacy_text)
    except ValueError:
        choices = ", ".join(p.value for p in Privacy)
        checker.fail(
            checker.line_of(data, "privacy"),
            f"'privacy' must be one of {choices}, got {privacy_text!r}",
        )

    unit = data.get("unit", "required")
    if unit not in ("required", "optional"):
        checker.fail(
            checker.line_of(data, "unit"), f"'unit' must be required or optional, got {unit!r}"
        )
    symbols: dict[str, expressions.Symbol] = {}
    steps = _parse_steps(checker, data, symbols)
    flags = _parse_flags(checker, data, symbols)
    _check_privacy(checker, data, privacy, steps)
    if unit == "optional" and flags:
        checker.fail(checker.line_of(data, "unit"), "a dialog with flags needs a unit to alert")

    if checker.problems:
        raise DialogError(checker.problems)
    assert dialog_id is not None
    assert title is not None
    return Dialog(
        id=dialog_id,
        version=dialog_version(source.encode()),
        title=title,
        audience=str(audience),
        privacy=privacy,
        needs_unit=unit != "optional",
        steps=tuple(steps),
        flags=tuple(flags),
        source=file,
    )


def _parse_steps(
    checker: _Checker, data: _Map, symbols: dict[str, expressions.Symbol]
) -> list[Step]:
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, _List) or not raw_steps:
        checker.fail(checker.line_of(data, "steps"), "'steps' must be a non-empty list")
        return []
    steps: list[Step] = []
    seen_ids: set[str] = set()
    for raw in raw_steps:
        if not isinstance(raw, _Map):
            checker.fail(raw_steps.line, "each step must be a mapping with 'id' and 'kind'")
            continue
        step = _parse_step(checker, raw, symbols)
        if step is None:
            continue
        if step.id in seen_ids:
            checker.fail(raw.line, f"step id '{step.id}' is used twice")
        seen_ids.add(step.id)
        if step.measure is not None:
            if step.measure in symbols:
                checker.fail(raw.line, f"measure '{step.measure}' is asked twice")
            symbols[step.measure] = _symbol_for(step)
        steps.append(step)
    if steps and not any(step.asks for step in steps) and data.get("flags"):
        checker.fail(data.line, "flags need at least one question")
    return steps


def _check_privacy(checker: _Checker, data: _Map, privacy: Privacy, steps: list[Step]) -> None:
    """Privacy 'optional' needs one privacy step, before any question or use of 'anonymous'."""
    positions = [i for i, step in enumerate(steps) if step.kind is StepKind.PRIVACY]
    if privacy is not Privacy.OPTIONAL:
        for index in positions:
            checker.fail(steps[index].line, "a privacy step needs 'privacy: optional'")
        return
    if len(positions) != 1:
        checker.fail(
            checker.line_of(data, "privacy"), "'privacy: optional' needs exactly one privacy step"
        )
        return
    for step in steps[: positions[0]]:
        if step.asks:
            checker.fail(step.line, "a question must come after the privacy step")
        if step.when is not None and expressions.ANONYMOUS in expressions.names(step.when):
            checker.fail(step.line, "'anonymous' is known only after the privacy step")


def _symbol_for(step: Step) -> expressions.Symbol:
    if step.kind in (StepKind.SCALE, StepKind.NPS, StepKind.GAS):
        return expressions.Symbol(expressions.Type.NUMBER)
    if step.kind is StepKind.TEXT:
        return expressions.Symbol(expressions.Type.TEXT)
    if step.kind is StepKind.YESNO:
        return expressions.Symbol(expressions.Type.CHOICE, frozenset({"yes", "no"}))
    if (
        step.kind is StepKind.CHOICE
        and step.options
        and all(option.value is not None for option in step.options)
    ):
        return expressions.Symbol(expressions.Type.NUMBER)
    return expressions.Symbol(
        expressions.Type.CHOICE, frozenset(option.id for option in step.options)
    )


def _parse_step(
    checker: _Checker, raw: _Map, symbols: Mapping[str, expressions.Symbol]
) -> Step | None:
    step_id = checker.identifier(raw, "id")
    kind_text = raw.get("kind")
    try:
        kind = StepKind(str(kind_text))
    except ValueError:
        kinds = ", ".join(k.value for k in StepKind)
        checker.fail(
            checker.line_of(raw, "kind"), f"'kind' must be one of {kinds}, got {kind_text!r}"
        )
        return None
    checker.unknown_keys(raw, _STEP_KEYS[kind], f"a '{kind.value}' step")
    text = checker.text(raw, "text")
    when = _parse_condition(checker, raw, "when", symbols)
    measure: str | None = None
    if kind not in (StepKind.INFO, StepKind.PRIVACY):
        measure = raw.get("measure", step_id)
        if not isinstance(measure, str) or not _ID.match(measure):
            checker.fail(checker.line_of(raw, "measure"), f"bad measure name {measure!r}")
            measure = None
        elif measure == expressions.ANONYMOUS:
            checker.fail(checker.line_of(raw, "measure"), "'anonymous' is a reserved name")
    low = high = None
    if kind in (StepKind.SCALE, StepKind.NPS):
        low = checker.text(raw, "low")
        high = checker.text(raw, "high")
    options: tuple[Option, ...] = ()
    if kind is StepKind.CHOICE:
        options = _parse_options(checker, raw)
    max_length = raw.get("max_length", 2000)
    if not isinstance(max_length, int) or not 1 <= max_length <= 4000:
        checker.fail(
            checker.line_of(raw, "max_length"), "'max_length' must be a whole number 1-4000"
        )
        max_length = 2000
    if step_id is None or text is None:
        return None
    return Step(
        id=step_id,
        kind=kind,
        text=text,
        line=raw.line,
        measure=measure,
        options=options,
        low=low,
        high=high,
        when=when,
        max_length=max_length,
    )


def _parse_options(checker: _Checker, raw: _Map) -> tuple[Option, ...]:
    raw_options = raw.get("options")
    if not isinstance(raw_options, _List) or len(raw_options) < 2:
        checker.fail(checker.line_of(raw, "options"), "'options' must list at least two options")
        return ()
    options: list[Option] = []
    for raw_option in raw_options:
        if not isinstance(raw_option, _Map):
            checker.fail(raw_options.line, "each option must be a mapping with 'id' and 'text'")
            continue
        checker.unknown_keys(raw_option, {"id", "text", "value"}, "an option")
        option_id = checker.identifier(raw_option, "id")
        text = checker.text(raw_option, "text")
        value = raw_option.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            checker.fail(
                checker.line_of(raw_option, "value"), "an option's 'value' must be a number"
            )
            value = None
        if option_id is not None and text is not None:
            if any(option.id == option_id for option in options):
                checker.fail(raw_option.line, f"option id '{option_id}' is used twice")
            options.append(Option(option_id, text, None if value is None else float(value)))
    valued = [option.value is not None for option in options]
    if any(valued) and not all(valued):
        checker.fail(raw_options.line, "give every option a 'value', or none")
    return tuple(options)


def _parse_condition(
    checker: _Checker, raw: _Map, key: str, symbols: Mapping[str, expressions.Symbol]
) -> expressions.Expr | None:
    source = raw.get(key)
    if source is None:
        return None
    if not isinstance(source, str):
        checker.fail(checker.line_of(raw, key), f"'{key}' must be a condition written as text")
        return None
    try:
        return expressions.parse(source, symbols)
    except expressions.ExprError as error:
        checker.fail(
            checker.line_of(raw, key),
            f"in '{key}: {source}', column {error.column}: {error.message}",
        )
        return None


def _parse_flags(
    checker: _Checker, data: _Map, symbols: Mapping[str, expressions.Symbol]
) -> list[FlagRule]:
    raw_flags = data.get("flags")
    if raw_flags is None:
        return []
    if not isinstance(raw_flags, _List):
        checker.fail(checker.line_of(data, "flags"), "'flags' must be a list")
        return []
    rules: list[FlagRule] = []
    for raw in raw_flags:
        if not isinstance(raw, _Map):
            checker.fail(
                raw_flags.line, "each flag must be a mapping with 'id', 'when' and 'level'"
            )
            continue
        checker.unknown_keys(raw, {"id", "when", "level"}, "a flag")
        rule_id = checker.identifier(raw, "id")
        if raw.get("when") is None:
            checker.fail(raw.line, "'when' is missing")
        when = _parse_condition(checker, raw, "when", symbols)
        try:
            level = FlagLevel(str(raw.get("level")))
        except ValueError:
            levels = ", ".join(level.value for level in FlagLevel)
            checker.fail(checker.line_of(raw, "level"), f"'level' must be one of {levels}")
            continue
        if rule_id is not None and when is not None:
            if any(rule.id == rule_id for rule in rules):
                checker.fail(raw.line, f"flag id '{rule_id}' is used twice")
            rules.append(FlagRule(rule_id, when, level, raw.line))
    return rules


def load_file(path: Path) -> Dialog:
    try:
        source = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DialogError([Problem(str(path), 1, "the file is not UTF-8 text")]) from None
    dialog = parse_dialog(source, file=str(path))
    if path.stem != dialog.id:
        raise DialogError(
            [Problem(str(path), 1, f"the file name must match the dialog id '{dialog.id}'")]
        )
    return dialog


def load_directory(directory: Path = DEFINITIONS) -> dict[str, Dialog]:
    """Load every dialog of a directory; raises DialogError listing the problems of all files."""
    dialogs: dict[str, Dialog] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            dialog = load_file(path)
        except DialogError as error:
            problems.extend(error.problems)
            continue
        dialogs[dialog.id] = dialog
    if problems:
        raise DialogError(problems)
    return dialogs
