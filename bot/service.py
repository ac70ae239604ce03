"""The conversation service: one inbound update, one transaction.

Claim the update (a repeat is dropped), load the chat's conversation, step the engine, store
the new state, the answers, the flags and the outgoing messages, and commit. Only then may a
channel acknowledge the update (R1, R2). Delivery happens from the outbox, after the commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session

from bot import commands
from bot.i18n import Translations, Translator
from bot.messages import Acknowledgement, Inbound, Kind, Message, Outgoing, render
from dialogs import engine
from dialogs.helplines import GO_ON_GENTLY, HelpNumbers
from dialogs.model import (
    N_,
    AnonymityChosen,
    Dialog,
    Event,
    Finished,
    FlagLevel,
    Goal,
    Output,
    Privacy,
    RaiseFlag,
    Record,
    Say,
    Skip,
    Start,
    State,
    Text,
)
from dialogs.model import (
    Answer as AnswerEvent,
)
from dialogs.risk import RiskLevel, RiskScreen, Screening
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import conversations, outbox, responses, units, updates

log = logging.getLogger(__name__)

TEXT_PURPOSE = "answer-text"
ADDRESS_PURPOSE = "chat-address"
RETRIES = 3
CLAIM_RETENTION = dt.timedelta(days=7)
# The risk screen's flags, and the answer that keeps (sealed) a screened text that was not the
# answer to a text question, so that staff can read what was written.
RISK_RULE = "risk_screen"
RISK_MEASURE = "risk_screen"
RISK_TEXT_LIMIT = 4000
# Text outside any dialog, from an enrolled client, is kept as an open-feedback response.
OUTSIDE_DIALOG = "open_feedback"

NOTHING_GOING_ON = N_(
    "There is no question open right now. When your worker sends you a check-in, you can "
    "answer it here."
)
UNKNOWN_DIALOG = N_("Sorry, I can't find that conversation.")
UNKNOWN_UNIT = commands.UNKNOWN_LINK
STALE_CHOICE = N_("That question has been answered already. Here is the current one:")


utc_now = tables.utc_now


def to_date(moment: dt.datetime) -> dt.datetime:
    """Coarsen a time to the date, for anonymous responses (P1)."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Handled:
    duplicate: bool = False
    finished: bool = False
    messages: int = 0


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """The question a chat's running conversation waits on, rendered in its language."""

    language: str
    dialog_id: str
    messages: tuple[Message, ...]


class ConversationService:
    def __init__(
        self,
        *,
        database: Database,
        dialogs: Mapping[str, Dialog],
        keyring: Keyring,
        translations: Translations,
        clock: Callable[[], dt.datetime] = utc_now,
        conversation_ttl: dt.timedelta = dt.timedelta(hours=24),
        risk_screen: RiskScreen,
        help_numbers: HelpNumbers,
        on_flag: Callable[[], None] | None = None,
    ) -> None:
        self.database = database
        self.dialogs = dialogs
        self.keyring = keyring
        self.translations = translations
        self.clock = clock
        self.conversation_ttl = conversation_ttl
        self.risk_screen = risk_screen
        self.help_numbers = help_numbers
        # Called after an update that raised a flag was committed (the alert sender's wake).
        self.on_flag = on_flag
        self._skip_words = {engine.SKIP} | {
            _fold(translator.gettext(engine.SKIP_LABEL)) for translator in translations.all()
        }

    async def sweep(self, *, batch: int = 500) -> int:
        """Forget expired conversations and old update claims; returns conversations removed.

        An abandoned anonymous conversation is the only link between a chat and its answers,
        so it must not outlive its expiry (P1). Claims are kept for a week, far longer than
        any channel retries an update.
        """
        now = self.clock()
        removed = 0
        while True:
            count = await self.database.run(
                functools.partial(conversations.delete_expired, now=now, limit=batch)
            )
            removed += count
            if count < batch:
                break
        await self.database.run(
            functools.partial(updates.forget_before, before=now - CLAIM_RETENTION)
        )
        return removed

    async def set_chat_active(self, channel: str, address: str, *, active: bool) -> None:
        """A person blocked (or unblocked) the bot: a blocked chat gets nothing more."""
        address_hmac = self.address_hmac(channel, address)

        def work(session: Session) -> None:
            units.set_chat_active(
                session, channel=channel, address_hmac=address_hmac, active=active
            )
            if not active:
                outbox.drop_chat(session, channel=channel, address_hmac=address_hmac)

        await self.database.run(work)

    def address_hmac(self, channel: str, address: str) -> str:
        return self.keyring.address_hmac(channel, address)

    async def open_question(self, channel: str, address: str) -> OpenQuestion | None:
        """The open question of the chat's conversation, without changing anything.

        A channel that shows whole pages (the web chat) asks for it when a page is loaded
        again; None when no conversation is running (or it expired).
        """
        address_hmac = self.address_hmac(channel, address)
        conversation = await self.database.run(
            functools.partial(conversations.for_chat, channel=channel, address_hmac=address_hmac)
        )
        if conversation is None or conversation.expires_at <= self.clock():
            return None
        dialog = self.dialogs.get(conversation.dialog_id)
        if dialog is None:
            return None
        _, outputs = engine.step(dialog, State.from_json(conversation.state), Start())
        translator = self.translations.get(conversation.language)
        return OpenQuestion(conversation.language, dialog.id, tuple(render(outputs, translator)))

    async def handle(self, inbound: Inbound) -> Handled:
        """Process one update exactly once. Retries a transaction that lost a race."""
        for attempt in range(1, RETRIES + 1):
            try:
                handled, flagged = await self.database.run(
                    functools.partial(self._handle_flagged, inbound=inbound)
                )
            except (sa.exc.IntegrityError, sa.exc.OperationalError):
                if attempt == RETRIES:
                    raise
                log.info("retrying an update after a conflict (attempt %d)", attempt)
                continue
            if flagged and self.on_flag is not None:
                self.on_flag()
            return handled
        raise AssertionError("unreachable")

    def _handle_flagged(self, session: Session, *, inbound: Inbound) -> tuple[Handled, bool]:
        handled = self._handle(session, inbound=inbound)
        return handled, responses.flags_raised(session)

    def _handle(self, session: Session, *, inbound: Inbound) -> Handled:
        now = self.clock()
        address_hmac = self.address_hmac(inbound.channel, inbound.address)
        claimed, conversation = conversations.claim_and_load(
            session,
            channel=inbound.channel,
            update_key=inbound.update_key,
            address_hmac=address_hmac,
            now=now,
        )
        if not claimed:
            return Handled(duplicate=True)
        reply = _Reply(self, inbound, address_hmac)
        if conversation is not None and conversation.expires_at <= now:
            # An expired dialog is forgotten; the answers given so far stay stored.
            self._drop(session, conversation)
            conversation = None

        command = _command_of(inbound)
        if command is not None:
            return self._command(session, inbound, reply, conversation, now, *command)
        if inbound.kind is Kind.BEGIN:
            return self._begin(
                session, inbound, reply, conversation, now, dialog_id=inbound.payload
            )
        if conversation is None:
            contact = units.contact_by_address(
                session, channel=inbound.channel, address_hmac=address_hmac
            )
            language = inbound.language or (contact.language if contact else None)
            reply.acknowledge(None)
            outputs = self._outside_dialog(session, inbound, contact, language, now)
            return reply.send(session, outputs, language, finished=True)
        dialog = self.dialogs.get(conversation.dialog_id)
        if dialog is None:
            self._drop(session, conversation)
            return reply.send(
                session, [Say(Text(UNKNOWN_DIALOG))], conversation.language, finished=True
            )
        translator = self.translations.get(conversation.language)
        state = State.from_json(conversation.state)
        event, free_text = self._event(inbound, state, dialog, translator)
        if isinstance(event, _Stale):
            # A button of an earlier question: say so, and ask the current one again.
            reply.acknowledge(None)
            _, outputs = engine.step(dialog, state, Start())
            return reply.send(session, [Say(Text(STALE_CHOICE)), *outputs], conversation.language)
        if inbound.kind is Kind.CHOICE:
            reply.acknowledge(_label_of(inbound.payload, state, dialog, translator))
        return self._step(session, reply, conversation, dialog, event, now, free_text=free_text)

    def _step(
        self,
        session: Session,
        reply: _Reply,
        conversation: tables.Conversation,
        dialog: Dialog,
        event: Event,
        now: dt.datetime,
        *,
        free_text: str | None = None,
    ) -> Handled:
        state = State.from_json(conversation.state)
        new_state, outputs = engine.step(dialog, state, event)
        if free_text is not None:
            outputs = self._screened(conversation, new_state, outputs, free_text)
        self._store(session, conversation, dialog, new_state, outputs, now)
        return reply.send(session, outputs, conversation.language, finished=new_state.finished)

    def _screen(self, text: str) -> Screening:
        return self.risk_screen.screen(text)

    def _screened(
        self,
        conversation: tables.Conversation,
        state: State,
        outputs: list[Output],
        text: str,
    ) -> list[Output]:
        """S1 inside a dialog: the step's outputs with the risk screen's flag and reply.

        A hit raises a flag on the conversation's response (anonymous or not, as the response
        is); a text that was not a text question's answer is kept with it, sealed. Without a
        unit (the info dialog) no flag can be raised; a crisis still gets the help numbers.
        A crisis reply comes before anything else; then the dialog goes on.
        """
        screening = self._screen(text)
        if screening.level is RiskLevel.NONE:
            return outputs
        extra: list[Output] = []
        if conversation.unit_id is not None:
            if not any(isinstance(o, Record) and o.text is not None for o in outputs):
                extra.append(Record(RISK_MEASURE, RISK_MEASURE, text=text[:RISK_TEXT_LIMIT]))
            extra.append(RaiseFlag(RISK_RULE, FlagLevel(screening.level.label)))
        if screening.level is not RiskLevel.CRISIS:
            return [*extra, *outputs]
        enrolled = (  # the worker sees a flag only when there is one, and it is the client's
            conversation.unit_id is not None
            and state.anonymous is False
            and conversation.contact_id is not None
        )
        help_reply = self.help_numbers.crisis_reply(enrolled=enrolled)
        rest = [o for o in outputs if not (isinstance(o, Say) and o.text.msgid == engine.HINT_PICK)]
        gently: list[Output] = [] if state.finished else [Say(Text(GO_ON_GENTLY))]
        return [*help_reply, *extra, *gently, *rest]

    def _outside_dialog(
        self,
        session: Session,
        inbound: Inbound,
        contact: tables.Contact | None,
        language: str | None,
        now: dt.datetime,
    ) -> list[Output]:
        """S1 outside any dialog: typed text when no conversation is open.

        An enrolled client's text that screens as a risk is kept (sealed) as an identified
        open-feedback response of their unit, with the flag, so that their worker can act.
        Anyone else is anonymous and no unit is known: no flag can be raised, nothing is
        stored, and a crisis still gets the help numbers.
        """
        nothing: list[Output] = [Say(Text(NOTHING_GOING_ON))]
        if inbound.kind is not Kind.TEXT:
            return nothing
        screening = self._screen(inbound.payload)
        if screening.level is RiskLevel.NONE:
            return nothing
        client = (
            units.read_client(session, client_id=contact.client_id)
            if contact is not None and contact.active
            else None
        )
        if contact is not None and client is not None and client.id is not None:
            dialog = self.dialogs.get(OUTSIDE_DIALOG)
            response = tables.Response(
                unit_id=client.unit_id,
                client_id=client.id,
                contact_id=contact.id,
                dialog_id=OUTSIDE_DIALOG,
                dialog_version=dialog.version if dialog is not None else "",
                channel=inbound.channel,
                language=self.translations.get(language).language,
                anonymous=False,
                completed=True,
                started_at=now,
                updated_at=now,
            )
            response_id = responses.insert(session, response)
            record = Record(RISK_MEASURE, RISK_MEASURE, text=inbound.payload[:RISK_TEXT_LIMIT])
            responses.add_answers(
                session, [self._answer_row(record, response_id, response.dialog_version, now)]
            )
            responses.add_flags(
                session,
                [
                    {
                        "response_id": response_id,
                        "unit_id": client.unit_id,
                        "client_id": client.id,
                        "level": screening.level.label,
                        "rule": RISK_RULE,
                        "status": "open",
                        "created_at": now,
                    }
                ],
            )
        if screening.level is not RiskLevel.CRISIS:
            return nothing
        return self.help_numbers.crisis_reply(enrolled=client is not None)

    def _drop(self, session: Session, conversation: tables.Conversation) -> None:
        assert conversation.id is not None
        conversations.delete(session, conversation_id=conversation.id)

    def _command(
        self,
        session: Session,
        inbound: Inbound,
        reply: _Reply,
        conversation: tables.Conversation | None,
        now: dt.datetime,
        name: str,
        argument: str,
    ) -> Handled:
        contact = units.contact_by_address(
            session, channel=inbound.channel, address_hmac=reply.address_hmac
        )
        client = (
            units.read_client(session, client_id=contact.client_id)
            if contact is not None and contact.active
            else None
        )
        reply.acknowledge(None)
        if name == "group":
            # Said once per group chat: the claim of a notice marks it said.
            first = updates.claim(
                session,
                channel=f"{inbound.channel}-group",
                update_key=reply.address_hmac,
                now=now,
            )
            outputs: list[Output] = [Say(Text(commands.GROUP))] if first else []
            return reply.send(session, outputs, inbound.language, finished=True)
        chat = commands.Chat(
            channel=inbound.channel,
            address_hmac=reply.address_hmac,
            language=inbound.language,
            seal_address=lambda: self.keyring.seal(inbound.address, purpose=ADDRESS_PURPOSE),
            seal_staff_chat=(
                (lambda: self.keyring.seal(inbound.address, purpose=commands.STAFF_CHAT_PURPOSE))
                if inbound.channel == commands.STAFF_CHANNEL
                else None
            ),
        )
        result = commands.run(
            session,
            name=name,
            argument=argument,
            contact=contact,
            client=client,
            conversation=conversation,
            now=now,
            chat=chat,
        )
        if isinstance(result, commands.StartDialog):
            return self._begin(
                session,
                inbound,
                reply,
                conversation,
                now,
                dialog_id=result.dialog_id,
                unit_id=result.unit_id,
                unit_code=result.unit_code,
            )
        language = result.language or (
            conversation.language
            if conversation
            else contact.language
            if contact
            else inbound.language
        )
        outputs = list(result.outputs)
        if conversation is not None and result.ends_conversation:
            self._drop(session, conversation)
            conversation = None
        elif conversation is not None:
            if result.language is not None:
                conversations.set_language(
                    session, conversation_id=_id(conversation), language=result.language
                )
            dialog = self.dialogs.get(conversation.dialog_id)
            if dialog is not None:  # go on with the open question
                _, current = engine.step(dialog, State.from_json(conversation.state), Start())
                outputs.extend(current)
        return reply.send(session, outputs, language, finished=conversation is None)

    def _begin(
        self,
        session: Session,
        inbound: Inbound,
        reply: _Reply,
        conversation: tables.Conversation | None,
        now: dt.datetime,
        *,
        dialog_id: str,
        unit_id: int | None = None,
        unit_code: str | None = None,
    ) -> Handled:
        dialog = self.dialogs.get(dialog_id)
        language = inbound.language or (conversation.language if conversation else None)
        if dialog is None:
            return reply.send(session, [Say(Text(UNKNOWN_DIALOG))], language, finished=True)
        contact = units.contact_by_address(
            session, channel=inbound.channel, address_hmac=reply.address_hmac
        )
        client = (
            units.read_client(session, client_id=contact.client_id)
            if contact is not None and contact.active
            else None
        )
        unit: tables.Unit | None = None
        code = unit_code or inbound.unit_code
        if code is not None:
            unit = units.unit_by_code(session, code=code)
        elif unit_id is not None:
            unit = units.unit_by_id(session, unit_id=unit_id)
        elif client is not None:
            unit = units.unit_by_id(session, unit_id=client.unit_id)
        language = language or (contact.language if contact else None)
        if (unit is None and (dialog.needs_unit or code is not None)) or (
            unit is not None and unit.id is None
        ):
            return reply.send(session, [Say(Text(UNKNOWN_UNIT))], language, finished=True)
        if conversation is not None:
            # A new dialog replaces an unfinished one; the answers so far stay stored.
            self._drop(session, conversation)
        anonymous = self._anonymity(dialog, inbound, client, unit)
        goals: tuple[Goal, ...] = ()
        if client is not None and client.id is not None and anonymous is not True:
            goals = tuple(
                Goal(goal.id, goal.title, goal.weight)
                for goal in units.active_goals(session, client_id=client.id)
                if goal.id is not None
            )
        started = tables.Conversation(
            channel=inbound.channel,
            address_hmac=reply.address_hmac,
            contact_id=contact.id if contact is not None and anonymous is not True else None,
            unit_id=None if unit is None else unit.id,
            dialog_id=dialog.id,
            language=self.translations.get(language).language,
            state=engine.start(dialog).to_json(),
            updated_at=now,
            expires_at=now + self.conversation_ttl,
        )
        return self._step(
            session, reply, started, dialog, Start(goals=goals, anonymous=anonymous), now
        )

    @staticmethod
    def _anonymity(
        dialog: Dialog, inbound: Inbound, client: tables.Client | None, unit: tables.Unit | None
    ) -> bool | None:
        """True, False, or None for 'ask the person' (privacy: optional)."""
        if dialog.privacy is Privacy.ANONYMOUS or inbound.anonymous is True:
            return True
        if client is None or unit is None or client.unit_id != unit.id:
            return True
        if inbound.anonymous is False or dialog.privacy is Privacy.IDENTIFIED:
            return False
        return None

    def _event(
        self, inbound: Inbound, state: State, dialog: Dialog, translator: Translator
    ) -> tuple[Event | _Stale, str | None]:
        """The engine event, and the free text to screen (None for a choice)."""
        if inbound.kind is Kind.CHOICE:
            step_id, _, choice_id = inbound.payload.partition(":")
            if step_id != state.at:
                return _Stale(), None
            return (Skip() if choice_id == engine.SKIP else AnswerEvent(choice_id)), None
        text = inbound.payload
        folded = _fold(text)
        if folded in self._skip_words:
            return Skip(), None
        label_match = _match_label(folded, state, dialog, translator)
        if label_match is not None:
            return AnswerEvent(label_match), None
        return AnswerEvent(text), text

    def _store(
        self,
        session: Session,
        conversation: tables.Conversation,
        dialog: Dialog,
        state: State,
        outputs: list[Output],
        now: dt.datetime,
    ) -> None:
        """Store the step's answers, flags and the conversation's new state."""
        anonymous = state.anonymous is not False
        stamp = to_date(now) if anonymous else now
        contact_id = conversation.contact_id
        response_id = conversation.response_id
        client_id: int | None = None
        client_known = False
        answers: list[dict[str, object]] = []
        flags: list[dict[str, object]] = []
        completed = False
        for output in outputs:
            if isinstance(output, AnonymityChosen) and output.anonymous:
                contact_id = None
            elif isinstance(output, Record | RaiseFlag):
                if response_id is None:
                    response = self._new_response(
                        session, conversation, dialog, contact_id, anonymous, now
                    )
                    response_id, client_id, client_known = response.id, response.client_id, True
                assert response_id is not None
                if isinstance(output, Record):
                    answers.append(self._answer_row(output, response_id, dialog.version, stamp))
                else:
                    if not client_known:
                        client_id = responses.client_of(session, response_id=response_id)
                        client_known = True
                    flags.append(
                        {
                            "response_id": response_id,
                            "unit_id": conversation.unit_id,
                            "client_id": client_id,
                            "level": output.level.value,
                            "rule": output.rule,
                            "status": "open",
                            "created_at": now,
                        }
                    )
            elif isinstance(output, Finished):
                completed = response_id is not None
        responses.add_answers(session, answers)
        responses.add_flags(session, flags)
        if completed:
            assert response_id is not None
            responses.complete(session, response_id=response_id, updated_at=stamp)
        if state.finished:
            if conversation.id is not None:
                conversations.delete(session, conversation_id=conversation.id)
            return
        expires_at = now + self.conversation_ttl
        if conversation.id is None:
            conversation.state = state.to_json()
            conversation.contact_id = contact_id
            conversation.response_id = response_id
            conversation.updated_at, conversation.expires_at = now, expires_at
            conversations.insert(session, conversation)
        else:
            conversations.update(
                session,
                conversation_id=conversation.id,
                state=state.to_json(),
                contact_id=contact_id,
                response_id=response_id,
                updated_at=now,
                expires_at=expires_at,
            )

    def _answer_row(
        self, record: Record, response_id: int, dialog_version: str, stamp: dt.datetime
    ) -> dict[str, object]:
        return {
            "response_id": response_id,
            "step_id": record.step_id,
            "measure": record.measure,
            "goal_id": record.goal_id,
            "number": record.number,
            "choice": record.choice,
            "text_sealed": (
                self.keyring.seal(record.text, purpose=TEXT_PURPOSE)
                if record.text is not None
                else None
            ),
            "skipped": record.skipped,
            "dialog_version": dialog_version,
            "recorded_at": stamp,
        }

    def _new_response(
        self,
        session: Session,
        conversation: tables.Conversation,
        dialog: Dialog,
        contact_id: int | None,
        anonymous: bool,
        now: dt.datetime,
    ) -> tables.Response:
        client_id: int | None = None
        if not anonymous and contact_id is not None:
            contact = units.contact_by_id(session, contact_id=contact_id)
            if contact is not None:
                client_id = contact.client_id
        if client_id is None:
            contact_id = None
        stamp = now if client_id is not None else to_date(now)
        response = tables.Response(
            unit_id=conversation.unit_id,
            client_id=client_id,
            contact_id=contact_id,
            dialog_id=dialog.id,
            dialog_version=dialog.version,
            channel=conversation.channel,
            language=conversation.language,
            anonymous=client_id is None,
            started_at=stamp,
            updated_at=stamp,
        )
        responses.insert(session, response)
        return response

    def open_address(self, message: tables.Outbox) -> str:
        return self.keyring.open(message.address_sealed, purpose=ADDRESS_PURPOSE)

    # ---- the channels' doors: what a channel asks of the service, instead of its parts

    async def unit_name(self, code: str) -> str | None:
        """The name of the unit with this code; None when there is none."""

        def work(session: Session) -> str | None:
            unit = units.unit_by_code(session, code=code)
            return None if unit is None else unit.name

        return await self.database.run(work)

    async def link_works(self, code: str) -> bool:
        """Whether a link's code is an invite's (used or not) or a unit's: what `/start <code>`
        would take, so that a page can say at once that a link does not work."""

        def work(session: Session) -> bool:
            from storage.repositories import invites

            return (
                invites.find(session, code=code) is not None
                or units.unit_by_code(session, code=code) is not None
            )

        return await self.database.run(work)

    def opening(self, dialog_id: str, language: str) -> list[Message]:
        """A dialog's first messages, for a start screen (nothing is stored until it is used)."""
        dialog = self.dialogs[dialog_id]
        _, outputs = engine.step(dialog, engine.start(dialog), Start(anonymous=True))
        return render(outputs, self.translations.get(language))

    async def deliver(
        self,
        channel: str,
        address: str,
        send: Callable[[Outgoing], Awaitable[None]],
        *,
        together: bool = False,
    ) -> int:
        """Send a chat's pending messages through `send`, oldest first (see `deliver_chat`)."""
        from bot.delivery import deliver_chat  # delivery is the outbox's, not the turn's

        return await deliver_chat(
            self.database,
            channel=channel,
            address_hmac=self.address_hmac(channel, address),
            send=send,
            together=together,
        )


class _Reply:
    """Renders outputs and puts them in the outbox, in the same transaction."""

    def __init__(self, service: ConversationService, inbound: Inbound, address_hmac: str) -> None:
        self.service = service
        self.inbound = inbound
        self.address_hmac = address_hmac
        self.acknowledgement: Acknowledgement | None = None

    def acknowledge(self, label: str | None) -> None:
        """Acknowledge the pressed button (if the channel gave a reference) before replying."""
        if self.inbound.reference is not None:
            self.acknowledgement = Acknowledgement(self.inbound.reference, label)

    def send(
        self,
        session: Session,
        outputs: list[Output],
        language: str | None,
        *,
        finished: bool = False,
    ) -> Handled:
        translator = self.service.translations.get(language or self.inbound.language)
        rendered: list[Outgoing] = list(render(outputs, translator))
        messages = rendered if self.acknowledgement is None else [self.acknowledgement, *rendered]
        if messages:
            now = self.service.clock()
            sealed = self.service.keyring.seal(self.inbound.address, purpose=ADDRESS_PURPOSE)
            outbox.enqueue(
                session,
                [
                    {
                        "channel": self.inbound.channel,
                        "address_hmac": self.address_hmac,
                        "address_sealed": sealed,
                        "payload": message.to_payload(),
                        "attempts": 0,
                        "not_before": now,
                        "created_at": now,
                    }
                    for message in messages
                ],
            )
        return Handled(finished=finished, messages=len(rendered))


@dataclass(frozen=True, slots=True)
class _Stale:
    """A button of a question that is no longer asked."""


def _id(conversation: tables.Conversation) -> int:
    assert conversation.id is not None
    return conversation.id


_NAMESPACES = {
    commands.MENU: None,
    commands.LANGUAGE: "language",
    commands.FORGET: "forget",
    commands.CONSENT: "consent",
}


def _command_of(inbound: Inbound) -> tuple[str, str] | None:
    """(command, argument) for a command or a command's button; None for anything else."""
    if inbound.kind is Kind.COMMAND:
        name, _, argument = inbound.payload.strip().partition(" ")
        return name.lower(), argument.strip()
    if inbound.kind is Kind.CHOICE:
        namespace, _, key = inbound.payload.partition(":")
        if namespace in _NAMESPACES:
            command = _NAMESPACES[namespace]
            return (key, "") if command is None else (command, key)
    return None


def _label_of(payload: str, state: State, dialog: Dialog, translator: Translator) -> str | None:
    """The label of the pressed button of the current question, in the chat's language."""
    choice_id = payload.partition(":")[2]
    _, outputs = engine.step(dialog, state, Start())
    for output in outputs:
        for choice in getattr(output, "choices", ()):
            if choice.id == choice_id:
                return translator.text(choice.label)
    return None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _match_label(folded: str, state: State, dialog: Dialog, translator: Translator) -> str | None:
    """Typed text equal to a button's label (in the chat's language) picks that button."""
    if state.at is None or not folded:
        return None
    _, outputs = engine.step(dialog, replace(state), Start())  # re-renders the current question
    for output in outputs:
        for choice in getattr(output, "choices", ()):
            if _fold(translator.text(choice.label)) == folded:
                return str(choice.id)
    return None
