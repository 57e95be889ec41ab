"""Votes on a card, in rounds: casting, revealing (by the table, automatically when everyone
present has answered, or by the facilitator), voting again, and the table's joint choice.

A card is played in rounds. In each round everyone votes alone and in secret; the reveal shows
the table's distribution; then the table talks and may vote again in a new round, started on
purpose (`revote` by the table, `reset_table` by the facilitator for one table or all). Every
round is kept (`Play.earlier`), so the table, the facilitator and the projector see who moved
from which option to which (`game.core.shift`). Before the reveal anyone may change their own
vote freely; after it, a changed vote opens the next round (it is a vote in that round, never an
overwrite), and a first vote from someone who had not answered is recorded as *late*, apart from
the round it missed. A deck (or card) says how many rounds it asks for (``rounds: 2``), the
facilitator may change that for the session (`set_rounds`); the phones then invite the table to
talk and vote again after the reveal.
"""

from collections.abc import Iterable
from typing import Literal, NotRequired, TypedDict

from ...errors import N_, InvalidInput, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import Play, SessionState, Table

MAX_ROUNDS = 10  # rounds of one card at one table: more is a stuck button, not deliberation


class VoteCast(TypedDict):
    type: Literal["vote_cast"]
    table: int
    pid: str
    card: str
    round: int
    choice: int
    late: NotRequired[bool]  # cast after the round's reveal by someone who had not answered
    at: Number


class VoteWithdrawn(TypedDict):
    """No rule makes it any more; logs written by earlier versions may hold it."""

    type: Literal["vote_withdrawn"]
    table: int
    pid: str
    at: Number


class VotesRevealed(TypedDict):
    type: Literal["votes_revealed"]
    tables: list[int]
    auto: bool
    at: Number


class VotesCleared(TypedDict):
    type: Literal["votes_cleared"]
    table: int
    card: str
    at: Number


class RoundsSet(TypedDict):
    type: Literal["rounds_set"]
    rounds: int | None
    at: Number


class ChoiceRecorded(TypedDict):
    type: Literal["choice_recorded"]
    table: int
    card: str
    choice: int | None
    at: Number


def _vote_cast(state: SessionState, e: VoteCast) -> None:
    play = state.tables[e["table"]].plays[-1]
    if e.get("late"):
        play.late[e["pid"]] = e["choice"]
        return
    play.votes[e["pid"]] = e["choice"]
    play.passes.discard(e["pid"])


def _vote_withdrawn(state: SessionState, e: VoteWithdrawn) -> None:
    state.tables[e["table"]].plays[-1].votes.pop(e["pid"], None)


def _votes_revealed(state: SessionState, e: VotesRevealed) -> None:
    for table_id in e["tables"]:
        play = state.tables[table_id].current
        if play is not None:
            play.revealed = True


def _revealed_tables(state: SessionState, e: VotesRevealed) -> set[int]:
    return set(e["tables"])


def _votes_cleared(state: SessionState, e: VotesCleared) -> None:
    """A new round: the one before is kept, never deleted (logs of older versions, where this
    event wiped the votes, replay with their earlier round kept too)."""
    state.tables[e["table"]].plays[-1].next_round()


def _rounds_set(state: SessionState, e: RoundsSet) -> None:
    state.settings.rounds = e["rounds"]


def _every_table(state: SessionState, e: RoundsSet) -> set[int]:
    return {t.id for t in state.tables}


def planned_rounds(state: SessionState, card_id: str) -> int:
    """How many rounds a card asks for: the session's choice, else the card's, else the deck's."""
    if state.settings.rounds:
        return state.settings.rounds
    card = state.deck.card(card_id)
    for source in (card, state.deck):
        rounds = getattr(source, "rounds", None)
        if rounds:
            return int(rounds)
    return 1


def new_round(table: Table, play: Play) -> list[Event]:
    """The event that opens the next round of the table's card (refused past `MAX_ROUNDS`)."""
    if play.round + 1 >= MAX_ROUNDS:
        raise OutOfTurn(N_("This card has had %(max)d rounds already."), max=MAX_ROUNDS)
    return [{"type": "votes_cleared", "table": table.id, "card": play.card}]


def _choice_recorded(state: SessionState, e: ChoiceRecorded) -> None:
    state.tables[e["table"]].plays[-1].choice = e["choice"]


def reveal_if_all_answered(
    state: SessionState, table_id: int, answered: Iterable[str]
) -> list[Event]:
    """The automatic reveal, when `answered` (votes and passes) covers everyone present."""
    if checks.everyone_present_voted(state, table_id, answered):
        return [{"type": "votes_revealed", "tables": [table_id], "auto": True}]
    return []


class CastVotePayload(TypedDict, total=False):
    choice: int
    card: str


class NoPayload(TypedDict):
    pass


class ChoicePayload(TypedDict, total=False):
    choice: int | None
    card: str


class OptionalTablePayload(TypedDict, total=False):
    table: int


def cast_vote(
    state: SessionState, actor: Actor, payload: CastVotePayload, now: float
) -> list[Event]:
    """Vote for an option of the table's current card (secret until the reveal)."""
    checks.not_paused(state)
    member, table = checks.seated(state, actor)
    play = checks.current(table)
    checks.refuse_skipped(play)
    options = checks.option_count(state, play.card)
    if options == 0:
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    choice: int = checks.field(payload, "choice", int)
    if not 0 <= choice < options:
        raise InvalidInput(N_("That choice is not on this card."))
    if checks.card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    vote: Event = {
        "type": "vote_cast",
        "table": table.id,
        "pid": member.pid,
        "card": play.card,
        "round": play.round,
        "choice": choice,
    }
    answered = member.pid in play.votes or member.pid in play.passes
    if play.revealed and play.tally is None:
        if not answered:  # too late for this round: kept apart, never mixed into it
            return [] if play.late.get(member.pid) == choice else [{**vote, "late": True}]
        if play.votes.get(member.pid) == choice:
            return []
        # A change of mind after the reveal is a vote in the next round, not an overwrite.
        events = new_round(table, play)
        vote["round"] = play.round + 1
        return [*events, vote, *reveal_if_all_answered(state, table.id, {member.pid})]
    if play.votes.get(member.pid) == choice:
        return []
    events = [vote]
    if not play.revealed:
        events += reveal_if_all_answered(
            state, table.id, set(play.votes) | play.passes | {member.pid}
        )
    return events


def reveal_votes(state: SessionState, actor: Actor, payload: NoPayload, now: float) -> list[Event]:
    """Show the table's distribution now."""
    checks.not_paused(state)
    _, table = checks.seated(state, actor)
    play = checks.current(table)
    if play.revealed:
        return []
    checks.refuse_skipped(play)
    return [{"type": "votes_revealed", "tables": [table.id], "auto": False}]


def revote(state: SessionState, actor: Actor, payload: NoPayload, now: float) -> list[Event]:
    """Start the next round at the table, after the reveal: the round before is kept."""
    checks.not_paused(state)
    _, table = checks.seated(state, actor)
    play = checks.current(table)
    checks.refuse_skipped(play)
    if not checks.option_count(state, play.card):
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    if not play.revealed:
        raise OutOfTurn(
            N_("The votes are still secret: anyone can change their own vote until they are shown.")
        )
    return new_round(table, play)


def record_choice(
    state: SessionState, actor: Actor, payload: ChoicePayload, now: float
) -> list[Event]:
    """Record the table's joint choice (or clear it with null)."""
    checks.not_paused(state)
    _, table = checks.seated(state, actor)
    play = checks.current(table)
    if checks.card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    checks.refuse_skipped(play)
    choice: int | None = checks.field(payload, "choice", int, required=False)
    if choice is not None and not 0 <= choice < checks.option_count(state, play.card):
        raise InvalidInput(N_("That choice is not on this card."))
    if choice == play.choice:
        return []
    return [{"type": "choice_recorded", "table": table.id, "card": play.card, "choice": choice}]


def reveal_table(
    state: SessionState, actor: Actor, payload: OptionalTablePayload, now: float
) -> list[Event]:
    """Reveal one table's votes, or every table's with a card."""
    if payload.get("table") is None:
        ids = [
            t.id
            for t in state.tables
            if t.current is not None and not t.current.revealed and not t.current.skipped
        ]
    else:
        table = checks.table(state, payload.get("table"))
        play = checks.current(table)
        checks.refuse_skipped(play)
        ids = [] if play.revealed else [table.id]
    return [{"type": "votes_revealed", "tables": ids, "auto": False}] if ids else []


def reset_table(
    state: SessionState, actor: Actor, payload: OptionalTablePayload, now: float
) -> list[Event]:
    """A new round at one table, or (without `table`) at every table whose card was revealed;
    the rounds before are kept."""
    if payload.get("table") is None:
        events: list[Event] = []
        for table in state.tables:
            play = table.current
            if (
                play is not None
                and play.revealed
                and not play.skipped
                and checks.option_count(state, play.card)
                and play.round + 1 < MAX_ROUNDS
            ):
                events += new_round(table, play)
        return events
    table = checks.table(state, payload.get("table"))
    play = checks.current(table)
    checks.refuse_skipped(play)
    if not checks.option_count(state, play.card):
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    if not play.votes and not play.passes and play.tally is None and not play.revealed:
        return []  # nothing to keep: the round has not begun
    return new_round(table, play)


class RoundsPayload(TypedDict):
    rounds: int | None


def set_rounds(
    state: SessionState, actor: Actor, payload: RoundsPayload, now: float
) -> list[Event]:
    """How many rounds each card is played in, for the session (null: as the deck says)."""
    rounds = checks.field(payload, "rounds", int, required=False)
    if rounds is not None and not 1 <= rounds <= MAX_ROUNDS:
        raise InvalidInput(N_("Choose 1 to %(max)d rounds."), max=MAX_ROUNDS)
    if rounds == state.settings.rounds:
        return []
    return [{"type": "rounds_set", "rounds": rounds}]


FEATURE = Feature(
    "votes",
    commands=(
        Command(
            "cast_vote",
            "participant",
            CastVotePayload,
            cast_vote,
            ("vote_cast", "votes_revealed", "votes_cleared"),
        ),
        Command("reveal_votes", "participant", NoPayload, reveal_votes, ("votes_revealed",)),
        Command("revote", "participant", NoPayload, revote, ("votes_cleared",)),
        Command("record_choice", "participant", ChoicePayload, record_choice, ("choice_recorded",)),
        Command(
            "reveal_table", "facilitator", OptionalTablePayload, reveal_table, ("votes_revealed",)
        ),
        Command(
            "reset_table", "facilitator", OptionalTablePayload, reset_table, ("votes_cleared",)
        ),
        Command("set_rounds", "facilitator", RoundsPayload, set_rounds, ("rounds_set",)),
    ),
    events=(
        EventKind(VoteCast, _vote_cast),
        EventKind(VoteWithdrawn, _vote_withdrawn),
        EventKind(VotesRevealed, _votes_revealed, tables=_revealed_tables),
        EventKind(VotesCleared, _votes_cleared),
        EventKind(ChoiceRecorded, _choice_recorded),
        EventKind(RoundsSet, _rounds_set, tables=_every_table),
    ),
)
