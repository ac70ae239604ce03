from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import engine
from dialogs.loader import load_directory
from dialogs.model import (
    AnonymityChosen,
    Answer,
    Ask,
    Dialog,
    Event,
    Finished,
    Goal,
    Output,
    RaiseFlag,
    Record,
    Say,
    Skip,
    Start,
    State,
    StepKind,
)

DIALOGS = load_directory()
GOALS = (Goal(7, "Going to school"), Goal(8, "Sleeping enough", 2.0))


def run(
    dialog: Dialog, events: list[Event], state: State | None = None
) -> tuple[State, list[Output]]:
    state = state or engine.start(dialog)
    outputs: list[Output] = []
    for event in events:
        state, produced = engine.step(dialog, state, event)
        outputs.extend(produced)
    return state, outputs


def asked(outputs: list[Output]) -> list[str]:
    return [o.step_id for o in outputs if isinstance(o, Ask)]


def test_a_full_youth_checkin() -> None:
    dialog = DIALOGS["youth_checkin"]
    answers = ["4", "3", "5", "2", "1", "-1", "All good"]
    state, outputs = run(dialog, [Start(goals=GOALS, anonymous=False), *map(Answer, answers)])
    assert state.finished
    records = [o for o in outputs if isinstance(o, Record)]
    assert [(r.measure, r.number, r.goal_id) for r in records[:6]] == [
        ("joy", 4.0, None),
        ("belonging", 3.0, None),
        ("coping", 5.0, None),
        ("physical", 2.0, None),
        ("gas", 1.0, 7),
        ("gas", -1.0, 8),
    ]
    assert records[6].text == "All good"
    assert not [o for o in outputs if isinstance(o, RaiseFlag)]
    assert isinstance(outputs[-1], Finished)
    # The closing words say who reads the answers.
    assert "Your worker will see them" in outputs[-2].text.msgid  # type: ignore[union-attr]


def test_goals_are_asked_one_by_one_with_their_title() -> None:
    dialog = DIALOGS["youth_checkin"]
    _, outputs = run(dialog, [Start(goals=GOALS, anonymous=False), *map(Answer, "4354")])
    question = [o for o in outputs if isinstance(o, Ask)][-1]
    assert question.step_id == "goal"
    assert question.text.params == {"goal": "Going to school"}


def test_without_goals_the_gas_step_is_left_out() -> None:
    dialog = DIALOGS["youth_checkin"]
    _, outputs = run(dialog, [Start(anonymous=True), *map(Answer, "4354")])
    assert asked(outputs) == ["joy", "belonging", "coping", "physical", "note"]


def test_a_very_low_score_raises_a_flag_once_and_asks_about_contact() -> None:
    dialog = DIALOGS["youth_checkin"]
    state, outputs = run(dialog, [Start(anonymous=False), Answer("1"), Answer("3"), Answer("1")])
    flags = [o for o in outputs if isinstance(o, RaiseFlag)]
    assert [f.rule for f in flags] == ["very_low_joy_or_coping"]
    state, outputs = run(dialog, [Answer("3"), Answer("yes")], state)
    assert "contact" in asked(outputs) or state.answers.get("contact") == "yes"
    assert [o.rule for o in outputs if isinstance(o, RaiseFlag)] == ["wants_contact"]


def test_anonymous_low_scores_give_help_not_a_contact_question() -> None:
    dialog = DIALOGS["youth_checkin"]
    _, outputs = run(dialog, [Start(anonymous=True), *map(Answer, "1111")])
    assert "contact" not in asked(outputs)
    assert any("{mll}" in o.text.msgid for o in outputs if isinstance(o, Say))


@pytest.mark.parametrize("dialog_id", ["youth_checkin", "child_checkin"])
@pytest.mark.parametrize("contact", ["no", "not_now", "skip", "yes"])
def test_named_low_scores_give_the_help_lines_unless_contact_is_wanted(
    dialog_id: str, contact: str
) -> None:
    dialog = DIALOGS[dialog_id]
    state, _ = run(dialog, [Start(anonymous=False), *map(Answer, "1111")])
    assert state.at == "contact"
    event = Skip() if contact == "skip" else Answer(contact)
    _, outputs = run(dialog, [event], state)
    said = [o.text.msgid for o in outputs if isinstance(o, Say)]
    helped = any("{mll}" in text and "{emergency}" in text for text in said)
    assert helped == (contact != "yes")


def test_every_question_can_be_skipped_to_the_end() -> None:
    for dialog in DIALOGS.values():
        state, outputs = run(dialog, [Start(goals=GOALS, anonymous=None)])
        for _ in range(50):
            if state.finished:
                break
            # Every question has a skip button; the anonymity question's safe answer,
            # "anonymously", is what skipping it gives, so it needs no third button.
            assert all(
                any(c.id == engine.SKIP for c in o.choices)
                for o in outputs
                if isinstance(o, Ask) and o.kind is not StepKind.PRIVACY
            ), dialog.id
            state, outputs = engine.step(dialog, state, Skip())
        assert state.finished, dialog.id


def test_garbage_gets_a_hint_and_the_same_question() -> None:
    dialog = DIALOGS["youth_checkin"]
    state, _ = run(dialog, [Start(anonymous=True)])
    after, outputs = engine.step(dialog, state, Answer("banana"))
    assert after == state
    assert isinstance(outputs[0], Say)
    assert asked(outputs) == ["joy"]


def test_a_choice_can_be_given_by_its_number() -> None:
    dialog = DIALOGS["info"]
    state, outputs = run(dialog, [Start(), Answer("2")])
    assert state.finished
    assert any(
        "write the client plan together" in o.text.msgid for o in outputs if isinstance(o, Say)
    )


def test_too_long_text_is_not_taken_and_the_limit_is_told() -> None:
    dialog = DIALOGS["open_feedback"]
    state, _ = run(dialog, [Start(), Answer("3")])
    after, outputs = engine.step(dialog, state, Answer("x" * 2001))
    assert after == state
    hint = outputs[0]
    assert isinstance(hint, Say)
    assert hint.text.params == {"limit": "2000"}


def test_the_anonymity_question_decides_the_privacy() -> None:
    dialog = DIALOGS["parent_service"]
    state, outputs = run(dialog, [Start(anonymous=None)])
    assert asked(outputs) == ["anonymity"]
    named, outputs = engine.step(dialog, state, Answer("named"))
    assert named.anonymous is False
    assert AnonymityChosen(False) in outputs
    anonymous, _ = engine.step(dialog, state, Skip())
    assert anonymous.anonymous is True


def test_a_restart_event_re_asks_without_change() -> None:
    dialog = DIALOGS["youth_checkin"]
    state, _ = run(dialog, [Start(anonymous=True), Answer("3")])
    again, outputs = engine.step(dialog, state, Start(anonymous=False))
    assert again == state
    assert asked(outputs) == ["belonging"]


def test_the_state_survives_json() -> None:
    dialog = DIALOGS["youth_checkin"]
    state, _ = run(dialog, [Start(goals=GOALS, anonymous=False), *map(Answer, "4354")])
    assert State.from_json(json.loads(json.dumps(state.to_json()))) == state


def test_a_changed_dialog_goes_on_where_it_can() -> None:
    dialog = DIALOGS["youth_checkin"]
    state, _ = run(dialog, [Start(anonymous=True), Answer("3")])
    moved = State.from_json({**state.to_json(), "at": "a_step_that_was_removed"})
    after, outputs = engine.step(dialog, moved, Answer("3"))
    assert not after.finished
    assert asked(outputs) == ["joy"]


def test_the_engine_returns_nothing_new_after_the_end() -> None:
    dialog = DIALOGS["info"]
    state, _ = run(dialog, [Start(), Skip()])
    assert state.finished
    assert engine.step(dialog, state, Answer("hello")) == (state, [Finished()])


events = st.one_of(
    st.builds(Skip),
    st.builds(Answer, st.text(max_size=30)),
    st.builds(
        Answer, st.sampled_from(["1", "3", "5", "-2", "0", "10", "yes", "no", "skip", "named"])
    ),
    st.builds(Start, goals=st.just(GOALS), anonymous=st.sampled_from([True, False, None])),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    dialog_id=st.sampled_from(sorted(DIALOGS)),
    sequence=st.lists(events, max_size=40),
)
def test_no_event_sequence_raises_or_gets_stuck(dialog_id: str, sequence: list[Event]) -> None:
    dialog = DIALOGS[dialog_id]
    state = engine.start(dialog)
    for event in sequence:
        state, outputs = engine.step(dialog, state, event)
        assert State.from_json(json.loads(json.dumps(state.to_json()))) == state
        if not state.finished and state.started:
            assert asked(outputs), "a running dialog always ends its turn with a question"
    # Whatever happened, skipping leads to the end.
    for _ in range(len(dialog.steps) + len(GOALS) + 2):
        if state.finished:
            break
        state, _ = engine.step(dialog, state, Skip())
    assert state.finished


@pytest.mark.parametrize("dialog_id", sorted(set(DIALOGS) - {"info"}))  # info asks no opinion
def test_every_dialog_tells_what_happens_to_the_answers(dialog_id: str) -> None:
    dialog = DIALOGS[dialog_id]
    for anonymous in (True, False):
        _, outputs = run(dialog, [Start(anonymous=anonymous), *[Skip()] * 20])
        closing = " ".join(o.text.msgid for o in outputs if isinstance(o, Say)).lower()
        assert "read" in closing or "see" in closing, (dialog_id, anonymous)


def test_the_current_question_is_asked_again_without_changing_the_state() -> None:
    dialog = DIALOGS["youth_checkin"]
    state, outputs = run(dialog, [Start(goals=GOALS, anonymous=False), Answer("4")])
    asked = [o for o in outputs if isinstance(o, Ask)]
    again = engine.current_question(dialog, state)
    assert again == [asked[-1]]
    assert engine.step(dialog, state, Start()) == (state, again)
    finished, _ = run(dialog, [Skip()] * 20, state)
    assert finished.finished
    assert engine.current_question(dialog, finished) == []
    assert engine.current_question(dialog, engine.start(dialog)) == []
