"""Turning an inbound update into an engine event: pure functions of the update and state.

A button of the current question answers it (or skips it); a button of an earlier question
is stale. Typed text that equals a button's label (in the chat's language) picks that
button, a skip word skips, and anything else is a free-text answer, which the risk screen
reads (S1). Commands and command buttons are recognised by their namespace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot import commands
from bot.i18n import Translator
from bot.messages import Inbound, Kind
from dialogs import engine, helplines
from dialogs.model import Answer, Ask, Choice, Dialog, Event, Skip, State


@dataclass(frozen=True, slots=True)
class Stale:
    """A button of a question that is no longer asked."""


NAMESPACES = {
    commands.MENU: None,
    commands.LANGUAGE: "language",
    commands.FORGET: "forget",
    commands.CONSENT: "consent",
    helplines.MORE_HELP: helplines.MORE_HELP,  # "morehelp:<audience>" under a crisis reply
    commands.CHECKIN: "checkin",
}


def command_of(inbound: Inbound) -> tuple[str, str] | None:
    """(command, argument) for a command or a command's button; None for anything else."""
    if inbound.kind is Kind.COMMAND:
        name, _, argument = inbound.payload.strip().partition(" ")
        name = name.lower()
        return commands.ALIASES.get(name, name), argument.strip()
    if inbound.kind is Kind.CHOICE:
        namespace, _, key = inbound.payload.partition(":")
        if namespace in NAMESPACES:
            command = NAMESPACES[namespace]
            return (key, "") if command is None else (command, key)
    return None


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def skip_words(translators: Iterable[Translator]) -> frozenset[str]:
    """What typed text skips a question: the skip id and the skip button's label in every
    language."""
    return frozenset({engine.SKIP} | {fold(t.gettext(engine.SKIP_LABEL)) for t in translators})


def event_of(
    inbound: Inbound,
    state: State,
    dialog: Dialog,
    translator: Translator,
    skips: frozenset[str],
) -> tuple[Event | Stale, str | None]:
    """The engine event, and the free text to screen (None for a choice)."""
    if inbound.kind is Kind.CHOICE:
        step_id, _, choice_id = inbound.payload.partition(":")
        if step_id != state.at:
            return Stale(), None
        return (Skip() if choice_id == engine.SKIP else Answer(choice_id)), None
    text = inbound.payload
    folded = fold(text)
    if folded in skips:
        return Skip(), None
    label_match = match_label(folded, state, dialog, translator)
    if label_match is not None:
        return Answer(label_match), None
    return Answer(text), text


def _choices(dialog: Dialog, state: State) -> Iterable[Choice]:
    for output in engine.current_question(dialog, state):
        if isinstance(output, Ask):
            yield from output.choices


def label_of(payload: str, state: State, dialog: Dialog, translator: Translator) -> str | None:
    """The label of the pressed button of the current question, in the chat's language."""
    choice_id = payload.partition(":")[2]
    for choice in _choices(dialog, state):
        if choice.id == choice_id:
            return translator.text(choice.label)
    return None


def match_label(folded: str, state: State, dialog: Dialog, translator: Translator) -> str | None:
    """Typed text equal to a button's label (in the chat's language) picks that button."""
    if state.at is None or not folded:
        return None
    for choice in _choices(dialog, state):
        if fold(translator.text(choice.label)) == folded:
            return str(choice.id)
    return None
