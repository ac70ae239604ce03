"""The conversation engine: a pure function from (dialog, state, event) to (state, outputs).

No I/O, no clock, no globals. Every question can be skipped; any answer that does not fit is
met with a hint and the same question again, so a conversation is never stuck and never raises.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.expr import Value, evaluate
from dialogs.model import (
    N_,
    AnonymityChosen,
    Answer,
    Ask,
    Choice,
    Dialog,
    Event,
    Finished,
    Output,
    RaiseFlag,
    Record,
    Say,
    Skip,
    Start,
    State,
    Step,
    StepKind,
    Text,
)

SKIP = "skip"

SKIP_LABEL = N_("Skip")
SCALE_EMOJI = ("😞", "🙁", "😐", "🙂", "😄")
GAS_LEVELS = (
    ("-2", N_("Much worse than expected")),
    ("-1", N_("Worse than expected")),
    ("0", N_("As expected")),
    ("1", N_("Better than expected")),
    ("2", N_("Much better than expected")),
)
YES_NO = (("yes", N_("Yes")), ("no", N_("No")))
HINT_PICK = N_("Please pick one of the options. You can also skip this question.")
HINT_TOO_LONG = N_("That was a long message. Could you shorten it to {limit} characters or fewer?")
HINT_EMPTY = N_("Write your answer as a message, or skip this question.")
ANONYMITY_CHOICES = (
    ("anonymous", N_("Anonymously")),
    ("named", N_("With my name")),
)


def start(dialog: Dialog) -> State:
    """The state of a conversation that has not begun yet."""
    return State(dialog_id=dialog.id, version=dialog.version)


def step(dialog: Dialog, state: State, event: Event) -> tuple[State, list[Output]]:
    """Advance the conversation by one event."""
    if state.finished:
        return state, [Finished()]
    if isinstance(event, Start):
        if state.started:
            return state, current_question(dialog, state)
        return _begin(dialog, state, event)
    if not state.started:
        state, outputs = _begin(dialog, state, Start())
        return state, outputs
    current = _current_step(dialog, state)
    if current is None:
        # The dialog changed under a running conversation and the step is gone: go on.
        return _advance(dialog, replace(state, goal_index=0), 0, [])
    if current.kind is StepKind.PRIVACY:
        return _choose_anonymity(dialog, state, current, event)
    return _answer(dialog, state, current, event)


def _begin(dialog: Dialog, state: State, event: Start) -> tuple[State, list[Output]]:
    state = replace(state, version=dialog.version, goals=event.goals, anonymous=event.anonymous)
    if event.anonymous is None and not any(s.kind is StepKind.PRIVACY for s in dialog.steps):
        state = replace(state, anonymous=True)
    return _advance(dialog, state, 0, [])


def _anonymity_question(current: Step) -> Ask:
    return Ask(
        step_id=current.id,
        kind=StepKind.PRIVACY,
        text=Text(current.text),
        choices=tuple(Choice(cid, Text(label)) for cid, label in ANONYMITY_CHOICES),
    )


def _choose_anonymity(
    dialog: Dialog, state: State, current: Step, event: Event
) -> tuple[State, list[Output]]:
    value = event.value.strip().casefold() if isinstance(event, Answer) else "anonymous"
    if value in ("anonymous", "1", SKIP):
        anonymous = True
    elif value in ("named", "2"):
        anonymous = False
    else:
        return state, [Say(Text(HINT_PICK)), _anonymity_question(current)]
    state = replace(state, anonymous=anonymous)
    return _advance(dialog, state, dialog.step_index(current.id) + 1, [AnonymityChosen(anonymous)])


def _current_step(dialog: Dialog, state: State) -> Step | None:
    if state.at is None:
        return None
    try:
        return dialog.steps[dialog.step_index(state.at)]
    except KeyError:
        return None


def _answer(
    dialog: Dialog, state: State, current: Step, event: Event
) -> tuple[State, list[Output]]:
    assert current.measure is not None
    goal_id = None
    if current.kind is StepKind.GAS:
        if state.goal_index >= len(state.goals):
            return _advance(dialog, state, dialog.step_index(current.id) + 1, [])
        goal_id = state.goals[state.goal_index].id

    if isinstance(event, Skip) or (
        isinstance(event, Answer) and event.value.strip().casefold() == SKIP
    ):
        record = Record(current.id, current.measure, goal_id=goal_id, skipped=True)
        return _after_answer(dialog, state, current, record, None)
    assert isinstance(event, Answer)

    if current.kind is StepKind.TEXT:
        text = event.value.strip()
        if not text:
            return state, [Say(Text(HINT_EMPTY)), *current_question(dialog, state)]
        if len(text) > current.max_length:
            hint = Text(HINT_TOO_LONG, {"limit": str(current.max_length)})
            return state, [Say(hint), *current_question(dialog, state)]
        record = Record(current.id, current.measure, text=text)
        return _after_answer(dialog, state, current, record, "")

    choice_id = _match_choice(current, event.value)
    if choice_id is None:
        return state, [Say(Text(HINT_PICK)), *current_question(dialog, state)]
    number = _number_of(current, choice_id)
    record = Record(
        current.id,
        current.measure,
        number=number,
        choice=None if current.kind in (StepKind.SCALE, StepKind.NPS, StepKind.GAS) else choice_id,
        goal_id=goal_id,
    )
    value: Value = number if number is not None else choice_id
    return _after_answer(dialog, state, current, record, value)


def _after_answer(
    dialog: Dialog, state: State, current: Step, record: Record, value: Value | None
) -> tuple[State, list[Output]]:
    assert current.measure is not None
    answers = dict(state.answers)
    if value is not None:
        if current.kind is StepKind.GAS and isinstance(value, float):
            # Conditions see the lowest goal rating: "any goal went much worse".
            previous = answers.get(current.measure)
            answers[current.measure] = (
                min(value, previous) if isinstance(previous, float) else value
            )
        else:
            answers[current.measure] = value
    state = replace(state, answers=answers)
    outputs: list[Output] = [record]
    outputs.extend(_new_flags(dialog, state))
    state = replace(
        state, raised=state.raised | {f.rule for f in outputs if isinstance(f, RaiseFlag)}
    )
    if current.kind is StepKind.GAS and state.goal_index + 1 < len(state.goals):
        state = replace(state, goal_index=state.goal_index + 1)
        outputs.append(_ask(current, state))
        return state, outputs
    return _advance(dialog, state, dialog.step_index(current.id) + 1, outputs)


def _new_flags(dialog: Dialog, state: State) -> list[RaiseFlag]:
    anonymous = bool(state.anonymous)
    return [
        RaiseFlag(rule.id, rule.level)
        for rule in dialog.flags
        if rule.id not in state.raised and evaluate(rule.when, state.answers, anonymous=anonymous)
    ]


def _advance(
    dialog: Dialog, state: State, index: int, outputs: list[Output]
) -> tuple[State, list[Output]]:
    anonymous = bool(state.anonymous)
    for candidate in dialog.steps[index:]:
        if candidate.when is not None and not evaluate(
            candidate.when, state.answers, anonymous=anonymous
        ):
            continue
        if candidate.kind is StepKind.INFO:
            outputs.append(Say(Text(candidate.text)))
            continue
        if candidate.kind is StepKind.GAS and not state.goals:
            continue
        if candidate.kind is StepKind.PRIVACY and state.anonymous is not None:
            continue
        state = replace(state, at=candidate.id, goal_index=0)
        outputs.append(_ask(candidate, state))
        return state, outputs
    state = replace(state, at=None, finished=True)
    outputs.append(Finished())
    return state, outputs


def current_question(dialog: Dialog, state: State) -> list[Output]:
    """The question a running conversation waits on, asked again (nothing when none is open).

    For showing it once more (a page loaded again, a command in the middle of a dialog) and
    for reading its choices; the state does not change.
    """
    current = None if state.finished else _current_step(dialog, state)
    return [] if current is None else [_ask(current, state)]


def _ask(current: Step, state: State) -> Ask:
    skip = Choice(SKIP, Text(SKIP_LABEL))
    kind = current.kind
    if kind is StepKind.PRIVACY:
        return _anonymity_question(current)
    if kind is StepKind.SCALE:
        assert current.low is not None
        assert current.high is not None
        choices = tuple(Choice(str(n), Text(f"{SCALE_EMOJI[n - 1]} {n}")) for n in range(1, 6))
        hint = Text(
            N_("1 = {low}, 5 = {high}"), {"low": Text(current.low), "high": Text(current.high)}
        )
        return Ask(current.id, kind, Text(current.text), (*choices, skip), hint=hint)
    if kind is StepKind.NPS:
        assert current.low is not None
        assert current.high is not None
        choices = tuple(Choice(str(n), Text(str(n))) for n in range(11))
        hint = Text(
            N_("0 = {low}, 10 = {high}"), {"low": Text(current.low), "high": Text(current.high)}
        )
        return Ask(current.id, kind, Text(current.text), (*choices, skip), hint=hint)
    if kind is StepKind.GAS:
        goal = state.goals[state.goal_index]
        choices = tuple(Choice(cid, Text(label)) for cid, label in GAS_LEVELS)
        return Ask(current.id, kind, Text(current.text, {"goal": goal.title}), (*choices, skip))
    if kind is StepKind.YESNO:
        choices = tuple(Choice(cid, Text(label)) for cid, label in YES_NO)
        return Ask(current.id, kind, Text(current.text), (*choices, skip))
    if kind is StepKind.CHOICE:
        choices = tuple(Choice(option.id, Text(option.text)) for option in current.options)
        return Ask(current.id, kind, Text(current.text), (*choices, skip))
    return Ask(current.id, kind, Text(current.text), (skip,), free_text=True)


def _choice_ids(current: Step) -> list[str]:
    kind = current.kind
    if kind is StepKind.SCALE:
        return [str(n) for n in range(1, 6)]
    if kind is StepKind.NPS:
        return [str(n) for n in range(11)]
    if kind is StepKind.GAS:
        return [cid for cid, _ in GAS_LEVELS]
    if kind is StepKind.YESNO:
        return [cid for cid, _ in YES_NO]
    return [option.id for option in current.options]


def _match_choice(current: Step, raw: str) -> str | None:
    """A choice id, or for lists of words, the choice's 1-based number."""
    value = raw.strip().casefold().removeprefix("+")
    ids = _choice_ids(current)
    if value in ids:
        return value
    if current.kind in (StepKind.CHOICE, StepKind.YESNO) and value.isascii() and value.isdigit():
        number = int(value)
        if 1 <= number <= len(ids):
            return ids[number - 1]
    return None


def _number_of(current: Step, choice_id: str) -> float | None:
    if current.kind in (StepKind.SCALE, StepKind.NPS, StepKind.GAS):
        return float(choice_id)
    for option in current.options:
        if option.id == choice_id:
            return option.value
    return None
