"""The risk screen's decisions (S1): what a screened text adds to a turn's outputs.

Pure: handed the screening of a text, these say which flag to raise, which text to keep
(sealed, by storage) and which reply to give; nothing here reads or writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs import engine
from dialogs.helplines import GO_ON_GENTLY, Audience, HelpNumbers, Reader
from dialogs.model import N_, FlagLevel, Output, RaiseFlag, Record, Say, State, Text
from dialogs.risk import RiskLevel, Screening

# The risk screen's flags, and the answer that keeps (sealed) a screened text that was not the
# answer to a text question, so that staff can read what was written.
RISK_RULE = "risk_screen"
RISK_MEASURE = "risk_screen"
RISK_TEXT_LIMIT = 4000

NOTHING_GOING_ON = N_(
    "There is no question open right now. When your worker sends you a check-in, you can "
    "answer it here."
)


def _kept(text: str) -> Record:
    return Record(RISK_MEASURE, RISK_MEASURE, text=text[:RISK_TEXT_LIMIT])


def _flag(screening: Screening) -> RaiseFlag:
    """The screen's flag, with what decided it: the entries as its reason, and the words."""
    return RaiseFlag(
        RISK_RULE,
        FlagLevel(screening.level.label),
        reason=" ".join(screening.entries),
        words=screening.words,
    )


def screened(
    screening: Screening,
    *,
    text: str,
    state: State,
    outputs: list[Output],
    unit_id: int | None,
    contact_id: int | None,
    audience: Audience,
    help_numbers: HelpNumbers,
) -> list[Output]:
    """S1 inside a dialog: the step's outputs with the risk screen's flag and reply.

    A hit raises a flag on the conversation's response (anonymous or not, as the response
    is); a text that was not a text question's answer is kept with it, sealed. Without a
    unit (the info dialog) no flag can be raised; a crisis still gets the help numbers.
    A crisis reply comes before anything else, saying who will see the text; then the dialog
    goes on.
    """
    if screening.level is RiskLevel.NONE:
        return outputs
    extra: list[Output] = []
    if unit_id is not None:
        if not any(isinstance(o, Record) and o.text is not None for o in outputs):
            extra.append(_kept(text))
        extra.append(_flag(screening))
    if screening.level is not RiskLevel.CRISIS:
        return [*extra, *outputs]
    # The worker sees a flag only when there is one, and it is the client's.
    enrolled = state.anonymous is False and contact_id is not None
    help_reply = help_numbers.crisis_reply(
        audience=audience,
        reader=reader(enrolled=enrolled, flagged=unit_id is not None),
        pressed=False,
    )
    rest = [o for o in outputs if not (isinstance(o, Say) and o.text.msgid == engine.HINT_PICK)]
    gently: list[Output] = [] if state.finished else [Say(Text(GO_ON_GENTLY))]
    return [*help_reply, *extra, *gently, *rest]


@dataclass(frozen=True, slots=True)
class Outside:
    """The decision on typed text outside any dialog: the reply, and what to keep (a
    client's text with its flag) or None."""

    outputs: list[Output]
    keep: tuple[Record, RaiseFlag] | None = None


def outside_dialog(
    screening: Screening | None,
    *,
    text: str,
    enrolled: bool,
    audience: Audience,
    help_numbers: HelpNumbers,
) -> Outside:
    """S1 outside any dialog (`screening` is None for anything but text).

    An enrolled client's text that screens as a risk is kept (sealed) as an identified
    open-feedback response of their unit, with the flag, so that their worker can act.
    Anyone else is anonymous and no unit is known: no flag can be raised, nothing is
    stored, and a crisis still gets the help numbers.
    """
    nothing: list[Output] = [Say(Text(NOTHING_GOING_ON))]
    if screening is None or screening.level is RiskLevel.NONE:
        return Outside(nothing)
    keep = (_kept(text), _flag(screening)) if enrolled else None
    if screening.level is not RiskLevel.CRISIS:
        return Outside(nothing, keep)
    who = Reader.WORKER if enrolled else Reader.NOBODY
    return Outside(help_numbers.crisis_reply(audience=audience, reader=who, pressed=False), keep)


# "I need help now", the safety net beside the screen: a crisis flag under its own rule, on
# the conversation's response (anonymous or not, as the response is), or outside a dialog on
# an enrolled client's kept response with this answer.
HELP_NOW_RULE = "help_now"


def help_now(
    *,
    enrolled: bool,
    flag: bool,
    audience: Audience,
    question: list[Output],
    help_numbers: HelpNumbers,
    kept: bool = False,
) -> list[Output]:
    """The help numbers for a press of "I need help now"; a crisis flag when `flag` (there is
    a response to raise it on); then the open question, asked again, if there is one.
    `kept`: the press is kept with its flag outside any dialog (`help_now_kept`)."""
    raised: list[Output] = [RaiseFlag(HELP_NOW_RULE, FlagLevel.CRISIS)] if flag else []
    gently: list[Output] = [Say(Text(GO_ON_GENTLY))] if question else []
    who = reader(enrolled=enrolled, flagged=flag or kept)
    reply = help_numbers.crisis_reply(audience=audience, reader=who, pressed=True)
    return [*reply, *raised, *gently, *question]


def more_help(argument: str, *, question: list[Output], help_numbers: HelpNumbers) -> list[Output]:
    """ "More places to get help" (the crisis reply's button, "morehelp:<audience>"): the
    audience's other lines and what to do now; then the open question again, if there is
    one."""
    audience = Audience.of(argument)
    gently: list[Output] = [Say(Text(GO_ON_GENTLY))] if question else []
    return [*help_numbers.more(audience), *gently, *question]


def reader(*, enrolled: bool, flagged: bool) -> Reader:
    """Who will see a crisis: a flag on an enrolled client's response reaches their worker; a
    flag on an anonymous one, the unit's staff; no flag, nobody."""
    if not flagged:
        return Reader.NOBODY
    return Reader.WORKER if enrolled else Reader.STAFF


def help_now_kept() -> tuple[Record, RaiseFlag]:
    """What an enrolled client's press outside any dialog keeps: the press, with its flag."""
    return Record(HELP_NOW_RULE, HELP_NOW_RULE, choice=HELP_NOW_RULE), RaiseFlag(
        HELP_NOW_RULE, FlagLevel.CRISIS
    )
