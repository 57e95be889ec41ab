"""The rules of a session: commands in, events out.

`handle(state, actor, command, payload, now)` checks that `actor` may do `command` with `payload`
right now, turns it into events, applies them to `state` and returns them. Refusals raise a
`GameError` and leave the state untouched: every check happens before the first event is applied.
Handlers in the shell only authenticate the actor; everything about *permission* lives here,
so it is tested without a server.
"""

from dataclasses import dataclass
from typing import Any

from ..errors import N_, Forbidden, InvalidInput, NotFound, OutOfTurn
from . import care, evaluation
from .checks import card_mismatch as _card_mismatch
from .checks import current as _current
from .checks import everyone_present_voted as _everyone_present_voted
from .checks import field as _field
from .checks import member as _member
from .checks import not_paused as _not_paused
from .checks import seated as _seated
from .checks import text as _text
from .events import Event, check_event
from .model import FLOW_MODES, NOTE_KINDS, SEATING_MODES, SessionState, apply_event

MAX_TABLES = 60
MAX_PARTICIPANTS = 10_000  # bounds a session's memory; the MAX_PARTICIPANTS setting is lower
MAX_MESSAGE_CHARS = 280
MAX_TIMER_SECONDS = 3 * 3600
MAX_SPOTLIGHT_NOTES = 12


@dataclass(frozen=True)
class Actor:
    """Who sends a command: a participant (with its pid), the facilitator, or the projector."""

    role: str
    pid: str | None = None

    @classmethod
    def participant(cls, pid):
        """A participant known by its public id."""
        return cls("participant", pid)


FACILITATOR = Actor("facilitator")
PROJECTOR = Actor("projector")


# --- creating a session ----------------------------------------------------------------------


def session_created(*, code, deck_id, deck_data, table_names, seed, now, **settings):
    """The first event of a session, after checking the facilitator's choices.

    `deck_data` is the deck snapshot (``Deck.to_data()``); `table_names` the starting tables.
    `settings` are the fields of `game.core.model.Settings`.
    """
    if settings.get("seating", "choose") not in SEATING_MODES:
        raise InvalidInput(N_("Unknown seating mode."))
    if settings.get("flow", "draw") not in FLOW_MODES:
        raise InvalidInput(N_("Unknown card flow."))
    group_size = settings.get("group_size")
    if group_size is not None and not (isinstance(group_size, int) and 2 <= group_size <= 20):
        raise InvalidInput(N_("Groups must have 2 to 20 people."))
    names = [str(name).strip()[:40] for name in table_names]
    if not 1 <= len(names) <= MAX_TABLES or not all(names):
        raise InvalidInput(N_("A session needs 1 to %(max)d named tables."), max=MAX_TABLES)
    if len(set(names)) != len(names):
        raise InvalidInput(N_("Two tables have the same name."))
    return check_event(
        {
            "type": "session_created",
            "code": code,
            "deck_id": deck_id,
            "deck": deck_data,
            "tables": names,
            "settings": settings,
            "seed": seed,
            "at": now,
        }
    )


def default_table_names(count, language):
    """'Table 1', 'Table 2'... in `language` (Dutch or English)."""
    return [table_name(language, n) for n in range(1, count + 1)]


def table_name(language, number):
    """The name of a table nobody named: 'Tafel 3' in Dutch, 'Table 3' otherwise."""
    return f"{'Tafel' if language == 'nl' else 'Table'} {number}"


def _names_language(state):
    """The language of the tables the session names itself: the facilitator's, when the session
    recorded it (`Settings.language`), else the deck's."""
    return state.settings.language or state.deck.language


# --- payload checks ----------------------------------------------------------------------------


def _table(state, table_id):
    if not isinstance(table_id, int) or isinstance(table_id, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="table")
    if not 0 <= table_id < len(state.tables):
        raise NotFound(N_("There is no such table."))
    return state.tables[table_id]


def _option_count(state, card_id):
    card = state.deck.card(card_id)
    return len(card.response.options)


def _own_note(state, actor, note_id):
    if not isinstance(note_id, str) or note_id not in state.notes:
        raise NotFound(N_("That note does not exist (any more)."))
    table_id, note = state.notes[note_id]
    if note.pid != actor.pid:
        raise Forbidden(N_("Only the author can change a note."))
    return table_id, note


def _name(state, payload):
    name = _text(payload, "name", state.settings.max_name_chars, required=False)
    if state.settings.names_required and not name:
        raise InvalidInput(N_("Please give your name."))
    return name


# --- participant commands ------------------------------------------------------------------------


def _join(state, actor, payload, now):
    if actor.pid in state.members:
        return []  # joining twice is harmless: the phone simply comes back
    if len(state.members) >= MAX_PARTICIPANTS:
        raise OutOfTurn(N_("This session is full."))
    events = [{"type": "participant_joined", "pid": actor.pid, "name": _name(state, payload)}]
    if state.settings.seating == "balance":
        events += _balanced_seat(state, actor.pid)
    return events


def _balanced_seat(state, pid):
    """Seat `pid` at the emptiest table; in 'groups of N', open a new table when all are full."""
    counts = [(state.table_size(t.id), t.id) for t in state.tables]
    fewest, table_id = min(counts)
    size = state.settings.group_size
    events = []
    if size and fewest >= size and len(state.tables) < MAX_TABLES:
        table_id = len(state.tables)
        name = table_name(_names_language(state), table_id + 1)
        events.append({"type": "table_added", "table": table_id, "name": name})
    events.append({"type": "participant_seated", "pid": pid, "table": table_id})
    return events + _catch_up(state, table_id)


def _rename(state, actor, payload, now):
    _member(state, actor.pid)
    return [{"type": "participant_renamed", "pid": actor.pid, "name": _name(state, payload)}]


def _take_seat(state, actor, payload, now):
    member = _member(state, actor.pid)
    if state.settings.seating != "choose":
        raise Forbidden(N_("The facilitator places people at tables in this session."))
    table = _table(state, payload.get("table"))
    if member.table == table.id:
        return []
    return [{"type": "participant_seated", "pid": actor.pid, "table": table.id}] + _catch_up(
        state, table.id
    )


def _draw(state, actor, payload, now):
    _not_paused(state)
    _, table = _seated(state, actor)
    if state.settings.flow != "draw":
        raise Forbidden(N_("The facilitator deals the cards in this session."))
    if not table.pile:
        raise OutOfTurn(N_("Your table has played every card."))
    return [{"type": "card_drawn", "table": table.id, "card": table.pile[0]}]


def _vote(state, actor, payload, now):
    _not_paused(state)
    member, table = _seated(state, actor)
    play = _current(table)
    care.refuse_skipped(play)
    options = _option_count(state, play.card)
    if options == 0:
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    choice = _field(payload, "choice", int)
    if not 0 <= choice < options:
        raise InvalidInput(N_("That choice is not on this card."))
    if _card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    if play.votes.get(member.pid) == choice:
        return []
    events = [
        {
            "type": "vote_cast",
            "table": table.id,
            "pid": member.pid,
            "card": play.card,
            "round": play.round,
            "choice": choice,
        }
    ]
    voted = set(play.votes) | play.passes | {member.pid}
    if not play.revealed and _everyone_present_voted(state, table.id, voted):
        events.append({"type": "votes_revealed", "tables": [table.id], "auto": True})
    return events


def _earlier_play(table, card_id):
    for play in reversed(table.plays):
        if play.card == card_id:
            return play
    raise OutOfTurn(N_("That card was never on your table."))


def _reveal(state, actor, payload, now):
    _not_paused(state)
    _, table = _seated(state, actor)
    play = _current(table)
    if play.revealed:
        return []
    care.refuse_skipped(play)
    return [{"type": "votes_revealed", "tables": [table.id], "auto": False}]


def _revote(state, actor, payload, now):
    _not_paused(state)
    _, table = _seated(state, actor)
    play = _current(table)
    if not play.votes and not play.passes and not play.revealed:
        return []
    return [{"type": "votes_cleared", "table": table.id, "card": play.card}]


def _add_note(state, actor, payload, now):
    _not_paused(state)
    member, table = _seated(state, actor)
    play = _current(table)
    if _card_mismatch(play, payload):
        # A note written offline on an earlier card still belongs to that card.
        play = _earlier_play(table, payload["card"])
    kind = _kind(payload)
    text = _text(payload, "text", state.settings.max_note_chars)
    return [
        {
            "type": "note_added",
            "table": table.id,
            "pid": member.pid,
            "card": play.card,
            "note": f"n{state.version}",
            "kind": kind,
            "text": text,
        }
    ]


def _kind(payload):
    kind = payload.get("kind", "experience")
    if kind not in NOTE_KINDS:
        raise InvalidInput(N_("Unknown kind of note."))
    return kind


def _edit_note(state, actor, payload, now):
    _member(state, actor.pid)
    _, note = _own_note(state, actor, payload.get("note"))
    text = _text(payload, "text", state.settings.max_note_chars)
    kind = _kind({"kind": payload.get("kind", note.kind)})
    if text == note.text and kind == note.kind:
        return []
    table_id = state.notes[note.id][0]
    return [{"type": "note_edited", "note": note.id, "table": table_id, "text": text, "kind": kind}]


def _delete_note(state, actor, payload, now):
    _member(state, actor.pid)
    table_id, note = _own_note(state, actor, payload.get("note"))
    return [{"type": "note_deleted", "note": note.id, "table": table_id}]


def _set_choice(state, actor, payload, now):
    _not_paused(state)
    _, table = _seated(state, actor)
    play = _current(table)
    if _card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    care.refuse_skipped(play)
    choice = _field(payload, "choice", int, required=False)
    if choice is not None and not 0 <= choice < _option_count(state, play.card):
        raise InvalidInput(N_("That choice is not on this card."))
    if choice == play.choice:
        return []
    return [{"type": "choice_recorded", "table": table.id, "card": play.card, "choice": choice}]


# --- facilitator commands ------------------------------------------------------------------------


def _deal(state, actor, payload, now):
    card_id = payload.get("card")
    if card_id is None:
        dealt = {p.card for t in state.tables for p in t.plays if p.dealt}
        remaining = [c.id for c in state.deck.cards if c.id not in dealt]
        if not remaining:
            raise OutOfTurn(N_("Every card of the deck has been dealt."))
        card_id = remaining[0]
    if not isinstance(card_id, str) or state.deck.card(card_id) is None:
        raise NotFound(N_("There is no such card in this deck."))
    event = {"type": "card_dealt", "card": card_id}
    seated = [t.id for t in state.tables if state.table_size(t.id)]
    # Only to the tables where someone sits (a table nobody plays at has no votes to count);
    # while nobody sits anywhere yet, to every table, so a room can be set before people come.
    if seated and len(seated) < len(state.tables):
        event["tables"] = seated
    return [event]


def _catch_up(state, table_id):
    """The card dealt last, for the first person to sit at a table that was empty when it was
    dealt (so a late table plays along with the room)."""
    if state.settings.flow != "deal" or state.table_size(table_id):
        return []
    plays = [t.current for t in state.tables if t.current is not None and t.current.dealt]
    latest = max(plays, key=lambda play: play.started_at, default=None)
    current = state.tables[table_id].current if table_id < len(state.tables) else None  # new
    if latest is None or current is latest:
        return []
    if current is not None and (
        current.card == latest.card or current.started_at > latest.started_at
    ):
        return []  # already has that card, or a newer one
    return [{"type": "card_drawn", "table": table_id, "card": latest.card, "dealt": True}]


def _facilitator_reveal(state, actor, payload, now):
    if payload.get("table") is None:
        ids = [
            t.id
            for t in state.tables
            if t.current is not None and not t.current.revealed and not t.current.skipped
        ]
    else:
        table = _table(state, payload.get("table"))
        care.refuse_skipped(_current(table))
        ids = [] if table.current.revealed else [table.id]
    return [{"type": "votes_revealed", "tables": ids, "auto": False}] if ids else []


def _reset_table(state, actor, payload, now):
    table = _table(state, payload.get("table"))
    play = _current(table)
    return [{"type": "votes_cleared", "table": table.id, "card": play.card}]


def _pause(state, actor, payload, now):
    paused = payload.get("paused", True)
    if not isinstance(paused, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="paused")
    return [] if paused == state.paused else [{"type": "paused", "paused": paused}]


def _start_timer(state, actor, payload, now):
    seconds = _field(payload, "seconds", int)
    if not 10 <= seconds <= MAX_TIMER_SECONDS:
        raise InvalidInput(N_("A timer runs from 10 seconds to 3 hours."))
    return [{"type": "timer_started", "seconds": seconds}]


def _stop_timer(state, actor, payload, now):
    return [{"type": "timer_stopped"}] if state.timer_ends_at is not None else []


def _send_message(state, actor, payload, now):
    text = _text(payload, "text", MAX_MESSAGE_CHARS, required=False)
    return [{"type": "message_sent", "text": text}]


def _move(state, actor, payload, now):
    pid = payload.get("pid")
    if not isinstance(pid, str):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="pid")
    member = _member(state, pid)
    table = _table(state, payload.get("table"))
    if member.table == table.id:
        return []
    seated = {"type": "participant_seated", "pid": pid, "table": table.id, "moved": True}
    return [seated] + _catch_up(state, table.id)


def _add_table(state, actor, payload, now):
    if len(state.tables) >= MAX_TABLES:
        raise OutOfTurn(N_("A session has at most %(max)d tables."), max=MAX_TABLES)
    default = table_name(_names_language(state), len(state.tables) + 1)
    name = _text(payload, "name", 40, required=False) or default
    if any(t.name == name for t in state.tables):
        raise InvalidInput(N_("Two tables have the same name."))
    return [{"type": "table_added", "table": len(state.tables), "name": name}]


def _hide_note(state, actor, payload, now):
    note_id = payload.get("note")
    if not isinstance(note_id, str) or note_id not in state.notes:
        raise NotFound(N_("That note does not exist (any more)."))
    hidden = payload.get("hidden", True)
    if not isinstance(hidden, bool):
        raise InvalidInput(N_("`%(field)s` is missing or has the wrong type."), field="hidden")
    if state.notes[note_id][1].hidden == hidden:
        return []
    table_id = state.notes[note_id][0]
    return [{"type": "note_hidden", "note": note_id, "table": table_id, "hidden": hidden}]


def _spotlight(state, actor, payload, now):
    card_id = payload.get("card")
    if card_id is None:
        return [{"type": "spotlight_cleared"}] if state.spotlight else []
    if not isinstance(card_id, str) or state.deck.card(card_id) is None:
        raise NotFound(N_("There is no such card in this deck."))
    notes = payload.get("notes", [])
    if not isinstance(notes, list) or len(notes) > MAX_SPOTLIGHT_NOTES:
        raise InvalidInput(N_("Choose at most %(max)d notes."), max=MAX_SPOTLIGHT_NOTES)
    for note_id in notes:
        if not isinstance(note_id, str) or note_id not in state.notes:
            raise NotFound(N_("That note does not exist (any more)."))
        if state.notes[note_id][1].card != card_id:
            raise InvalidInput(N_("That note belongs to another card."))
    return [{"type": "spotlight_set", "card": card_id, "notes": list(dict.fromkeys(notes))}]


def _end(state, actor, payload, now):
    return [{"type": "session_ended"}]


PARTICIPANT_COMMANDS = {
    "join": _join,
    "rename": _rename,
    "take_seat": _take_seat,
    "draw_card": _draw,
    "cast_vote": _vote,
    "reveal_votes": _reveal,
    "revote": _revote,
    "add_note": _add_note,
    "edit_note": _edit_note,
    "delete_note": _delete_note,
    "record_choice": _set_choice,
    "submit_evaluation": evaluation.submit,
    **care.PARTICIPANT_COMMANDS,
}

FACILITATOR_COMMANDS = {
    "deal_card": _deal,
    "reveal_table": _facilitator_reveal,
    "reset_table": _reset_table,
    "pause": _pause,
    "start_timer": _start_timer,
    "stop_timer": _stop_timer,
    "send_message": _send_message,
    "move_participant": _move,
    "add_table": _add_table,
    "hide_note": _hide_note,
    "spotlight": _spotlight,
    "end_session": _end,
    **care.FACILITATOR_COMMANDS,
}

COMMANDS = frozenset(PARTICIPANT_COMMANDS) | frozenset(FACILITATOR_COMMANDS)


def decide(
    state: SessionState, actor: Actor, command: str, payload: dict[str, Any], now: float
) -> list[Event]:
    """The events `command` would cause, or a `GameError`; does not change `state`."""
    if not isinstance(payload, dict):
        raise InvalidInput(N_("The message must be an object."))
    if actor.role == "participant" and command in PARTICIPANT_COMMANDS:
        table = PARTICIPANT_COMMANDS
    elif actor.role == "facilitator" and command in FACILITATOR_COMMANDS:
        table = FACILITATOR_COMMANDS
    elif command in COMMANDS:
        raise Forbidden(N_("You are not allowed to do that."))
    else:
        raise InvalidInput(N_("Unknown command."))
    if state.ended and command not in evaluation.AFTER_END_COMMANDS:
        raise OutOfTurn(N_("This session has ended."))
    events = table[command](state, actor, payload, now)
    for event in events:
        event["at"] = now
        check_event(event)
    return events


def handle(
    state: SessionState, actor: Actor, command: str, payload: dict[str, Any], now: float
) -> list[Event]:
    """Decide and apply: the accepted events, already applied to `state`."""
    events = decide(state, actor, command, payload, now)
    for event in events:
        apply_event(state, event)
    return events


def presence(state, pid, connected, now):
    """A phone (dis)connected: the transient event, plus an automatic reveal if that completes a vote."""
    member = state.members.get(pid)
    if member is None or member.connected == connected or state.ended:
        return []
    events = [
        check_event({"type": "presence_changed", "pid": pid, "connected": connected, "at": now})
    ]
    apply_event(state, events[0])
    if not connected and member.table is not None:
        play = state.tables[member.table].current
        if (
            play
            and play.votes
            and not play.revealed
            and not play.skipped
            and _everyone_present_voted(state, member.table, set(play.votes) | play.passes)
        ):
            reveal = check_event(
                {"type": "votes_revealed", "tables": [member.table], "auto": True, "at": now}
            )
            apply_event(state, reveal)
            events.append(reveal)
    return events
