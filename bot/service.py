"""The conversation service: one inbound update, one transaction, read → decide → write.

A turn claims the update (a repeat is dropped) and reads the chat's party (contact, client,
conversation) in one call; then the engine steps, the risk screen screens and the replies
are rendered, all from values; then storage records the step and the outbox takes the
replies, and the transaction commits. Only then may a channel acknowledge the update (R1,
R2). Delivery happens from the outbox, after the commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session

from bot import answers, commands, events, opening, scheduler_prompts, screening, trajectory
from bot.doors import Doors
from bot.i18n import Translations
from bot.messages import HELP_NOW, HELP_NOW_LABEL, Handled, Inbound, Kind
from bot.replies import Replies
from dialogs import engine
from dialogs.helplines import MORE_HELP, MORE_LABEL, Audience, HelpNumbers
from dialogs.model import N_, Dialog, Event, Output, Say, State, Text
from dialogs.risk import RiskScreen
from storage import tables
from storage.crypto import Keyring
from storage.db import Database
from storage.repositories import conversations, prompt_deliveries, responses, updates
from storage.repositories.conversations import Party

log = logging.getLogger(__name__)

RETRIES = 3
# Text outside any dialog, from an enrolled client, is kept as an open-feedback response.
OUTSIDE_DIALOG = "open_feedback"

UNKNOWN_DIALOG = N_("Sorry, I can't find that conversation.")
UNKNOWN_UNIT = commands.UNKNOWN_LINK
STALE_CHOICE = N_("That question has been answered already. Here is the current one:")


utc_now = tables.utc_now


class ConversationService(Doors):
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
        self._skip_words = events.skip_words(translations.all())
        self._answering = answers.Answering(
            translations, keyring, risk_screen, help_numbers, _version(dialogs.get(OUTSIDE_DIALOG))
        )

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
        chat = self.chat_key(inbound.channel, inbound.address)
        # Read: the claim and the chat's party, in one call.
        party = conversations.claim_and_load(
            session, chat=chat, update_key=inbound.update_key, now=now
        )
        if party is None:
            return Handled(duplicate=True)
        replies = Replies(
            inbound, chat, translations=self.translations, keyring=self.keyring, clock=self.clock
        )
        turn = _Turn(session, inbound, party, replies, now)
        conversation = party.conversation
        if conversation is not None and conversation.expires_at <= now:
            # An expired dialog is forgotten; the answers given so far stay stored.
            turn = turn.dropped(conversation)
            conversation = None
        answered = answers.turn(
            session,
            inbound=inbound,
            party=party,
            replies=replies,
            now=now,
            answering=self._answering,
        )
        if answered is not None:  # "Answer" under a worker's reply, or the answer itself
            return answered
        prompt = scheduler_prompts.public_id_of(inbound)
        if prompt is not None:
            return self._prompted(turn, prompt)
        command = events.command_of(inbound)
        if command is not None:
            return self._command(turn, *command)
        if inbound.kind is Kind.BEGIN:
            return self._begin(turn, dialog_id=inbound.payload)
        if conversation is None:
            return self._outside_dialog(turn)
        dialog = self.dialogs.get(conversation.dialog_id)
        if dialog is None:
            turn.dropped(conversation)
            outputs: list[Output] = [Say(Text(UNKNOWN_DIALOG))]
            return replies.send(session, outputs, conversation.language, finished=True)
        # Decide: the engine's event, then the step.
        translator = self.translations.get(conversation.language)
        state = State.from_json(conversation.state)
        event, free_text = events.event_of(inbound, state, dialog, translator, self._skip_words)
        if isinstance(event, events.Stale):
            # A button of an earlier question: say so, and ask the current one again.
            replies.acknowledge(None)
            outputs = [Say(Text(STALE_CHOICE)), *engine.current_question(dialog, state)]
            return replies.send(session, outputs, conversation.language)
        if inbound.kind is Kind.CHOICE:
            replies.acknowledge(events.label_of(inbound.payload, state, dialog, translator))
        return self._step(turn, conversation, dialog, event, free_text=free_text)

    def _step(
        self,
        turn: _Turn,
        conversation: tables.Conversation,
        dialog: Dialog,
        event: Event,
        *,
        free_text: str | None = None,
    ) -> Handled:
        state, outputs = engine.step(dialog, State.from_json(conversation.state), event)
        if free_text is not None:  # S1: the risk screen reads what was typed
            outputs = screening.screened(
                self.risk_screen.screen(free_text, language=conversation.language),
                text=free_text,
                state=state,
                outputs=outputs,
                unit_id=conversation.unit_id,
                contact_id=conversation.contact_id,
                audience=turn.audience(dialog),
                help_numbers=self.help_numbers,
            )
        client_id = turn.party.client_of_contact(conversation.contact_id)
        outputs = trajectory.with_course(  # the end of a check-in: the course of its index
            turn.session,
            conversation=conversation,
            state=state,
            outputs=outputs,
            client_id=client_id,
        )
        # Write: the step in one call, then the replies.
        responses.record_step(
            turn.session,
            conversation=conversation,
            dialog=dialog,
            state=state,
            outputs=outputs,
            contact_client_id=client_id,
            keyring=self.keyring,
            now=turn.now,
            expires_at=turn.now + self.conversation_ttl,
        )
        if state.finished and state.anonymous is False and conversation.contact_id is not None:
            prompt_deliveries.complete(  # a scheduled check-in answered (never an anonymous one)
                turn.session,
                contact_id=conversation.contact_id,
                dialog_id=conversation.dialog_id,
                now=turn.now,
            )
        return turn.replies.send(
            turn.session, outputs, conversation.language, finished=state.finished
        )

    def _prompted(self, turn: _Turn, public_id: str) -> Handled:
        """A scheduled prompt's button: its dialog starts (or, started before and still
        open, goes on at its open question), and its delivery is marked started."""
        language = opening.language(turn.inbound, turn.party)
        turn.replies.acknowledge(self.translations.get(language).gettext(scheduler_prompts.START))
        opened = scheduler_prompts.opened(
            turn.session, public_id=public_id, contact=turn.party.contact, now=turn.now
        )
        conversation = turn.party.conversation
        if isinstance(opened, Say):
            return turn.replies.send(turn.session, [opened], language, finished=True)
        dialog = self.dialogs.get(opened.dialog_id)
        if conversation is not None and conversation.dialog_id == opened.dialog_id and dialog:
            question = engine.current_question(dialog, State.from_json(conversation.state))
            return turn.replies.send(turn.session, question, conversation.language)
        return self._begin(turn, dialog_id=opened.dialog_id, unit_id=opened.unit_id)

    def _outside_dialog(self, turn: _Turn) -> Handled:
        """Typed text when no conversation is open: the risk screen decides (S1)."""
        inbound, contact, client = turn.inbound, turn.party.contact, turn.party.client
        language = inbound.language or (contact.language if contact else None)
        turn.replies.acknowledge(None)
        decision = screening.outside_dialog(
            self.risk_screen.screen(inbound.payload, language=language)
            if inbound.kind is Kind.TEXT
            else None,
            text=inbound.payload,
            enrolled=client is not None,
            audience=turn.audience(None),
            help_numbers=self.help_numbers,
        )
        if decision.keep is not None and contact is not None and client is not None:
            dialog = self.dialogs.get(OUTSIDE_DIALOG)
            responses.record_kept_text(
                turn.session,
                client=client,
                contact_id=contact.id,
                dialog_id=OUTSIDE_DIALOG,
                dialog_version=dialog.version if dialog is not None else "",
                channel=inbound.channel,
                language=self.translations.get(language).language,
                kept=decision.keep,
                keyring=self.keyring,
                now=turn.now,
            )
        return turn.replies.send(turn.session, decision.outputs, language, finished=True)

    def _command(self, turn: _Turn, name: str, argument: str) -> Handled:
        session, inbound, replies = turn.session, turn.inbound, turn.replies
        contact, conversation = turn.party.contact, turn.party.conversation
        if name == HELP_NOW:
            return self._help_now(turn)
        if name == MORE_HELP:
            return self._more_help(turn, argument)
        replies.acknowledge(None)
        if name == "group":
            # Said once per group chat: the claim of a notice marks it said.
            group = f"{inbound.channel}-group"
            first = updates.claim(
                session, channel=group, update_key=replies.chat.address_hmac, now=turn.now
            )
            outputs: list[Output] = [Say(Text(commands.GROUP))] if first else []
            return replies.send(session, outputs, inbound.language, finished=True)
        staff_chat = inbound.channel == commands.STAFF_CHANNEL
        chat = commands.Chat(
            key=replies.chat,
            language=inbound.language,
            seal_address=replies.sealed_address,
            seal_staff_chat=replies.sealed_staff_chat if staff_chat else None,
        )
        result = commands.run(
            session,
            name=name,
            argument=argument,
            contact=contact,
            client=turn.party.client,
            conversation=conversation,
            now=turn.now,
            chat=chat,
        )
        if isinstance(result, commands.StartDialog):
            return self._begin(
                turn, dialog_id=result.dialog_id, unit_id=result.unit_id, unit_code=result.unit_code
            )
        language = result.language or (
            conversation.language if conversation else contact.language if contact else None
        )
        outputs = list(result.outputs)
        if conversation is not None and result.ends_conversation:
            turn.dropped(conversation)
            conversation = None
        elif conversation is not None:
            if result.language is not None:
                conversations.set_language(
                    session, conversation_id=_id(conversation), language=result.language
                )
            dialog = self.dialogs.get(conversation.dialog_id)
            if dialog is not None:  # go on with the open question
                state = State.from_json(conversation.state)
                outputs.extend(engine.current_question(dialog, state))
        return replies.send(session, outputs, language, finished=conversation is None)

    def _help_now(self, turn: _Turn) -> Handled:
        """ "I need help now" (a button on every question, or a command): the help numbers in
        the chat's language, a crisis flag for an enrolled client's worker (or on the
        anonymous response, as the risk screen's), and then the open question again."""
        session, replies, party = turn.session, turn.replies, turn.party
        conversation = party.conversation
        dialog = self.dialogs.get(conversation.dialog_id) if conversation is not None else None
        if conversation is not None and dialog is not None:
            replies.acknowledge(
                self.translations.get(conversation.language).text(Text(HELP_NOW_LABEL))
            )
            state = State.from_json(conversation.state)
            client_id = party.client_of_contact(conversation.contact_id)
            outputs = screening.help_now(
                enrolled=client_id is not None and state.anonymous is False,
                flag=conversation.unit_id is not None,
                audience=turn.audience(dialog),
                question=engine.current_question(dialog, state),
                help_numbers=self.help_numbers,
            )
            responses.record_step(
                session,
                conversation=conversation,
                dialog=dialog,
                state=state,
                outputs=outputs,
                contact_client_id=client_id,
                keyring=self.keyring,
                now=turn.now,
                expires_at=turn.now + self.conversation_ttl,
            )
            return replies.send(session, outputs, conversation.language)
        # No dialog is open: only an enrolled client's press is kept, with its flag.
        contact, client = party.contact, party.client
        language = (contact.language if contact else None) or turn.inbound.language
        replies.acknowledge(self.translations.get(language).text(Text(HELP_NOW_LABEL)))
        enrolled = contact is not None and client is not None
        if contact is not None and client is not None:
            responses.record_kept_text(
                session,
                client=client,
                contact_id=contact.id,
                dialog_id=OUTSIDE_DIALOG,
                dialog_version=_version(self.dialogs.get(OUTSIDE_DIALOG)),
                channel=turn.inbound.channel,
                language=self.translations.get(language).language,
                kept=screening.help_now_kept(),
                keyring=self.keyring,
                now=turn.now,
            )
        outputs = screening.help_now(
            enrolled=enrolled,
            flag=False,
            kept=enrolled,
            audience=turn.audience(None),
            question=[],
            help_numbers=self.help_numbers,
        )
        return replies.send(session, outputs, language, finished=conversation is None)

    def _more_help(self, turn: _Turn, argument: str) -> Handled:
        """ "More places to get help" under a crisis reply: the other lines, then the open
        question again, if a dialog is running."""
        conversation = turn.party.conversation
        dialog = self.dialogs.get(conversation.dialog_id) if conversation is not None else None
        state = State.from_json(conversation.state) if conversation is not None else None
        question = engine.current_question(dialog, state) if dialog and state else []
        language = (
            conversation.language if conversation else opening.language(turn.inbound, turn.party)
        )
        turn.replies.acknowledge(self.translations.get(language).text(Text(MORE_LABEL)))
        outputs = screening.more_help(argument, question=question, help_numbers=self.help_numbers)
        return turn.replies.send(turn.session, outputs, language, finished=conversation is None)

    def _begin(
        self,
        turn: _Turn,
        *,
        dialog_id: str,
        unit_id: int | None = None,
        unit_code: str | None = None,
    ) -> Handled:
        session, inbound, replies = turn.session, turn.inbound, turn.replies
        dialog = self.dialogs.get(dialog_id)
        language = opening.language(inbound, turn.party)
        if dialog is None:
            return replies.send(session, [Say(Text(UNKNOWN_DIALOG))], language, finished=True)
        opened = opening.open_dialog(
            session,
            dialog=dialog,
            inbound=inbound,
            party=turn.party,
            chat=replies.chat,
            language=self.translations.get(language).language,
            unit_id=unit_id,
            unit_code=unit_code,
            now=turn.now,
            expires_at=turn.now + self.conversation_ttl,
        )
        if opened is None:
            return replies.send(session, [Say(Text(UNKNOWN_UNIT))], language, finished=True)
        if turn.party.conversation is not None:
            # A new dialog replaces an unfinished one; the answers so far stay stored.
            turn.dropped(turn.party.conversation)
        return self._step(turn, opened.conversation, dialog, opened.start)


@dataclass(frozen=True, slots=True)
class _Turn:
    """One update being handled: its transaction, the party read for it and its replies."""

    session: Session
    inbound: Inbound
    party: Party
    replies: Replies
    now: dt.datetime

    def audience(self, dialog: Dialog | None) -> Audience:
        """Whom a help reply speaks to: the dialog's audience, else the client's."""
        client = self.party.client
        return Audience.of(dialog.audience if dialog else None, client.audience if client else None)

    def dropped(self, conversation: tables.Conversation) -> _Turn:
        """Delete the chat's conversation; the turn goes on without it."""
        conversations.delete(self.session, conversation_id=_id(conversation))
        return replace(self, party=replace(self.party, conversation=None))


def _version(dialog: Dialog | None) -> str:
    return dialog.version if dialog is not None else ""


def _id(conversation: tables.Conversation) -> int:
    assert conversation.id is not None
    return conversation.id
