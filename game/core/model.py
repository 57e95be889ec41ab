"""The state of one live session, and how each accepted event changes it.

Everything that happens in a session is an *event*: a plain JSON-able dict with a ``type`` and
its facts (``{"type": "vote_cast", "table": 2, "pid": "p7", "choice": 1, "round": 0, "at": ...}``).
`apply_event` is the only code that changes a `SessionState`, and it is deterministic, so the
same events in the same order always rebuild the same state: the store keeps the events, and a
restarted server replays them. Deciding *whether* something may happen is `game/rules.py`'s job.

No I/O here, no clock and no randomness: times arrive inside the events.
"""

import random
from dataclasses import dataclass, field

from ..decks.deck import Deck, parse_deck
from . import care, evaluation

# Note kinds people pick from when they write a note.
NOTE_KINDS = ("experience", "tip", "concern", "question")
SEATING_MODES = ("choose", "balance", "facilitator")
FLOW_MODES = ("draw", "deal")


@dataclass
class Member:
    """A participant: public id, optional name, seat, and whether a phone is connected now."""

    pid: str
    name: str
    table: int | None = None
    connected: bool = False
    joined_at: float = 0.0
    number: int = 0  # order of joining, for listing a table's members


@dataclass
class Note:
    """A note left at a table on one card."""

    id: str
    pid: str
    kind: str
    text: str
    card: str
    at: float
    edited: bool = False
    hidden: bool = False


@dataclass
class Play:
    """One card on the table: the votes of its current round, reveal state, notes, joint choice."""

    card: str
    started_at: float
    votes: dict = field(default_factory=dict)  # pid -> option index, this round only
    revealed: bool = False
    round: int = 0
    notes: list = field(default_factory=list)
    choice: int | None = None  # the table's joint choice, an option index
    dealt: bool = False
    skipped: bool = False  # the table chose not to play this card (game/core/care.py)
    passes: set = field(default_factory=set)  # pids who passed on the vote, this round only
    tally: list | None = None  # a shared device's show of hands: counts per option
    tally_passes: int = 0  # hands that passed, in a tally

    def distribution(self, options):
        """How many votes each option got, as a list of counts (a tally replaces the votes)."""
        if self.tally is not None:
            return [self.tally[i] if i < len(self.tally) else 0 for i in range(options)]
        counts = [0] * options
        for choice in self.votes.values():
            if 0 <= choice < options:
                counts[choice] += 1
        return counts

    def pass_count(self):
        """How many passed on the vote (hands in a tally, or phones)."""
        return self.tally_passes if self.tally is not None else len(self.passes)

    def responses(self):
        """How many answered so far: votes and passes (or the hands of a tally)."""
        if self.tally is not None:
            return sum(self.tally) + self.tally_passes
        return len(self.votes) + len(self.passes)


@dataclass
class Table:
    """A table: its name, its own shuffled pile and the cards it has played (last = current)."""

    id: int
    name: str
    pile: list = field(default_factory=list)
    plays: list = field(default_factory=list)
    devices: str | None = None  # "personal" / "shared"; None: the session's setting
    # Calls for the facilitator, oldest first: {"reason", "pid", "at", "cleared_at"}.
    flags: list = field(default_factory=list)

    @property
    def current(self):
        """The play on the table now, or None before the first draw."""
        return self.plays[-1] if self.plays else None


@dataclass
class Settings:
    """What the facilitator chose when creating the session."""

    seating: str = "choose"
    flow: str = "draw"
    names_required: bool = False
    group_size: int | None = None
    max_note_chars: int = 500
    max_name_chars: int = 40
    devices: str = "personal"  # the default of every table: own phones, or one shared device
    language: str | None = None  # the facilitator's, for the names of tables the session makes


@dataclass
class SessionState:
    """Everything about one session that the rules and the views need."""

    code: str
    deck_id: str
    deck: Deck
    settings: Settings
    seed: int
    created_at: float
    tables: list = field(default_factory=list)
    members: dict = field(default_factory=dict)  # pid -> Member
    notes: dict = field(default_factory=dict)  # note id -> (table id, Note)
    paused: bool = False
    ended_at: float | None = None
    timer_ends_at: float | None = None
    timer_seconds: int | None = None
    timer_left: float | None = None  # seconds left on a timer that stands still in a pause
    message: dict | None = None  # {"text": ..., "at": ...}
    spotlight: dict | None = None  # {"card": id, "notes": [note ids], "at": ...}
    version: int = 0  # stored events applied; lets clients drop stale updates
    # table id -> {pid: joining number}: who sits where, kept by `apply_event`, so that work
    # for one table is proportional to the table, not to the whole room.
    seated: dict = field(default_factory=dict)
    evaluations: dict = field(default_factory=dict)  # pid -> answers (see game/evaluation.py)

    @property
    def ended(self):
        """True once the facilitator has ended the session."""
        return self.ended_at is not None

    def table_members(self, table_id):
        """Members seated at `table_id`, in order of joining."""
        seats = self.seated.get(table_id, {})
        return [self.members[pid] for pid in sorted(seats, key=seats.__getitem__)]

    def devices(self, table_id):
        """'personal' (everyone votes on their own phone) or 'shared' (one device, a tally)."""
        return self.tables[table_id].devices or self.settings.devices

    def table_size(self, table_id):
        """How many people sit at `table_id`."""
        return len(self.seated.get(table_id, ()))


def shuffled_pile(deck, seed, table_id):
    """The order in which table `table_id` draws cards: a shuffle fixed by the session seed."""
    pile = [card.id for card in deck.cards]
    random.Random(f"{seed}:{table_id}").shuffle(pile)
    return pile


def new_table(state, table_id, name):
    """A table with its own pile, appended to the session."""
    table = Table(id=table_id, name=name, pile=shuffled_pile(state.deck, state.seed, table_id))
    state.tables.append(table)
    return table


# --- applying events -------------------------------------------------------------------------


def state_from_created(event):
    """Build the initial state from a ``session_created`` event."""
    state = SessionState(
        code=event["code"],
        deck_id=event["deck_id"],
        deck=parse_deck(event["deck"], source=event["deck_id"]),
        settings=Settings(**event["settings"]),
        seed=event["seed"],
        created_at=event["at"],
    )
    for index, name in enumerate(event["tables"]):
        new_table(state, index, name)
    state.version = 1
    return state


def replay(events):
    """Rebuild a session from its stored events, oldest first."""
    events = iter(events)
    state = state_from_created(next(events))
    for event in events:
        apply_event(state, event)
    return state


def apply_event(state, event):
    """Change `state` by one accepted event (see the handlers below)."""
    handler = _APPLY[event["type"]]
    handler(state, event)
    # Only stored events count: a restarted server replays exactly those, so the version (and the
    # note ids made from it) continue where they were instead of repeating after a kill -9.
    if event["type"] not in TRANSIENT_EVENTS:
        state.version += 1


def _participant_joined(state, e):
    number = len(state.members)
    state.members[e["pid"]] = Member(e["pid"], e["name"], joined_at=e["at"], number=number)


def _participant_renamed(state, e):
    state.members[e["pid"]].name = e["name"]


def _table_added(state, e):
    new_table(state, e["table"], e["name"])


def _participant_seated(state, e):
    member = state.members[e["pid"]]
    old = member.table
    if old is not None and old != e["table"]:
        play = state.tables[old].current
        # A vote still secret at the old table goes with its voter; a revealed one is history.
        if play is not None and not play.revealed:
            play.votes.pop(member.pid, None)
            play.passes.discard(member.pid)
    member.table = e["table"]
    if old is not None:
        state.seated.get(old, {}).pop(member.pid, None)
    if member.table is not None:
        state.seated.setdefault(member.table, {})[member.pid] = member.number


def _presence_changed(state, e):
    member = state.members.get(e["pid"])
    if member is not None:
        member.connected = e["connected"]


def _card_drawn(state, e):
    table = state.tables[e["table"]]
    if e["card"] in table.pile:
        table.pile.remove(e["card"])
    table.plays.append(Play(card=e["card"], started_at=e["at"], dealt=e.get("dealt", False)))


def _card_dealt(state, e):
    tables = e.get("tables")  # None: every table (and every log written before it was kept)
    for table in state.tables:
        if tables is None or table.id in tables:
            _card_drawn(state, {"table": table.id, "card": e["card"], "at": e["at"], "dealt": True})


def _vote_cast(state, e):
    play = state.tables[e["table"]].current
    play.votes[e["pid"]] = e["choice"]
    play.passes.discard(e["pid"])


def _vote_withdrawn(state, e):
    state.tables[e["table"]].current.votes.pop(e["pid"], None)


def _votes_revealed(state, e):
    for table_id in e["tables"]:
        play = state.tables[table_id].current
        if play is not None:
            play.revealed = True


def _votes_cleared(state, e):
    play = state.tables[e["table"]].current
    play.votes.clear()
    play.passes.clear()
    play.tally = None
    play.tally_passes = 0
    play.revealed = False
    play.round += 1


def _note_added(state, e):
    note = Note(
        id=e["note"], pid=e["pid"], kind=e["kind"], text=e["text"], card=e["card"], at=e["at"]
    )
    play = next(p for p in reversed(state.tables[e["table"]].plays) if p.card == e["card"])
    play.notes.append(note)
    state.notes[note.id] = (e["table"], note)


def _note_edited(state, e):
    note = state.notes[e["note"]][1]
    note.text = e["text"]
    note.kind = e["kind"]
    note.edited = True


def _note_deleted(state, e):
    table_id, note = state.notes.pop(e["note"])
    for play in state.tables[table_id].plays:
        if note in play.notes:
            play.notes.remove(note)
    if state.spotlight and note.id in state.spotlight["notes"]:
        state.spotlight["notes"].remove(note.id)


def _note_hidden(state, e):
    state.notes[e["note"]][1].hidden = e["hidden"]


def _choice_recorded(state, e):
    state.tables[e["table"]].current.choice = e["choice"]


def _paused(state, e):
    state.paused = e["paused"]
    # The round timer stands still while the room is paused, and goes on from there.
    if e["paused"] and state.timer_ends_at is not None and state.timer_left is None:
        state.timer_left = max(0.0, state.timer_ends_at - e["at"])
    elif not e["paused"] and state.timer_left is not None:
        state.timer_ends_at = e["at"] + state.timer_left
        state.timer_left = None


def _timer_started(state, e):
    state.timer_seconds = e["seconds"]
    state.timer_ends_at = e["at"] + e["seconds"]
    state.timer_left = e["seconds"] if state.paused else None


def _timer_stopped(state, e):
    state.timer_seconds = None
    state.timer_ends_at = None
    state.timer_left = None


def _message_sent(state, e):
    state.message = {"text": e["text"], "at": e["at"]} if e["text"] else None


def _spotlight_set(state, e):
    state.spotlight = {"card": e["card"], "notes": list(e["notes"]), "at": e["at"]}


def _spotlight_cleared(state, e):
    state.spotlight = None


def _session_ended(state, e):
    state.ended_at = e["at"]
    state.paused = False
    state.timer_ends_at = None
    state.timer_seconds = None
    state.timer_left = None


_APPLY = {
    "participant_joined": _participant_joined,
    "participant_renamed": _participant_renamed,
    "participant_seated": _participant_seated,
    "presence_changed": _presence_changed,
    "table_added": _table_added,
    "card_drawn": _card_drawn,
    "card_dealt": _card_dealt,
    "vote_cast": _vote_cast,
    "vote_withdrawn": _vote_withdrawn,
    "votes_revealed": _votes_revealed,
    "votes_cleared": _votes_cleared,
    "note_added": _note_added,
    "note_edited": _note_edited,
    "note_deleted": _note_deleted,
    "note_hidden": _note_hidden,
    "choice_recorded": _choice_recorded,
    "paused": _paused,
    "timer_started": _timer_started,
    "timer_stopped": _timer_stopped,
    "message_sent": _message_sent,
    "spotlight_set": _spotlight_set,
    "spotlight_cleared": _spotlight_cleared,
    "session_ended": _session_ended,
    "evaluation_submitted": evaluation.apply_submitted,
    **care.APPLY,
}

# Events that describe the moment, not the record: not stored, not replayed.
TRANSIENT_EVENTS = frozenset({"presence_changed"})
EVENT_TYPES = frozenset(_APPLY) | {"session_created"}
