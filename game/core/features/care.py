"""Care at the table: a table may skip its card, a participant may pass on a vote, and any
member may call the facilitator over until the facilitator clears the call.

A pass (`pass_vote`) is counted apart from the options and counts as an answer, so a reveal
never waits for someone who would rather not say. A call (`flag_table`, reasons in
`vocabulary.FLAG_REASONS`) stays on the facilitator's view until `clear_flag` (the table then
sees that its call was seen) or until the table withdraws it (`withdraw_flag`).
"""

from typing import Literal, TypedDict

from ...errors import N_, InvalidInput, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number, Payload
from ..model import Flag, Member, Play, SessionState, Table
from ..vocabulary import FLAG_REASONS
from .votes import new_round, reveal_if_all_answered


class CardSkipped(TypedDict):
    type: Literal["card_skipped"]
    table: int
    pid: str
    card: str
    at: Number


class VotePassed(TypedDict):
    type: Literal["vote_passed"]
    table: int
    pid: str
    card: str
    round: int
    at: Number


class TableFlagged(TypedDict):
    type: Literal["table_flagged"]
    table: int
    pid: str
    reason: str
    at: Number


class FlagCleared(TypedDict):
    type: Literal["flag_cleared"]
    table: int
    at: Number


class FlagWithdrawn(TypedDict):
    type: Literal["flag_withdrawn"]
    table: int
    pid: str
    at: Number


# --- the state ---------------------------------------------------------------------------------


def status(table: Table, play: Play, talk: bool = False) -> str:
    """How a play of a card stands (`vocabulary.PLAY_STATUSES`): 'revealed', 'talking' (still
    the table's card, votes secret), 'skipped' (the table chose to), or 'abandoned' (the table
    moved on before a reveal). A talk card (`talk`: an open card, no vote) is 'talking' while on
    the table and 'talked' after: there were no votes to leave unrevealed. A table that moved on
    with a new round open (its script entered "vote again", or someone asked for one) left a
    revealed round behind: 'revealed', not 'abandoned'."""
    if play.skipped:
        return "skipped"
    if talk:
        return "talking" if play is table.current else "talked"
    if play.revealed:
        return "revealed"
    if play is table.current:
        return "talking"
    return "revealed" if any(r.revealed for r in play.earlier) else "abandoned"


def current_flag(table: Table) -> Flag | None:
    """The table's open call for the facilitator, or None."""
    if table.flags and table.flags[-1].get("cleared_at") is None:
        return table.flags[-1]
    return None


def seen_flag(table: Table) -> Flag | None:
    """The table's last call once the facilitator cleared it, while that card is on the table
    (so the phones can say it was seen); None otherwise."""
    if not table.flags:
        return None
    flag, play = table.flags[-1], table.current
    cleared = flag.get("cleared_at")
    if cleared is None or flag.get("withdrawn"):
        return None
    if play is not None and play.started_at > cleared:
        return None
    return flag


def _card_skipped(state: SessionState, e: CardSkipped) -> None:
    state.tables[e["table"]].plays[-1].skipped = True


def _vote_passed(state: SessionState, e: VotePassed) -> None:
    play = state.tables[e["table"]].plays[-1]
    play.votes.pop(e["pid"], None)
    play.passes.add(e["pid"])


def _table_flagged(state: SessionState, e: TableFlagged) -> None:
    table = state.tables[e["table"]]
    flag = current_flag(table)
    if flag is not None:
        flag["cleared_at"] = e["at"]  # a new reason replaces the open call
    table.flags.append({"reason": e["reason"], "pid": e["pid"], "at": e["at"], "cleared_at": None})


def _flag_cleared(state: SessionState, e: FlagCleared) -> None:
    flag = current_flag(state.tables[e["table"]])
    if flag is not None:
        flag["cleared_at"] = e["at"]
        flag["seen"] = True


def _flag_withdrawn(state: SessionState, e: FlagWithdrawn) -> None:
    flag = current_flag(state.tables[e["table"]])
    if flag is not None:
        flag["cleared_at"] = e["at"]
        flag["withdrawn"] = True


# --- commands ----------------------------------------------------------------------------------


class CardPayload(TypedDict, total=False):
    card: str


class FlagPayload(TypedDict):
    reason: str


class TablePayload(TypedDict):
    table: int


def open_play(state: SessionState, actor: Actor, payload: Payload) -> tuple[Member, Table, Play]:
    """The seated actor's table and its current card's play (`card`, if sent, must match)."""
    checks.not_paused(state)
    member, table = checks.seated(state, actor)
    play = checks.current(table)
    if checks.card_mismatch(play, payload):
        raise OutOfTurn(N_("The table has moved on to another card."))
    return member, table, play


def skip_card(state: SessionState, actor: Actor, payload: CardPayload, now: float) -> list[Event]:
    """The table does not play its current card (before its votes are revealed)."""
    _, table, play = open_play(state, actor, payload)
    if play.skipped:
        return []
    if play.revealed:
        raise OutOfTurn(N_("The votes are already revealed; go on to the next card instead."))
    return [{"type": "card_skipped", "table": table.id, "pid": actor.pid, "card": play.card}]


def pass_vote(state: SessionState, actor: Actor, payload: CardPayload, now: float) -> list[Event]:
    """Answer the vote without choosing; replaces one's vote of this round."""
    member, table, play = open_play(state, actor, payload)
    checks.refuse_skipped(play)
    if not checks.option_count(state, play.card):
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    if member.pid in play.passes:
        return []
    passed: Event = {
        "type": "vote_passed",
        "table": table.id,
        "pid": member.pid,
        "card": play.card,
        "round": play.round,
    }
    if play.revealed and play.tally is None:
        if member.pid not in play.votes:
            raise OutOfTurn(N_("The votes are already revealed."))
        # Like a changed vote: a pass after the reveal belongs to the next round.
        passed["round"] = play.round + 1
        return [
            *new_round(table, play),
            passed,
            *reveal_if_all_answered(state, table.id, {member.pid}),
        ]
    events = [passed]
    if not play.revealed:
        events += reveal_if_all_answered(
            state, table.id, set(play.votes) | play.passes | {member.pid}
        )
    return events


def flag_table(state: SessionState, actor: Actor, payload: FlagPayload, now: float) -> list[Event]:
    """Call the facilitator to the table, with a reason."""
    checks.not_paused(state)
    _, table = checks.seated(state, actor)
    reason = payload.get("reason")
    if reason not in FLAG_REASONS:
        raise InvalidInput(N_("Choose why you call the facilitator."))
    flag = current_flag(table)
    if flag is not None and flag.get("reason") == reason:
        return []  # already called for that reason: one call, not a queue of them
    return [{"type": "table_flagged", "table": table.id, "pid": actor.pid, "reason": reason}]


class NoPayload(TypedDict):
    pass


def withdraw_flag(state: SessionState, actor: Actor, payload: NoPayload, now: float) -> list[Event]:
    """The table no longer needs the facilitator: its open call is withdrawn."""
    _, table = checks.seated(state, actor)
    if current_flag(table) is None:
        return []
    return [{"type": "flag_withdrawn", "table": table.id, "pid": actor.pid}]


def clear_flag(state: SessionState, actor: Actor, payload: TablePayload, now: float) -> list[Event]:
    """The facilitator has seen (or answered) the table's call."""
    table = checks.table(state, payload.get("table"))
    return [{"type": "flag_cleared", "table": table.id}] if current_flag(table) else []


FEATURE = Feature(
    "care",
    commands=(
        Command("skip_card", "participant", CardPayload, skip_card, ("card_skipped",)),
        Command(
            "pass_vote",
            "participant",
            CardPayload,
            pass_vote,
            ("vote_passed", "votes_revealed", "votes_cleared"),
        ),
        Command("flag_table", "participant", FlagPayload, flag_table, ("table_flagged",)),
        Command("withdraw_flag", "participant", NoPayload, withdraw_flag, ("flag_withdrawn",)),
        Command("clear_flag", "facilitator", TablePayload, clear_flag, ("flag_cleared",)),
    ),
    events=(
        EventKind(CardSkipped, _card_skipped),
        EventKind(VotePassed, _vote_passed),
        EventKind(TableFlagged, _table_flagged),
        EventKind(FlagCleared, _flag_cleared),
        EventKind(FlagWithdrawn, _flag_withdrawn),
    ),
)
