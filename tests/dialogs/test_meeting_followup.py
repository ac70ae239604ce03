"""The follow-up after a multi-agency meeting: four short questions, a contact offer when
something was unclear, optional free text, and who reads the answers."""

from __future__ import annotations

import pytest

from dialogs import engine
from dialogs.loader import load_directory
from dialogs.model import (
    Answer,
    Ask,
    Dialog,
    Event,
    Finished,
    Output,
    Privacy,
    RaiseFlag,
    Record,
    Say,
    Skip,
    Start,
    State,
    StepKind,
)

DIALOG = load_directory()["meeting_followup"]


def run(dialog: Dialog, events: list[Event]) -> tuple[State, list[Output]]:
    state = engine.start(dialog)
    outputs: list[Output] = []
    for event in events:
        state, produced = engine.step(dialog, state, event)
        outputs.extend(produced)
    return state, outputs


def asked(outputs: list[Output]) -> list[str]:
    return [o.step_id for o in outputs if isinstance(o, Ask)]


def said(outputs: list[Output]) -> str:
    return " ".join(o.text.msgid for o in outputs if isinstance(o, Say))


def test_the_meeting_followup_is_a_short_identified_form_for_anyone() -> None:
    assert DIALOG.audience == "any"
    assert DIALOG.privacy is Privacy.IDENTIFIED
    questions = [s.id for s in DIALOG.steps if s.kind is not StepKind.INFO]
    assert questions == ["understood", "heard", "next_steps", "whom_to_contact", "contact", "note"]


def test_a_meeting_that_went_well_is_four_answers_and_a_note() -> None:
    events: list[Event] = [Start(anonymous=False), *map(Answer, ["yes", "partly", "yes", "yes"])]
    state, outputs = run(DIALOG, [*events, Answer("They listened to me.")])
    assert state.finished
    assert isinstance(outputs[-1], Finished)
    assert asked(outputs) == ["understood", "heard", "next_steps", "whom_to_contact", "note"]
    records = {r.measure: r for r in outputs if isinstance(r, Record)}
    assert (records["understood"].choice, records["understood"].number) == ("yes", 3.0)
    assert (records["heard"].choice, records["heard"].number) == ("partly", 2.0)
    assert records["whom_to_contact"].choice == "yes"
    assert records["note"].text == "They listened to me."
    assert "Your worker sees your answers" in said(outputs)
    assert not [o for o in outputs if isinstance(o, RaiseFlag)]


@pytest.mark.parametrize(
    "answers",
    [["no", "yes", "yes", "yes"], ["yes", "yes", "no", "yes"], ["yes", "yes", "yes", "no"]],
)
def test_something_unclear_offers_contact_and_a_yes_flags_it(answers: list[str]) -> None:
    _state, outputs = run(DIALOG, [Start(anonymous=False), *map(Answer, answers), Answer("yes")])
    assert asked(outputs)[-2:] == ["contact", "note"]
    assert [o.rule for o in outputs if isinstance(o, RaiseFlag)] == ["wants_contact"]


def test_anonymous_answers_get_no_contact_offer_and_are_told_so() -> None:
    events: list[Event] = [Start(anonymous=True), *map(Answer, ["no", "no", "no", "no"])]
    state, outputs = run(DIALOG, [*events, Skip()])
    assert state.finished
    assert "contact" not in asked(outputs)
    assert "Your answers are anonymous" in said(outputs)
    assert "Your worker sees your answers" not in said(outputs)


def test_every_question_can_be_skipped() -> None:
    state, outputs = run(DIALOG, [Start(anonymous=False), *[Skip()] * 5])
    assert state.finished
    assert asked(outputs) == ["understood", "heard", "next_steps", "whom_to_contact", "note"]
