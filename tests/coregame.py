"""Helpers for core tests: a small deck and a session built from events, no server."""

from game.core.model import state_from_created
from game.core.rules import FACILITATOR, Actor, handle, presence, session_created
from game.decks.deck import parse_deck

SMALL_DECK = {
    "title": "Small",
    "language": "en",
    "categories": {"action": {"label": "Action", "colour": "#336699"}},
    "cards": [
        {
            "id": "pick",
            "title": "Pick one",
            "category": "action",
            "text": "Choose.",
            "response": {"type": "choice", "options": ["A", "B", "C"]},
            "prompts": ["Why?"],
            "reflection": "Shown after the reveal.",
        },
        {"id": "agree", "title": "Agree?", "text": "Agree or not.", "response": {"type": "scale"}},
        {"id": "talk", "title": "Talk", "text": "Just talk.", "response": {"type": "open"}},
        {
            "id": "two",
            "title": "Two ways",
            "text": "This or that.",
            "response": {"type": "choice", "options": ["This", "That"]},
        },
    ],
}


class Game:
    """A session in memory with a clock the test moves by hand."""

    def __init__(self, tables=2, seed=7, now=1000.0, code="ABC234", deck=SMALL_DECK, **settings):
        self.now = now
        deck = parse_deck(deck)
        self.created = session_created(
            code=code,
            deck_id="small",
            deck_data=deck.to_data(),
            table_names=[f"Table {n + 1}" for n in range(tables)],
            seed=seed,
            now=self.now,
            **settings,
        )
        self.state = state_from_created(self.created)
        self.log = [self.created]

    def do(self, actor, command, **payload):
        """Run a command as `actor` ('p1' for a participant, or an Actor) and keep its events."""
        if isinstance(actor, str):
            actor = Actor.participant(actor)
        events = handle(self.state, actor, command, payload, self.now)
        self.log.extend(events)
        return events

    def host(self, command, **payload):
        """Run a facilitator command."""
        return self.do(FACILITATOR, command, **payload)

    def seat(self, pid, table, name=None, connect=True):
        """Join `pid`, connect its phone and sit it at `table`."""
        self.do(pid, "join", name=name or pid)
        if connect:
            self.connect(pid)
        self.do(pid, "take_seat", table=table)

    def connect(self, pid, connected=True):
        """Mark a phone as connected or gone."""
        events = presence(self.state, pid, connected, self.now)
        self.log.extend(events)
        return events


def hub_session(hub, tables=1):
    """A session of the small deck in `hub` (`game.hub.Hub`), dealt by the facilitator."""
    return hub.create(
        deck_id="small",
        deck=parse_deck(SMALL_DECK),
        tables=tables,
        seating="choose",
        flow="deal",
        names_required=False,
    )


def room(tables=3, per_table=3, card="pick", **settings):
    """`tables` tables of `per_table` people (pids t0a, t0b...), `card` dealt to all."""
    g = Game(tables=tables, **settings)
    for t in range(tables):
        for n in range(per_table):
            g.seat(f"t{t}{'abcdef'[n]}", t)
    g.host("deal_card", card=card)
    return g


def vote(g, table, choices, per_table=3):
    """The people of `table` in `room` answer in turn: an option's index, "pass", or None (no
    answer)."""
    for n, choice in enumerate(choices):
        pid = f"t{table}{'abcdef'[n]}"
        if choice == "pass":
            g.do(pid, "pass_vote")
        elif choice is not None:
            g.do(pid, "cast_vote", choice=choice)
