"""The state of one live session: the dataclasses the rules read and the events change.

Everything that happens in a session is an *event* (a JSON-able dict with a ``type`` and its
facts); how each kind of event changes this state is declared beside it in its feature module
(``game/core/features/``), and `game.core.registry.apply_event` is the only path that runs those
changes. The same events in the same order always rebuild the same state: the store keeps the
events, and a restarted server replays them.

No I/O here, no clock and no randomness: times arrive inside the events, the shuffle's seed
with the session.
"""

import random
from dataclasses import dataclass, field
from typing import Any, TypedDict

from ..decks.deck import Deck, parse_deck
from ..decks.model import Card


@dataclass(slots=True)  # one per person in the room: no __dict__ each
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
    option: int | None = None  # a reason for this option of the card ("why I chose B")


@dataclass
class Round:
    """One finished round of votes on a card, kept when the table votes again."""

    number: int  # 0 for the first round
    votes: dict[str, int] = field(default_factory=dict)
    passes: set[str] = field(default_factory=set)
    tally: list[int] | None = None
    tally_passes: int = 0
    revealed: bool = False
    late: dict[str, int] = field(default_factory=dict)

    def distribution(self, options: int) -> list[int]:
        """How many votes each option got (a tally replaces the votes)."""
        if self.tally is not None:
            return [self.tally[i] if i < len(self.tally) else 0 for i in range(options)]
        counts = [0] * options
        for choice in self.votes.values():
            if 0 <= choice < options:
                counts[choice] += 1
        return counts

    def pass_count(self) -> int:
        """How many passed on the vote (hands in a tally, or phones)."""
        return self.tally_passes if self.tally is not None else len(self.passes)


class Conclusion(TypedDict):
    """A table's one line for the plenary on a card: the last edit wins."""

    text: str
    pid: str
    at: float


@dataclass
class Play:
    """One card on the table: the votes of its current round, the rounds before, reveal state,
    notes, the table's joint choice and its conclusion."""

    card: str
    started_at: float
    votes: dict[str, int] = field(default_factory=dict)  # pid -> option index, this round only
    revealed: bool = False
    round: int = 0
    notes: list[Note] = field(default_factory=list)
    choice: int | None = None  # the table's joint choice, an option index
    dealt: bool = False
    skipped: bool = False  # the table chose not to play this card (features/care.py)
    passes: set[str] = field(default_factory=set)  # pids who passed on the vote, this round only
    tally: list[int] | None = None  # a shared device's show of hands: counts per option
    tally_passes: int = 0  # hands that passed, in a tally
    # Votes cast after this round's reveal by people who had not answered in it: kept apart,
    # never mixed into the round they did not take part in.
    late: dict[str, int] = field(default_factory=dict)
    earlier: list[Round] = field(default_factory=list)  # finished rounds, oldest first
    conclusion: Conclusion | None = None
    # The table's step of the card's script (features/steps.py): an index into the steps, their
    # count once the script is done; and since when.
    step: int = 0
    step_at: float | None = None  # None: since the card came
    # pid -> index of the perspective that member argues from on this card (features/perspectives.py)
    perspectives: dict[str, int] = field(default_factory=dict)

    def current_round(self) -> Round:
        """This round as a `Round` record (a copy: changing it changes nothing)."""
        return Round(
            self.round,
            dict(self.votes),
            set(self.passes),
            list(self.tally) if self.tally is not None else None,
            self.tally_passes,
            self.revealed,
            dict(self.late),
        )

    def rounds(self) -> list[Round]:
        """Every round of this card so far, oldest first, the current one last."""
        return [*self.earlier, self.current_round()]

    def next_round(self) -> None:
        """Keep this round with the earlier ones and open an empty one."""
        self.earlier.append(self.current_round())
        self.votes.clear()
        self.passes.clear()
        self.late.clear()
        self.tally = None
        self.tally_passes = 0
        self.revealed = False
        self.round += 1

    def distribution(self, options: int) -> list[int]:
        """How many votes each option got, as a list of counts (a tally replaces the votes)."""
        if self.tally is not None:
            return [self.tally[i] if i < len(self.tally) else 0 for i in range(options)]
        counts = [0] * options
        for choice in self.votes.values():
            if 0 <= choice < options:
                counts[choice] += 1
        return counts

    def pass_count(self) -> int:
        """How many passed on the vote (hands in a tally, or phones)."""
        return self.tally_passes if self.tally is not None else len(self.passes)

    def responses(self) -> int:
        """How many answered so far: votes and passes (or the hands of a tally)."""
        if self.tally is not None:
            return sum(self.tally) + self.tally_passes
        return len(self.votes) + len(self.passes)


class Flag(TypedDict, total=False):
    """A table's call for the facilitator (`features.care`)."""

    reason: str
    pid: str
    at: float
    cleared_at: float | None
    seen: bool
    withdrawn: bool  # the table withdrew it (`withdraw_flag`): not "seen"


@dataclass
class Table:
    """A table: its name, its own shuffled pile and the cards it has played (last = current)."""

    id: int
    name: str
    pile: list[str] = field(default_factory=list)
    plays: list[Play] = field(default_factory=list)
    devices: str | None = None  # "personal" / "shared"; None: the session's setting
    # Calls for the facilitator, oldest first.
    flags: list[Flag] = field(default_factory=list)

    @property
    def current(self) -> Play | None:
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
    same_order: bool = False  # every table draws the deck in the deck's order (comparable)
    rounds: int | None = None  # rounds per card for the session; None: as the deck says
    name: str = ""  # "Masterclass March, group B": shown wherever the code is
    # The programme: the cards chosen, in order (None: the whole deck); the first `openers` and
    # the last `closers` stay at their ends of every table's pile, the rest is shuffled.
    programme: list[str] | None = None
    openers: int = 0
    closers: int = 0
    perspectives: bool = True  # deal the deck's perspectives (if it has any)
    takeaway: bool = True  # phones may open their table's page once the session ended
    language: str | None = None  # the facilitator's, for the names of tables the session makes


@dataclass
class Proposal:
    """A dilemma a table wrote during the session (features/dilemmas.py): a playable card,
    added to the session's deck when the facilitator deals it."""

    id: str  # the card id it is played under ("room-1")
    table: int
    pid: str
    at: float
    card: Card
    data: dict[str, Any]  # the card as plain deck data, for the organiser's inbox
    dealt: bool = False
    filed: str | None = None  # the deck it was added to, or "" when the organiser set it aside


class Message(TypedDict):
    """The facilitator's message to every phone."""

    text: str
    at: float


class Spotlight(TypedDict):
    """The card on the projector, with the notes chosen for it."""

    card: str
    notes: list[str]
    at: float


class Answers(TypedDict):
    """One participant's closing evaluation (`features.evaluation`)."""

    useful: int
    keep: str
    add: str
    at: float


@dataclass
class SessionState:
    """Everything about one session that the rules and the views need."""

    code: str
    deck_id: str
    deck: Deck
    settings: Settings
    seed: int
    created_at: float
    tables: list[Table] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    notes: dict[str, tuple[int, Note]] = field(default_factory=dict)  # id -> (table id, note)
    paused: bool = False
    ended_at: float | None = None
    timer_ends_at: float | None = None
    timer_seconds: int | None = None
    timer_left: float | None = None  # seconds left on a timer that stands still in a pause
    message: Message | None = None
    spotlight: Spotlight | None = None
    version: int = 0  # stored events applied; lets clients drop stale updates
    # table id -> {pid: joining number}: who sits where, kept as events apply, so that work
    # for one table is proportional to the table, not to the whole room.
    seated: dict[int, dict[str, int]] = field(default_factory=dict)
    evaluations: dict[str, Answers] = field(default_factory=dict)
    proposals: list["Proposal"] = field(default_factory=list)  # dilemmas from the room
    secret: str = ""  # the session's secret, for the tables' takeaway links (features/takeaway.py)

    @property
    def ended(self) -> bool:
        """True once the facilitator has ended the session."""
        return self.ended_at is not None

    def table_members(self, table_id: int) -> list[Member]:
        """Members seated at `table_id`, in order of joining."""
        seats = self.seated.get(table_id, {})
        return [self.members[pid] for pid in sorted(seats, key=seats.__getitem__)]

    def devices(self, table_id: int) -> str:
        """'personal' (everyone votes on their own phone) or 'shared' (one device, a tally)."""
        return self.tables[table_id].devices or self.settings.devices

    def card(self, card_id: str) -> Card:
        """The deck's card `card_id`, which every play and note refers to (KeyError otherwise:
        a bug, since the rules only let known cards onto the tables)."""
        card = self.deck.card(card_id)
        if card is None:
            raise KeyError(card_id)
        return card

    def table_size(self, table_id: int) -> int:
        """How many people sit at `table_id`."""
        return len(self.seated.get(table_id, ()))


def programme(state: SessionState) -> list[str]:
    """The session's cards in the programme's order (the whole deck without a programme)."""
    if state.settings.programme is None:
        return [card.id for card in state.deck.cards]
    return list(state.settings.programme)


def table_pile(state: SessionState, table_id: int) -> list[str]:
    """The order in which table `table_id` draws: the programme's openers, the cards between
    (shuffled by the session seed, unless every table plays the same order), its closers."""
    order = programme(state)
    settings = state.settings
    head = order[: settings.openers]
    tail = order[len(order) - settings.closers :] if settings.closers else []
    middle = order[len(head) : len(order) - len(tail)]
    if not settings.same_order:
        # The same shuffle as before programmes existed, so older sessions replay the same.
        random.Random(f"{state.seed}:{table_id}").shuffle(middle)
    return head + middle + tail


def new_table(state: SessionState, table_id: int, name: str) -> Table:
    """A table with its own pile (see `table_pile`), appended to the session."""
    table = Table(id=table_id, name=name, pile=table_pile(state, table_id))
    state.tables.append(table)
    return table


def state_from_created(event: dict[str, Any]) -> SessionState:
    """Build the initial state from a ``session_created`` event."""
    state = SessionState(
        code=event["code"],
        deck_id=event["deck_id"],
        deck=parse_deck(event["deck"], source=event["deck_id"]),
        settings=Settings(**event["settings"]),
        seed=event["seed"],
        created_at=event["at"],
        secret=event.get("secret", ""),
    )
    for index, name in enumerate(event["tables"]):
        new_table(state, index, name)
    state.version = 1
    return state
