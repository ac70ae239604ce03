from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dialogs.loader import SHIPPED, DialogError, load_directory, load_file, parse_dialog
from dialogs.model import Privacy, StepKind

GOOD = """\
id: sample
title: Sample
privacy: anonymous
steps:
  - id: mood
    kind: scale
    text: How are you?
    low: bad
    high: good
  - id: reply
    kind: choice
    when: mood <= 2
    text: Want a call?
    options:
      - id: yes
        text: Yes
      - id: no
        text: No
flags:
  - id: low
    when: mood == 1
    level: concern
"""


def test_the_shipped_dialogs_load() -> None:
    dialogs = load_directory()
    assert sorted(dialogs) == sorted(SHIPPED)
    assert all(len(d.version) == 12 for d in dialogs.values())
    assert dialogs["parent_service"].privacy is Privacy.OPTIONAL
    assert dialogs["open_feedback"].privacy is Privacy.ANONYMOUS
    youth = dialogs["youth_checkin"]
    assert [s.measure for s in youth.steps if s.kind is StepKind.SCALE] == [
        "joy",
        "belonging",
        "coping",
        "physical",
    ]


def test_child_and_youth_checkins_measure_the_same_things() -> None:
    dialogs = load_directory()

    def measures(dialog_id: str) -> list[str | None]:
        return [s.measure for s in dialogs[dialog_id].steps if s.asks]

    assert measures("child_checkin") == measures("youth_checkin")


def test_a_good_dialog_parses_with_yes_and_no_as_option_ids() -> None:
    dialog = parse_dialog(GOOD)
    assert [o.id for o in dialog.steps[1].options] == ["yes", "no"]
    assert dialog.flags[0].id == "low"


def test_the_version_follows_the_content() -> None:
    assert parse_dialog(GOOD).version == parse_dialog(GOOD).version
    assert parse_dialog(GOOD).version != parse_dialog(GOOD.replace("How are", "How're")).version


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("kind: scale", "kind: slider"), 6, "'kind' must be one of"),
        (("when: mood <= 2", "when: happy <= 2"), 12, "unknown measure 'happy'"),
        (("when: mood == 1", "when: reply == 'maybe'"), 21, "'maybe' is not an option of 'reply'"),
        (("    low: bad\n", ""), 5, "'low' is missing"),
        (("text: Want a call?", "text: Want a call?\n    colour: red"), 14, "unknown key 'colour'"),
        (("id: reply", "id: mood"), 10, "step id 'mood' is used twice"),
        (("level: concern", "level: panic"), 22, "'level' must be one of"),
        (("id: sample", "id: Sample!"), 1, "'id' must be lower-case"),
        (("  - id: no\n        text: No\n", ""), 14, "at least two options"),
        (("privacy: anonymous", "privacy: optional"), 3, "needs exactly one privacy step"),
    ],
)
def test_errors_name_the_line_and_what_is_wrong(
    change: tuple[str, str], line: int, message: str
) -> None:
    source = GOOD.replace(*change)
    assert source != GOOD
    with pytest.raises(DialogError) as caught:
        parse_dialog(source, file="broken.yaml")
    problems = [(p.file, p.line, p.message) for p in caught.value.problems]
    assert any(
        file == "broken.yaml" and number == line and message in text
        for file, number, text in problems
    ), problems


def test_every_problem_is_reported_at_once() -> None:
    source = GOOD.replace("kind: scale", "kind: slider").replace("level: concern", "level: x")
    with pytest.raises(DialogError) as caught:
        parse_dialog(source, file="two.yaml")
    assert len(caught.value.problems) >= 2
    assert str(caught.value).startswith("two.yaml:")


@pytest.mark.parametrize(
    "source",
    ["", "just text", "- a\n- list", "id: x\nsteps: [", "id: x\nsteps:\n  - 3\n", "{{{"],
)
def test_garbage_is_a_load_error(source: str) -> None:
    with pytest.raises(DialogError):
        parse_dialog(source)


def test_privacy_step_rules() -> None:
    source = textwrap.dedent(
        """\
        id: p
        title: P
        privacy: optional
        steps:
          - id: q
            kind: text
            text: Before?
          - id: who
            kind: privacy
            text: Anonymously?
        """
    )
    with pytest.raises(DialogError, match="a question must come after the privacy step"):
        parse_dialog(source)


def test_file_name_must_match_the_id(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(GOOD)
    with pytest.raises(DialogError, match="must match the dialog id 'sample'"):
        load_file(path)
