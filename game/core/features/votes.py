"""Votes on a card: casting, revealing (by the table, automatically when everyone present has
answered, or by the facilitator), voting again, and the table's joint choice."""

from collections.abc import Iterable
from typing import Literal, TypedDict

from ...errors import N_, InvalidInput, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState


class VoteCast(TypedDict):
    type: Literal["vote_cast"]
    table: int
    pid: str
    card: str
    round: int
    choice: int
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


class ChoiceRecorded(TypedDict):
    type: Literal["choice_recorded"]
    table: int
    card: str
    choice: int | None
    at: Number


def _vote_cast(state: SessionState, e: VoteCast) -> None:
    play = state.tables[e["table"]].plays[-1]
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
    play = state.tables[e["table"]].plays[-1]
    play.votes.clear()
    play.passes.clear()
    play.tally = None
    play.tally_passes = 0
    play.revealed = False
    play.round += 1


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


class TablePayload(TypedDict):
    table: int


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
    if play.votes.get(member.pid) == choice:
        return []
    events: list[Event] = [
        {
            "type": "vote_cast",
            "table": table.id,
            "pid": member.pid,
            "card": play.card,
            "round": play.round,
            "choice": choice,
        }
    ]
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
    """Clear the table's votes on this card, to vote again."""
    checks.not_paused(state)
    _, table = checks.seated(state, actor)
    play = checks.current(table)
    if not play.votes and not play.passes and not play.revealed:
        return []
    return [{"type": "votes_cleared", "table": table.id, "card": play.card}]


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
    state: SessionState, actor: Actor, payload: TablePayload, now: float
) -> list[Event]:
    """Clear a table's votes on its card (a re-vote)."""
    table = checks.table(state, payload.get("table"))
    play = checks.current(table)
    return [{"type": "votes_cleared", "table": table.id, "card": play.card}]


FEATURE = Feature(
    "votes",
    commands=(
        Command(
            "cast_vote", "participant", CastVotePayload, cast_vote, ("vote_cast", "votes_revealed")
        ),
        Command("reveal_votes", "participant", NoPayload, reveal_votes, ("votes_revealed",)),
        Command("revote", "participant", NoPayload, revote, ("votes_cleared",)),
        Command("record_choice", "participant", ChoicePayload, record_choice, ("choice_recorded",)),
        Command(
            "reveal_table", "facilitator", OptionalTablePayload, reveal_table, ("votes_revealed",)
        ),
        Command("reset_table", "facilitator", TablePayload, reset_table, ("votes_cleared",)),
    ),
    events=(
        EventKind(VoteCast, _vote_cast),
        EventKind(VoteWithdrawn, _vote_withdrawn),
        EventKind(VotesRevealed, _votes_revealed, tables=_revealed_tables),
        EventKind(VotesCleared, _votes_cleared),
        EventKind(ChoiceRecorded, _choice_recorded),
    ),
)
